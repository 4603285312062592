package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/storage"
)

// sign signs the assembled PDF as the agency, with the visible block of Nghị định 30/2020 kept clear
// of the page's own words, checks what it signed, and puts it in the archive under the document's own
// key, with a write that never replaces an object. A document signed once is never signed again: if
// the archive already holds a file at its key (an attempt died before recording it), that file is
// adopted only once it is shown to be this signer's signature over this document's PDF.
func (h *Handlers) sign(ctx context.Context, doc storage.Document) error {
	if doc.SignedKey != "" {
		return nil
	}
	if doc.Code == "" || doc.PDFKey == "" {
		return fmt.Errorf("sign %s: no code or no PDF yet (code %q, pdf %q)", doc.ID, doc.Code, doc.PDFKey)
	}
	unsigned, err := h.read(ctx, storage.Work, doc.PDFKey)
	if err != nil {
		return err
	}
	key := archiveKey(doc.ID, doc.Code)
	if f, err := h.adopt(ctx, key, unsigned); !errors.Is(err, storage.ErrNotFound) {
		if err != nil {
			return err
		}
		return h.Records.SetSigned(ctx, doc.ID, f)
	}
	avoid, err := h.firstPageWords(ctx, doc.ID)
	if err != nil {
		return err
	}
	signed, err := h.Signer.Sign(ctx, unsigned, avoid)
	if err != nil {
		return fmt.Errorf("sign %s: %w", doc.ID, err)
	}
	if err := h.Signer.CheckOwn(ctx, signed, unsigned); err != nil {
		h.Log.Error("the signature just made does not hold", "document", doc.ID, "error", err)
		return fault.Tell("sign", fault.Refused, "signature_invalid",
			"Chữ ký số vừa tạo không hợp lệ (chứng thư số, chuỗi chứng thực hoặc dấu thời gian); tài liệu chưa được lưu trữ.", err)
	}
	info, err := h.Objects.PutNew(ctx, storage.Archive, key, bytes.NewReader(signed), int64(len(signed)), "application/pdf")
	if errors.Is(err, storage.ErrExists) {
		// Another attempt at this document archived first; its file is the one kept.
		f, err := h.adopt(ctx, key, unsigned)
		if err != nil {
			return err
		}
		return h.Records.SetSigned(ctx, doc.ID, f)
	}
	if err != nil {
		return err
	}
	return h.Records.SetSigned(ctx, doc.ID, storage.SignedFile{Key: key, VersionID: info.VersionID, SHA256: sum(signed)})
}

// adopt returns the file at key in the archive if it is this signer's signature over unsigned;
// ErrNotFound when there is none; a fault.Conflict, leaving it as it is, when it is another file.
func (h *Handlers) adopt(ctx context.Context, key string, unsigned []byte) (storage.SignedFile, error) {
	info, err := h.Objects.Stat(ctx, storage.Archive, key)
	if err != nil {
		return storage.SignedFile{}, err
	}
	signed, err := h.read(ctx, storage.Archive, key)
	if err != nil {
		return storage.SignedFile{}, err
	}
	if err := h.Signer.CheckOwn(ctx, signed, unsigned); err != nil {
		h.Log.Error("the archive holds a file that is not this document's at its key; it is left as it is",
			"key", key, "error", err)
		return storage.SignedFile{}, fault.E("adopt "+key, fault.Conflict, err)
	}
	return storage.SignedFile{Key: key, VersionID: info.VersionID, SHA256: sum(signed)}, nil
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
