package api

import (
	"bytes"
	"net/http"

	"github.com/sohoa-vn/sohoa/internal/sign/verify"
	"github.com/sohoa-vn/sohoa/storage"
)

// verification checks the signatures of a document's signed file against the configured trust roots:
// byte ranges, integrity, signature, chain, certificate validity at signing time, timestamp, and
// whether anything was appended after the last signature.
func (s *Server) verification(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	data, ok := s.signedFile(w, r, doc)
	if !ok {
		return
	}
	if !s.record(w, r, storage.Event{Action: "document.verification", DocumentID: doc.ID}) {
		return
	}
	report, err := verify.File(r.Context(), bytes.NewReader(data), int64(len(data)), s.Roots)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, codeUnreadableSignature, "Không đọc được chữ ký của tệp: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, report)
}
