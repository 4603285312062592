package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/storage"
)

// rendered is the history action of a PDF whose pages were not scans: they were drawn as images to
// be read and archived.
const rendered = "pdf.rendered"

// ingest looks at what the original is, then turns it into page images. A scan's pages are taken out
// as they are; a born-digital PDF's pages are drawn at 300 dpi. A signed PDF is kept byte for byte
// for the archive, and when it is born-digital its pages' own text is what is indexed: it is the
// signed text, and better than a reading of it.
func (h *Handlers) ingest(ctx context.Context, doc storage.Document) error {
	if doc.Size > h.Limits.MaxBytes {
		return &scan.InputError{Code: scan.CodeTooLarge,
			Message: fmt.Sprintf("Tệp %d MB vượt giới hạn %d MB.", doc.Size>>20, h.Limits.MaxBytes>>20)}
	}
	data, err := h.original(ctx, doc)
	if err != nil {
		return err
	}
	info, err := h.Scan.Inspect(ctx, data, h.Limits)
	if err != nil {
		return fmt.Errorf("inspect %s: %w", doc.ID, err)
	}
	if info.Signed {
		if err := h.keepSignatures(ctx, doc, data); err != nil {
			return err
		}
	}
	pages, texts, err := h.pagesOf(ctx, doc, data, info)
	if err != nil {
		return err
	}
	if plan := planStack(pages); plan != nil && !info.Signed {
		return h.splitStack(ctx, doc, pages, plan)
	}
	rows := make([]storage.Page, len(pages))
	for i, p := range pages {
		n := i + 1
		key := pageKey(doc.ID, n, string(p.Format))
		if _, err := h.Objects.Put(ctx, storage.Work, key, bytes.NewReader(p.Image), int64(len(p.Image)), "image/"+string(p.Format)); err != nil {
			return fmt.Errorf("store page %d of %s: %w", n, doc.ID, err)
		}
		if i < len(texts) {
			if err := h.storeText(ctx, doc, n, p, texts[i]); err != nil {
				return err
			}
		}
		rows[i] = storage.Page{N: n, ImageKey: key, Format: string(p.Format), Width: p.Width, Height: p.Height, DPIX: p.DPIX, DPIY: p.DPIY}
	}
	return h.Records.SetPages(ctx, doc.ID, rows)
}

// pagesOf returns the page images of data and, for a signed born-digital PDF, the pages' own text.
func (h *Handlers) pagesOf(ctx context.Context, doc storage.Document, data []byte, info scan.Inspection) ([]scan.Page, []string, error) {
	if info.Kind == scan.Scanned {
		pages, err := h.Scan.Split(ctx, data, h.Limits)
		if err != nil {
			return nil, nil, fmt.Errorf("split %s: %w", doc.ID, err)
		}
		return pages, nil, nil
	}
	pages, err := h.Scan.Render(ctx, data, h.Limits, scan.RenderOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("render %s: %w", doc.ID, err)
	}
	if !info.Signed {
		// Its archive copy is a PDF/A of the drawn pages with the text OCR reads on them: the
		// original's fonts and vector content are not carried into PDF/A, so the history says so.
		return pages, nil, h.logOnce(ctx, storage.Event{Actor: actorSohoa, Action: rendered, DocumentID: doc.ID,
			Detail: map[string]any{"reason": "Tệp PDF không phải ảnh quét: các trang được dựng thành ảnh 300 dpi để nhận dạng chữ và lưu trữ PDF/A."}})
	}
	texts, err := h.Scan.Text(ctx, data, h.Limits)
	if err != nil {
		return nil, nil, fmt.Errorf("text of %s: %w", doc.ID, err)
	}
	return pages, texts, nil
}

// storeText stores a page's own text where the OCR stage looks for a page already read in this run,
// so that the page is recorded without being read.
func (h *Handlers) storeText(ctx context.Context, doc storage.Document, n int, p scan.Page, text string) error {
	body, err := json.Marshal(ocr.Page{Width: p.Width, Height: p.Height, Text: text, Confidence: 100})
	if err != nil {
		return err
	}
	_, err = h.Objects.Put(ctx, storage.Work, ocrKey(doc.ID, doc.Run, n), bytes.NewReader(body), int64(len(body)), "application/json")
	return err
}

// read loads a whole object; stages that need random access to a file of bounded size use it.
func (h *Handlers) read(ctx context.Context, b storage.Bucket, key string) ([]byte, error) {
	r, err := h.Objects.Get(ctx, b, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return data, nil
}
