package api

import (
	"net/http"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// A signed original whose signatures do not verify goes on only with a person's decision: who, and
// why, recorded in its history; nothing else lifts the refusal.
func TestAcceptSignature(t *testing.T) {
	r := newRig(t)
	d := r.receive("da-ky.pdf", scanPNG(60))
	r.fail(d.ID, storage.Failure{Code: workers.CodeSignatureInvalid, Reason: "Tệp PDF đã có chữ ký số nhưng chữ ký không hợp lệ."})
	path := "/api/v1/documents/" + d.ID + "/accept-signature"

	r.do(post("/api/v1/documents/"+d.ID+"/retry")).wantError(t, http.StatusConflict, codeNotRetryable)
	r.sendJSON("POST", path, map[string]string{"note": " "}).wantError(t, http.StatusBadRequest, codeMissing)
	other := r.receive("khac.png", scanPNG(61))
	r.fail(other.ID, storage.Failure{Code: "truncated", Reason: "Tệp bị cắt cụt."})
	r.sendJSON("POST", "/api/v1/documents/"+other.ID+"/accept-signature",
		map[string]string{"note": "b"}).wantError(t, http.StatusConflict, codeNotFailed)

	a := r.as("nguyen.van.a", account.Archivist, testAgency).sendJSON("POST", path, map[string]string{"note": "Đã đối chiếu bản giấy."})
	a.wantStatus(t, http.StatusAccepted)
	if got := a.document(t); got.Status != storage.StatusReceived || got.ErrorCode != "" {
		t.Errorf("after the decision: %+v", got)
	}
	events, err := r.store.History(t.Context(), "", d.ID)
	must(t, err)
	var found bool
	for _, e := range events {
		found = found || e.Action == workers.AcceptedSignature && e.Actor == "nguyen.van.a" && e.Detail["note"] == "Đã đối chiếu bản giấy."
	}
	if !found {
		t.Errorf("the decision is not in the history: %+v", events)
	}
	if ids := r.queue.ids(); len(ids) == 0 {
		t.Error("no task queued after the decision")
	}
}
