package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// An upload becomes a document, its bytes filed under their SHA-256, its ingest task queued and the
// inbox left clear; the same bytes uploaded again give that document back with 200.
func TestUploadSameBytesTwiceIsOneDocument(t *testing.T) {
	r := newRig(t)
	data := scanPNG(1)
	first := r.upload("/api/v1/documents", "to-khai.png", data)
	first.wantStatus(t, http.StatusCreated)
	doc := first.document(t)
	if got := first.header.Get("Location"); got != "/api/v1/documents/"+doc.ID {
		t.Errorf("Location %q", got)
	}
	if doc.Status != storage.StatusReceived || doc.Stage != "ingest" || doc.Filename != "to-khai.png" || doc.Source != "api" ||
		doc.Size != int64(len(data)) || doc.Signed || doc.Retryable {
		t.Errorf("new document %+v", doc)
	}

	again := r.upload("/api/v1/documents", "to-khai-lan-2.png", data)
	again.wantStatus(t, http.StatusOK)
	if got := again.document(t); got.ID != doc.ID || got.Filename != "to-khai.png" {
		t.Errorf("second upload gave %s (%s), want the first document %s", got.ID, got.Filename, doc.ID)
	}
	if n := r.count(); n != 1 {
		t.Errorf("%d documents, want 1", n)
	}
	if ids := r.queue.ids(); len(ids) != 1 || ids[0] != pipeline.TaskID(pipeline.Ingest, pipeline.Payload{DocumentID: doc.ID, Run: 1}) {
		t.Errorf("tasks %v, want one ingest task", ids)
	}
	if left := r.inbox(); len(left) != 0 {
		t.Errorf("inbox still holds %v", left)
	}
	if info, err := r.objects.Stat(t.Context(), storage.Work, "originals/"+doc.SHA256); err != nil || info.Size != int64(len(data)) {
		t.Errorf("original: %+v, %v", info, err)
	}
}

// What is not a scan is refused before anything is stored, with its code: too big (413), a type
// sohoa does not read (415), empty, or a request without the file.
func TestUploadRefused(t *testing.T) {
	overLimit := append(scanPNG(2), make([]byte, maxUpload)...)
	for _, c := range []struct {
		name   string
		data   []byte
		status int
		code   string
	}{
		{"one byte over the limit", overLimit[:maxUpload+1], http.StatusRequestEntityTooLarge, scan.CodeTooLarge},
		{"far over the limit", overLimit, http.StatusRequestEntityTooLarge, scan.CodeTooLarge},
		{"text", []byte("Đây không phải ảnh quét."), http.StatusUnsupportedMediaType, scan.CodeUnsupportedType},
		{"a Word file", []byte("PK\x03\x04word/document.xml"), http.StatusUnsupportedMediaType, scan.CodeUnsupportedType},
		{"empty", nil, http.StatusBadRequest, scan.CodeEmpty},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.upload("/api/v1/documents", "scan.png", c.data).wantError(t, c.status, c.code)
			if n := r.count(); n != 0 {
				t.Errorf("%d documents recorded", n)
			}
			if left := r.inbox(); len(left) != 0 {
				t.Errorf("inbox holds %v", left)
			}
			if ids := r.queue.ids(); len(ids) != 0 {
				t.Errorf("tasks %v", ids)
			}
		})
	}
	t.Run("exactly the limit", func(t *testing.T) {
		r := newRig(t)
		r.upload("/api/v1/documents", "scan.png", overLimit[:maxUpload]).wantStatus(t, http.StatusCreated)
	})
	t.Run("no file field", func(t *testing.T) {
		r := newRig(t)
		var b bytes.Buffer
		req := httptest.NewRequest(http.MethodPost, "/api/v1/documents", &b)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		b.WriteString("--x\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--x--\r\n")
		r.do(req).wantError(t, http.StatusBadRequest, codeMissing)
	})
	t.Run("not multipart", func(t *testing.T) {
		r := newRig(t)
		r.sendJSON(http.MethodPost, "/api/v1/documents", `{"file": "scan.png"}`).wantError(t, http.StatusUnsupportedMediaType, codeUnsupportedMedia)
	})
}

// A station's batch goes in the bulk lane, an upload at the counter in the counter lane, unless the
// query names the lane; a paper for a dossier is always the counter's default. The document and its
// first task both carry the lane and the receiving agency.
func TestUploadLanes(t *testing.T) {
	for i, c := range []struct {
		role   account.Role
		query  string
		status int
		lane   pipeline.Lane
	}{
		{account.Clerk, "", http.StatusCreated, pipeline.Counter},
		{account.Station, "", http.StatusCreated, pipeline.Bulk},
		{account.Clerk, "?lane=bulk", http.StatusCreated, pipeline.Bulk},
		{account.Station, "?lane=counter", http.StatusCreated, pipeline.Counter},
		{account.Clerk, "?lane=urgent", http.StatusBadRequest, ""},
	} {
		r := newRig(t)
		a := r.as("nguoi-"+string(c.role), c.role, testAgency).upload("/api/v1/documents"+c.query, "giay.png", scanPNG(i))
		if c.status != http.StatusCreated {
			a.wantError(t, c.status, codeBadRequest)
			continue
		}
		a.wantStatus(t, c.status)
		doc := a.document(t)
		r.queue.mu.Lock()
		p := r.queue.payloads[0]
		r.queue.mu.Unlock()
		if doc.Lane != string(c.lane) || p.Lane != c.lane || p.Agency != testAgency {
			t.Errorf("%s %s: document lane %q, task lane %q of agency %q; want %q of %s", c.role, c.query, doc.Lane, p.Lane, p.Agency, c.lane, testAgency)
		}
	}
}
