package api

import (
	"bytes"
	"mime"
	"net/http"

	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/storage"
)

// dossierReceipt is the printable receipt (giấy tiếp nhận) handed to the citizen: the dossier code as
// text and as a QR code, who handed in what, and when.
func (s *Server) dossierReceipt(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDossier(w, r)
	if !ok {
		return
	}
	atts, err := s.Dossiers.Attachments(r.Context(), d.ID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	rc := receipt.Receipt{DossierCode: d.Code, Agency: d.AgencyName, Procedure: d.ProcedureName, ProcedureCode: d.ProcedureCode,
		OwnerName: d.Owner.Name, OwnerID: d.Owner.ID, ReceivedAt: d.ReceivedAt, Staff: d.Staff}
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
	if !s.record(w, r, storage.Event{Action: "dossier.receipt", DossierID: d.ID, OwnerID: d.Owner.ID}) {
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": "giay-tiep-nhan-" + d.Code + ".pdf"}))
	w.Write(out.Bytes())
}
