package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// acceptBody is a person's decision to certify a signed original whose signatures do not verify;
// the person is the signed-in account.
type acceptBody struct {
	Note string `json:"note"` // why: what was checked against the paper original
}

// acceptSignature records a person's decision that a signed original whose signatures do not
// verify may be certified as it is, and runs the document again. Nothing else lifts that refusal:
// sohoa does not certify such a file on its own.
func (s *Server) acceptSignature(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	var b acceptBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Nội dung yêu cầu không phải JSON hợp lệ.")
		return
	}
	if strings.TrimSpace(b.Note) == "" {
		writeError(w, http.StatusBadRequest, codeMissing, "Cần ghi rõ lý do (note), ví dụ đã đối chiếu với bản gốc giấy.")
		return
	}
	if doc.Status != storage.StatusFailed || doc.ErrorCode != workers.CodeSignatureInvalid {
		writeError(w, http.StatusConflict, codeNotFailed, "Chỉ quyết định được với tài liệu bị dừng vì chữ ký số của bản gốc không hợp lệ.")
		return
	}
	if !s.record(w, r, storage.Event{Action: workers.AcceptedSignature, DocumentID: doc.ID, Detail: map[string]any{"note": b.Note}}) {
		return
	}
	s.rerun(w, r, doc)
}
