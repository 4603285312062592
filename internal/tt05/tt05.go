// Package tt05 holds the document-level record of Thông tư 05/2025/TT-BNV, with the field names of
// its annex, as sohoa fills it from what it knows of a paper: the API serves it
// (GET /api/v1/documents/{id}/metadata) and archive packages carry it (internal/eark).
package tt05

import (
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// Metadata is one document's record. Fields sohoa does not know yet are left out.
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
}

// Of is the record of paper p.
func Of(p storage.Paper) Metadata {
	number, _, _ := strings.Cut(p.Notation, "/")
	m := Metadata{DocCode: p.Code, TypeName: p.Kind, CodeNotation: p.Notation, OrganName: p.IssuingBody,
		Subject: p.Title, Language: "vi", NumberOfPage: p.Pages, ConfidenceLevel: "02", Format: Format(p.Conformance),
		OwnerID: p.OwnerID, ValidityScope: p.ValidityScope, SHA256: p.SignedSHA256}
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
	return m
}

// Format names the archive copy's format: PDF/A with its conformance, or plain PDF for a signed
// original that is not PDF/A.
func Format(conformance string) string {
	if conformance == "" {
		return "PDF"
	}
	return "PDF/A-" + conformance
}
