package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/storage"
)

// sign signs the assembled PDF as the agency, with the visible block of Nghị định 30/2020 kept clear
// of the page's own words, and puts it in the archive. A document signed once is never signed again:
// if the archive already holds its file (the previous attempt died before recording it), that file
// is recorded as it is.
func (h *Handlers) sign(ctx context.Context, doc storage.Document) error {
	if doc.SignedKey != "" {
		return nil
	}
	if doc.Code == "" || doc.PDFKey == "" {
		return fmt.Errorf("sign %s: no code or no PDF yet", doc.ID)
	}
	key := archiveKey(doc.Code)
	if signed, err := h.read(ctx, storage.Archive, key); err == nil {
		return h.Records.SetSigned(ctx, doc.ID, key, sum(signed))
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	unsigned, err := h.read(ctx, storage.Work, doc.PDFKey)
	if err != nil {
		return err
	}
	avoid, err := h.firstPageWords(ctx, doc.ID)
	if err != nil {
		return err
	}
	signer := *h.Signer // the shared Signer stays untouched; this document's block is its own
	signer.Block = &sign.Block{Avoid: avoid}
	var out bytes.Buffer
	if err := signer.Sign(ctx, bytes.NewReader(unsigned), int64(len(unsigned)), &out); err != nil {
		return fmt.Errorf("sign %s: %w", doc.ID, err)
	}
	signed := out.Bytes()
	if err := h.Signer.CheckOwn(ctx, signed, unsigned, h.Roots); err != nil {
		return fmt.Errorf("sign %s: %w", doc.ID, err)
	}
	if _, err := h.Objects.Put(ctx, storage.Archive, key, bytes.NewReader(signed), int64(len(signed)), "application/pdf"); err != nil {
		return err
	}
	return h.Records.SetSigned(ctx, doc.ID, key, sum(signed))
}

// firstPageWords returns the boxes of page 1's OCR words in PDF points (origin bottom left), the
// space the signature block must leave alone.
func (h *Handlers) firstPageWords(ctx context.Context, docID string) ([]sign.Rect, error) {
	pages, err := h.Records.Pages(ctx, docID)
	if err != nil || len(pages) == 0 || pages[0].OCRKey == "" {
		return nil, err
	}
	p := pages[0]
	body, err := h.read(ctx, storage.Work, p.OCRKey)
	if err != nil {
		return nil, err
	}
	var res ocr.Page
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("ocr result of page 1 of %s: %w", docID, err)
	}
	sx, sy := 72/p.DPIX, 72/p.DPIY
	height := float64(p.Height) * sy
	var boxes []sign.Rect
	for _, l := range res.Lines {
		for _, w := range l.Words {
			b := w.Box
			boxes = append(boxes, sign.Rect{LLX: float64(b.Min.X) * sx, LLY: height - float64(b.Max.Y)*sy,
				URX: float64(b.Max.X) * sx, URY: height - float64(b.Min.Y)*sy})
		}
	}
	return boxes, nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
