package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

func (h *Handlers) pageTask(ctx context.Context, t *asynq.Task) error {
	p, err := pipeline.DecodePayload(t.Payload())
	if err != nil || p.Page < 1 {
		h.Log.Error("refusing a page task whose payload is not sohoa's", "error", err, "payload", string(t.Payload()))
		return fmt.Errorf("ocr page task: %v: %w", err, asynq.SkipRetry)
	}
	return h.runPage(ctx, p, h.attemptOf(ctx))
}

// runPage reads one page. The task that records the last page finishes the OCR stage and enqueues
// the next one; a page that fails for good fails the document.
func (h *Handlers) runPage(ctx context.Context, p pipeline.Payload, a attempt) error {
	c := storage.Claim{Document: p.DocumentID, Run: p.Run, Stage: string(pipeline.OCR), Page: p.Page, Gen: p.Gen, Worker: h.Worker}
	log := h.Log.With("document", p.DocumentID, "run", p.Run, "page", p.Page, "gen", p.Gen)
	b, cancel := h.budget(ctx)
	defer cancel()
	if err := h.patiently(b.work, b.workUntil, log, "start page", func(ctx context.Context) error { return h.Records.StartPage(ctx, c) }); err != nil {
		return h.notStarted(log, err)
	}
	var res *ocr.Page
	var key string
	start := h.Clock.Now()
	err := h.patiently(b.work, b.workUntil, log, "read page", func(ctx context.Context) error {
		var err error
		res, key, err = h.recognize(ctx, log, p)
		return err
	})
	took := h.Clock.Now().Sub(start)
	log.Info("page read", "seconds", took.Seconds(), "error", err)
	if err != nil {
		return h.failed(b, log, c, a, pageError(ctx, log, p.Page, err), took)
	}
	next, _ := pipeline.OCR.Next()
	var finished bool
	err = h.record(b, log, "record page", func(ctx context.Context) error {
		var err error
		finished, err = h.Records.PageRecognized(ctx, c, storage.PageResult{OCRKey: key, Text: res.Text, Confidence: res.Confidence,
			Review: res.Confidence < h.MinConfidence}, string(next))
		return err
	})
	if err != nil || !finished {
		return err
	}
	h.observeOCR(b.book, log, p.DocumentID)
	h.enqueueNext(b, log, next, p)
	return nil
}

// observeOCR tells the observer how long the document's OCR stage took, from its start (the fan-out)
// to its last page read: what a person waits for, whichever workers read the pages. The times are
// the store's, so the workers' clocks need not agree.
func (h *Handlers) observeOCR(ctx context.Context, log *slog.Logger, id string) {
	stages, err := h.Records.Stages(ctx, id)
	if err != nil {
		log.Warn("could not read the OCR stage's times for the metrics", "error", err)
		return
	}
	for _, s := range stages {
		if s.Name == string(pipeline.OCR) && s.FinishedAt != nil {
			h.observe().StageDone(s.Name, s.FinishedAt.Sub(s.StartedAt))
		}
	}
}

// recognize reads the page image, runs OCR and stores the words and boxes for the PDF stage. A page
// this run has read already (its task was cut off before recording it: the database was away, the
// worker died) is taken from the store instead of being read again.
func (h *Handlers) recognize(ctx context.Context, log *slog.Logger, p pipeline.Payload) (*ocr.Page, string, error) {
	key := ocrKey(p.DocumentID, p.Run, p.Page)
	if body, err := h.read(ctx, storage.Work, key); err == nil {
		var res ocr.Page
		if err := json.Unmarshal(body, &res); err == nil {
			log.Info("page read before; its result is reused")
			return &res, key, nil
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, "", err
	}
	pages, err := h.Records.Pages(ctx, p.DocumentID)
	if err != nil {
		return nil, "", err
	}
	if p.Page > len(pages) {
		return nil, "", fault.E("read page", fault.Refused, fmt.Errorf("document %s has no page %d", p.DocumentID, p.Page))
	}
	pg := pages[p.Page-1]
	img, err := h.read(ctx, storage.Work, pg.ImageKey)
	if err != nil {
		return nil, "", err
	}
	start := h.Clock.Now()
	res, err := h.OCR.RecognizeDPI(ctx, img, pg.DPIX)
	if err != nil {
		return nil, "", err
	}
	h.observe().PageRead(h.Clock.Now().Sub(start), res.Confidence)
	body, err := json.Marshal(res)
	if err != nil {
		return nil, "", err
	}
	if _, err := h.Objects.Put(ctx, storage.Work, key, bytes.NewReader(body), int64(len(body)), "application/json"); err != nil {
		return nil, "", err
	}
	return res, key, nil
}

// pageError describes a page that could not be read. A Tesseract crash is told to the person, with
// the child's own report in the log; it is not final at once: the crash may have been the machine's
// (the OOM killer), so the page is retried before the document fails. A pool closed under the page
// (the worker stopping) interrupts it.
func pageError(ctx context.Context, log *slog.Logger, page int, err error) error {
	var crash *child.CrashError
	switch {
	case errors.As(err, &crash):
		log.Warn("tesseract crashed on the page", "pid", crash.PID, "status", crash.Status(), "stderr", crash.Stderr)
		return fault.Tell("read page", fault.Other, "ocr_crash",
			fmt.Sprintf("Bộ nhận dạng chữ dừng đột ngột khi đọc trang %d (%s).", page, crash.Status()), err)
	case errors.Is(err, child.ErrClosed):
		return fault.E("read page", fault.Interrupted, err)
	}
	return interrupted(ctx, fmt.Errorf("trang %d: %w", page, err))
}
