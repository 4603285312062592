package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// Recognizer reads page images. child.Pool does it in child processes, so a Tesseract crash costs
// one page, not the worker.
type Recognizer interface {
	RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*ocr.Page, error)
	Close() error
}

// pageCrash is a page during which Tesseract died. Its message is what a person reads in the
// document's status; the child's own report goes to the log. It is not permanent: the crash may
// have been the machine's (the OOM killer), so the page is retried before the document fails.
type pageCrash struct {
	page  int
	crash *child.CrashError
}

func (e *pageCrash) Error() string {
	return fmt.Sprintf("Tesseract dừng đột ngột khi đọc trang %d (%s)", e.page, e.crash.Status())
}

func (e *pageCrash) Unwrap() error { return e.crash }

// errFannedOut tells the stage wrapper that the stage's work continues in other tasks, the last of
// which finishes the stage: the wrapper must neither finish it nor enqueue the next.
var errFannedOut = errors.New("fanned out")

// ocr fans the stage out: one page task per page not yet read, so a long dossier's pages are read
// by every worker at once. Running it again (a retry, the reconciler) enqueues only what is missing;
// tasks still queued or running keep their IDs and are left alone.
func (h *Handlers) ocr(ctx context.Context, doc storage.Document) error {
	pages, err := h.Records.Pages(ctx, doc.ID)
	if err != nil {
		return err
	}
	if len(pages) == 0 {
		return pipeline.Permanent(fmt.Errorf("document %s has no pages to read", doc.ID))
	}
	for _, pg := range pages {
		if pg.OCRKey != "" {
			continue
		}
		p := pipeline.Payload{DocumentID: doc.ID, Run: doc.Run, Page: pg.N}
		if err := h.Queue.EnqueuePage(ctx, p); err != nil {
			return err
		}
	}
	return errFannedOut
}

// page reads one page. The task that records the last page finishes the OCR stage and enqueues the
// next one; a page that fails for good fails the document.
func (h *Handlers) page(ctx context.Context, t *asynq.Task) error {
	p, err := pipeline.DecodePayload(t.Payload())
	if err != nil || p.Page < 1 {
		return fmt.Errorf("ocr page task: %v: %w", err, asynq.SkipRetry)
	}
	log := h.Log.With("document", p.DocumentID, "run", p.Run, "page", p.Page)
	if err := h.Records.StartPage(ctx, p.DocumentID, p.Run, p.Page); err != nil {
		if errors.Is(err, storage.ErrStale) || errors.Is(err, storage.ErrNotFound) {
			log.Info("dropping a stale page task", "reason", err)
			return nil
		}
		return err
	}
	start := time.Now()
	res, key, err := h.recognize(ctx, p)
	log.Info("page read", "seconds", time.Since(start).Seconds(), "error", err)
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	var crash *child.CrashError
	switch {
	case errors.As(err, &crash):
		log.Warn("tesseract crashed on the page", "pid", crash.PID, "status", crash.Status(), "stderr", crash.Stderr)
		return h.failed(bctx, log, pipeline.OCR, p, &pageCrash{page: p.Page, crash: crash})
	case err != nil:
		return h.failed(bctx, log, pipeline.OCR, p, fmt.Errorf("trang %d: %w", p.Page, err))
	}
	next, _ := pipeline.OCR.Next()
	finished, err := h.Records.PageRecognized(bctx, p.DocumentID, p.Run, p.Page, key, res.Text, res.Confidence, string(next))
	if errors.Is(err, storage.ErrStale) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record page %d of %s: %w", p.Page, p.DocumentID, err)
	}
	if finished {
		if err := h.Queue.Enqueue(bctx, next, pipeline.Payload{DocumentID: p.DocumentID, Run: p.Run}); err != nil {
			log.Warn("could not enqueue the next stage; the reconciler will", "next", string(next), "error", err)
		}
	}
	return nil
}

// recognize reads the page image, runs OCR and stores the words and boxes for the PDF stage.
func (h *Handlers) recognize(ctx context.Context, p pipeline.Payload) (*ocr.Page, string, error) {
	pages, err := h.Records.Pages(ctx, p.DocumentID)
	if err != nil {
		return nil, "", err
	}
	if p.Page > len(pages) {
		return nil, "", pipeline.Permanent(fmt.Errorf("document %s has no page %d", p.DocumentID, p.Page))
	}
	pg := pages[p.Page-1]
	img, err := h.read(ctx, storage.Work, pg.ImageKey)
	if err != nil {
		return nil, "", err
	}
	res, err := h.OCR.RecognizeDPI(ctx, img, pg.DPIX)
	if err != nil {
		return nil, "", err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return nil, "", err
	}
	key := ocrKey(p.DocumentID, p.Page)
	if _, err := h.Objects.Put(ctx, storage.Work, key, bytes.NewReader(body), int64(len(body)), "application/json"); err != nil {
		return nil, "", err
	}
	return res, key, nil
}
