package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// Metadata is the document-level record of Thông tư 05/2025/TT-BNV, with the field names of its
// annex. Fields sohoa does not know yet are left out.
type Metadata struct {
	DocCode         string `json:"docCode"`               // mã định danh: the document's code
	ArcFileCode     string `json:"arcFileCode,omitempty"` // the dossier it was handed in with
	TypeName        string `json:"typeName,omitempty"`
	CodeNumber      string `json:"codeNumber,omitempty"`
	CodeNotation    string `json:"codeNotation,omitempty"`
	IssuedDate      string `json:"issuedDate,omitempty"`
	OrganName       string `json:"organName,omitempty"`
	Subject         string `json:"subject"`
	Language        string `json:"language"`
	NumberOfPage    int    `json:"numberOfPage"`
	ConfidenceLevel string `json:"confidenceLevel"` // 01 born digital, 02 digitized, 03 mixed
	Format          string `json:"format"`
	OwnerID         string `json:"ownerId,omitempty"`
	ValidUntil      string `json:"validUntil,omitempty"`
	ValidityScope   string `json:"validityScope,omitempty"`
	SHA256          string `json:"sha256,omitempty"` // of the signed file, for fixity checks
	// Extracted are the fields read from the OCR text, proposals for a person to confirm: sohoa's
	// own, beside TT05's.
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
	number, _, _ := strings.Cut(p.Notation, "/")
	m := Metadata{DocCode: p.Code, TypeName: p.Kind, CodeNotation: p.Notation, OrganName: p.IssuingBody,
		Subject: p.Title, Language: "vi", NumberOfPage: p.Pages, ConfidenceLevel: "02", Format: format(p.Conformance),
		OwnerID: p.OwnerID, ValidityScope: p.ValidityScope, SHA256: p.SignedSHA256, Extracted: p.Extracted}
	if p.Notation != "" {
		m.CodeNumber = number
	}
	if len(p.Dossiers) > 0 {
		m.ArcFileCode = p.Dossiers[0]
	}
	if p.IssuedOn != nil {
		m.IssuedDate = p.IssuedOn.Format(time.DateOnly)
	}
	if p.ValidUntil != nil {
		m.ValidUntil = p.ValidUntil.Format(time.DateOnly)
	}
	writeJSON(w, http.StatusOK, m)
}

// format names the archive copy's format for Thông tư 05/2025's metadata: PDF/A with its
// conformance, or plain PDF for a signed original that is not PDF/A.
func format(conformance string) string {
	if conformance == "" {
		return "PDF"
	}
	return "PDF/A-" + conformance
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
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Nội dung yêu cầu không đọc được: "+err.Error())
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
