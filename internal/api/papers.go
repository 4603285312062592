package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/sohoa-vn/sohoa/internal/tt05"
	"github.com/sohoa-vn/sohoa/storage"
)

// Metadata is the document-level record of Thông tư 05/2025/TT-BNV (tt05.Metadata), with sohoa's
// own proposals beside it: the fields read from the OCR text, for a person to confirm.
type Metadata struct {
	tt05.Metadata
	Extracted json.RawMessage `json:"extracted,omitempty"`
}

func (s *Server) metadata(w http.ResponseWriter, r *http.Request) {
	id, ok := s.visibleID(w, r)
	if !ok {
		return
	}
	p, err := s.Dossiers.Paper(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if !s.record(w, r, storage.Event{Action: "document.metadata", DocumentID: id, OwnerID: p.OwnerID}) {
		return
	}
	writeJSON(w, http.StatusOK, Metadata{Metadata: tt05.Of(p), Extracted: p.Extracted})
}

// paperBody is what a person confirms or corrects about a paper; absent fields stay as they are.
type paperBody struct {
	Kind          *string `json:"kind"`
	Notation      *string `json:"notation"`
	IssuedOn      *string `json:"issued_on"`
	IssuingBody   *string `json:"issuing_body"`
	ValidUntil    *string `json:"valid_until"`
	ValidityScope *string `json:"validity_scope"`
	Reusable      *bool   `json:"reusable"`
}

// setPaper records what a person confirms or corrects about a paper. The old values stay in the
// paper's history (the paper.updated event holds each field's old and new value), so a signed
// paper's facts change only visibly.
func (s *Server) setPaper(w http.ResponseWriter, r *http.Request) {
	id, ok := s.visibleID(w, r)
	if !ok {
		return
	}
	var b paperBody
	if !readJSON(w, r, &b) {
		return
	}
	f := storage.PaperFields{Kind: b.Kind, Notation: b.Notation, IssuingBody: b.IssuingBody, ValidityScope: b.ValidityScope, Reusable: b.Reusable}
	for _, d := range []struct {
		in   *string
		out  **time.Time
		name string
	}{{b.IssuedOn, &f.IssuedOn, "issued_on"}, {b.ValidUntil, &f.ValidUntil, "valid_until"}} {
		if d.in == nil {
			continue
		}
		t, err := time.Parse(time.DateOnly, *d.in)
		if err != nil {
			writeError(w, http.StatusBadRequest, codeBadDate, d.name+" phải có dạng YYYY-MM-DD.")
			return
		}
		*d.out = &t
	}
	if err := s.Dossiers.SetPaper(r.Context(), id, f, s.actor(r)); err != nil {
		s.storeError(w, r, err)
		return
	}
	p, err := s.Dossiers.Paper(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, paperJSON(p))
}
