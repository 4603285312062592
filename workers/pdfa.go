package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/extract"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/storage"
)

// pdfa assembles the archive PDF from the page images and the OCR words.
func (h *Handlers) pdfa(ctx context.Context, doc storage.Document) error {
	if doc.SignedOriginal {
		// Rebuilding would break the signatures it carries: the original is the archive copy.
		return h.keepOriginal(ctx, doc)
	}
	rows, err := h.Records.Pages(ctx, doc.ID)
	if err != nil {
		return err
	}
	pages := make([]pdfa.Page, len(rows))
	for i, pg := range rows {
		img, err := h.read(ctx, storage.Work, pg.ImageKey)
		if err != nil {
			return err
		}
		var res ocr.Page
		if pg.OCRKey != "" {
			body, err := h.read(ctx, storage.Work, pg.OCRKey)
			if err != nil {
				return err
			}
			if err := json.Unmarshal(body, &res); err != nil {
				return fmt.Errorf("ocr result of page %d of %s: %w", pg.N, doc.ID, err)
			}
		}
		pages[i] = pdfa.Page{Image: img, Format: pg.Format, Width: pg.Width, Height: pg.Height,
			DPIX: pg.DPIX, DPIY: pg.DPIY, Rotate: res.Rotation, Lines: layoutLines(res.Lines)}
	}
	var out bytes.Buffer
	title := extract.Title(joinText(rows))
	if title == "" {
		title = doc.Filename
	}
	paper, err := h.Dossiers.Paper(ctx, doc.ID)
	if err != nil {
		return err
	}
	meta := pdfa.Metadata{Title: title, Author: h.AgencyName, Creator: "sohoa", Language: "vi", Created: doc.CreatedAt,
		DocumentID: doc.ID, DocumentCode: doc.Code, DossierCode: doc.Code, OwnerID: paper.OwnerID, Kind: paper.Kind,
		CodeNotation: paper.Notation, OrganName: paper.IssuingBody, Maintenance: h.Retention.Code(paper.Kind)}
	if len(paper.Dossiers) > 0 {
		meta.DossierCode = paper.Dossiers[0]
	}
	if paper.IssuedOn != nil {
		meta.IssuedDate = paper.IssuedOn.Format(time.DateOnly)
	}
	changes, err := pdfa.Build(&out, pages, meta)
	if err != nil {
		return fmt.Errorf("assemble pdf of %s: %w", doc.ID, err)
	}
	// Every file is checked before it is signed: one that breaks a PDF/A rule fails here, naming
	// the rule, rather than reaching the archive.
	if err := pdfa.Check(out.Bytes()); err != nil {
		h.Log.Error("assembled PDF breaks a PDF/A rule", "document", doc.ID, "error", err)
		return fault.Tell("pdfa", fault.Refused, "pdfa_invalid",
			"Tệp PDF/A tạo ra không đạt chuẩn lưu trữ nên chưa được ký; lỗi đã được ghi để bộ phận kỹ thuật xử lý.", err)
	}
	if err := h.logChanges(ctx, doc.ID, changes); err != nil {
		return err
	}
	key := pdfKey(doc.ID)
	if _, err := h.Objects.Put(ctx, storage.Work, key, &out, int64(out.Len()), "application/pdf"); err != nil {
		return err
	}
	return h.Records.SetPDF(ctx, doc.ID, key, "2u")
}

// changeAction is the history action of a page whose archive copy differs from the scan.
const changeAction = "page.converted"

// logChanges records in the document's history what its archive copy changed of the scans, once:
// a rerun of the stage finds the entries of the run before and adds none.
func (h *Handlers) logChanges(ctx context.Context, docID string, changes []pdfa.Change) error {
	if len(changes) == 0 {
		return nil
	}
	past, err := h.Dossiers.History(ctx, "", docID)
	if err != nil {
		return err
	}
	// %v prints the page the same whether it is this run's int or the JSON number read back.
	key := func(page, code any) string { return fmt.Sprintf("%v/%v", page, code) }
	logged := map[string]bool{}
	for _, e := range past {
		if e.Action == changeAction {
			logged[key(e.Detail["page"], e.Detail["code"])] = true
		}
	}
	for _, c := range changes {
		if logged[key(c.Page, c.Code)] {
			continue
		}
		e := storage.Event{Actor: actorSohoa, Action: changeAction, DocumentID: docID,
			Detail: map[string]any{"page": c.Page, "code": c.Code, "reason": fmt.Sprintf("Trang %d: %s", c.Page, c.Reason)}}
		if err := h.Dossiers.Log(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func joinText(pages []storage.Page) string {
	texts := make([]string, len(pages))
	for i, p := range pages {
		texts[i] = p.Text
	}
	return strings.Join(texts, "\n")
}

func layoutLines(lines []ocr.Line) [][]pdfa.Word {
	out := make([][]pdfa.Word, 0, len(lines))
	for _, l := range lines {
		words := make([]pdfa.Word, len(l.Words))
		for i, w := range l.Words {
			words[i] = pdfa.Word{Text: w.Text, Box: w.Box}
		}
		out = append(out, words)
	}
	return out
}
