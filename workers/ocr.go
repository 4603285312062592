package workers

import (
	"context"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/storage"
)

// ocr fans the stage out: one page task per page not yet read, so a long dossier's pages are read
// by every worker at once. Running it again (a retry, the reconciler) enqueues only what is missing;
// tasks still queued or running keep their IDs and are left alone.
func (h *Handlers) ocr(ctx context.Context, doc storage.Document) error {
	pages, err := h.Records.Pages(ctx, doc.ID)
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		return fault.E("ocr", fault.Refused, fmt.Errorf("document %s has no pages to read", doc.ID))
	}
	for _, pg := range pages {
		if pg.OCRKey != "" {
			continue
		}
		p := PayloadOf(doc)
		p.Page, p.Gen = pg.N, pg.Gen
		if _, err := h.Queue.EnqueuePage(ctx, p); err != nil {
			return err
		}
	}
	return errFannedOut
}
