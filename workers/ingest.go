package workers

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// ingest validates the original and splits it into page images.
func (h *Handlers) ingest(ctx context.Context, doc storage.Document) error {
	if doc.Size > h.Limits.MaxBytes {
		return pipeline.Permanent(&scan.InputError{Code: scan.CodeTooLarge,
			Message: fmt.Sprintf("Tệp %d MB vượt giới hạn %d MB.", doc.Size>>20, h.Limits.MaxBytes>>20)})
	}
	data, err := h.read(ctx, storage.Work, doc.OriginalKey)
	if err != nil {
		return err
	}
	pages, err := h.Scan.Split(ctx, data, h.Limits)
	if err != nil {
		if scan.IsInputError(err) {
			return pipeline.Permanent(err)
		}
		return fmt.Errorf("split %s: %w", doc.ID, err)
	}
	if err := h.keepSignatures(ctx, doc, data); err != nil {
		return err
	}
	rows := make([]storage.Page, len(pages))
	for i, p := range pages {
		n := i + 1
		key := pageKey(doc.ID, n, string(p.Format))
		if _, err := h.Objects.Put(ctx, storage.Work, key, bytes.NewReader(p.Image), int64(len(p.Image)), "image/"+string(p.Format)); err != nil {
			return fmt.Errorf("store page %d of %s: %w", n, doc.ID, err)
		}
		rows[i] = storage.Page{N: n, ImageKey: key, Format: string(p.Format), Width: p.Width, Height: p.Height, DPIX: p.DPIX, DPIY: p.DPIY}
	}
	return h.Records.SetPages(ctx, doc.ID, rows)
}

// keepSignatures notes a PDF that arrives signed, so that later stages keep it byte for byte and
// sign over it incrementally instead of rebuilding it, which would destroy its signatures. Its
// signatures are verified here for the log; the archived file's verification shows them again.
func (h *Handlers) keepSignatures(ctx context.Context, doc storage.Document, data []byte) error {
	if f, _ := scan.Sniff(data); f != scan.PDF {
		return nil
	}
	signed, err := verify.HasSignature(bytes.NewReader(data), int64(len(data)))
	if err != nil || !signed {
		return nil // an unreadable signature dictionary is not a signature to keep
	}
	report, err := verify.File(ctx, bytes.NewReader(data), int64(len(data)), h.Roots)
	if err != nil {
		h.Log.Warn("signed original: signatures unreadable", "document", doc.ID, "error", err)
	} else {
		h.Log.Info("signed original", "document", doc.ID, "signatures", len(report.Signatures), "valid", report.Valid, "problems", report.Err())
	}
	return h.Records.MarkSignedOriginal(ctx, doc.ID)
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
