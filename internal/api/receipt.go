package api

import (
	"bytes"
	"io"
	"mime"
	"net/http"

	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/storage"
)

// dossierReceipt is the printable receipt (giấy tiếp nhận) handed to the citizen: the dossier code as
// text and as a QR code, who handed in what, and when.
func (s *Server) dossierReceipt(w http.ResponseWriter, r *http.Request) {
	d, atts, ok := s.pathDossierPapers(w, r)
	if !ok {
		return
	}
	rc := receipt.Receipt{DossierCode: d.Code, Agency: d.AgencyName, Procedure: d.ProcedureName, ProcedureCode: d.ProcedureCode,
		OwnerName: d.Owner.Name, OwnerID: d.Owner.ID, ReceivedAt: d.ReceivedAt, Staff: d.Staff}
	if d.DueOn != nil {
		rc.DueOn = *d.DueOn
	}
	for _, a := range atts {
		name := a.Document.Title
		if name == "" {
			name = a.Document.Filename
		}
		if a.Reused {
			name += " (lấy từ kho dữ liệu)"
		}
		rc.Components = append(rc.Components, name)
	}
	var out bytes.Buffer
	if err := receipt.Write(&out, rc); err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: "dossier.receipt", DossierID: d.ID, OwnerID: d.Owner.ID}) {
		servePDF(w, "giay-tiep-nhan-"+d.Code+".pdf", out.Bytes())
	}
}

// dossierCover prints the dossier's cover sheet: it goes on top of the dossier's stack when the
// stack is scanned in one go, and its QR code sends the papers under it into the dossier.
func (s *Server) dossierCover(w http.ResponseWriter, r *http.Request) {
	s.dossierSheet(w, r, "dossier.cover", "phieu-bia-", func(out io.Writer, d storage.Dossier) error {
		return receipt.WriteCover(out, receipt.Cover{DossierCode: d.Code, Agency: d.AgencyName, Procedure: d.ProcedureName, OwnerName: d.Owner.Name})
	})
}

// dossierSeparator prints a separator sheet naming the dossier: it goes between two of its papers.
func (s *Server) dossierSeparator(w http.ResponseWriter, r *http.Request) {
	s.dossierSheet(w, r, "dossier.separator", "to-phan-cach-", func(out io.Writer, d storage.Dossier) error {
		return receipt.WriteSeparator(out, receipt.Separator{DossierCode: d.Code, Agency: d.AgencyName, Procedure: d.ProcedureName, OwnerName: d.Owner.Name})
	})
}

// dossierSheet serves a sheet print writes for the {id} dossier, as the event action: it carries the
// owner's name, so printing it is in the trail.
func (s *Server) dossierSheet(w http.ResponseWriter, r *http.Request, action, name string, print func(io.Writer, storage.Dossier) error) {
	d, ok := s.pathDossier(w, r)
	if !ok {
		return
	}
	var out bytes.Buffer
	if err := print(&out, d); err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: action, DossierID: d.ID, OwnerID: d.Owner.ID}) {
		servePDF(w, name+d.Code+".pdf", out.Bytes())
	}
}

// separator prints a separator sheet that names no dossier: its papers go with the last cover
// before it. It holds nobody's data.
func (s *Server) separator(w http.ResponseWriter, r *http.Request) {
	var out bytes.Buffer
	if err := receipt.WriteSeparator(&out, receipt.Separator{Agency: s.AgencyName}); err != nil {
		s.storeError(w, r, err)
		return
	}
	servePDF(w, "to-phan-cach.pdf", out.Bytes())
}

func servePDF(w http.ResponseWriter, name string, pdf []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	w.Write(pdf)
}
