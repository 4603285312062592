// Package workers runs the pipeline: one Asynq handler per stage, each doing its one job through a
// focused package (scan, ocr, pdfa, code, sign) and recording what happened in storage; and the
// background components that feed it: the intake of uploads, the inbox watcher, and the reconciler
// that re-enqueues whatever Redis lost.
package workers

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// Handlers holds what the stage handlers need. Build it with its fields set, then Register it.
type Handlers struct {
	Records  storage.Records
	Dossiers storage.Dossiers
	Objects  storage.Objects
	Queue    *Queue
	Log      *slog.Logger

	Scan       scan.Splitter // cage.Pool in production: a decoder's crash or bomb costs one file
	Limits     scan.Limits
	Agency     string         // the agency's QCVN 102 identifier, for codes
	AgencyName string         // the PDF's author
	Signer     *sign.Signer   // the agency's signing key and certificate chain
	Roots      *x509.CertPool // what incoming signatures are verified against; nil: the system's
	OCR        Recognizer     // child.Pool in production: a Tesseract crash costs one page
}

// Register adds a handler for every stage to mux.
func (h *Handlers) Register(mux *asynq.ServeMux) {
	stages := map[pipeline.Stage]func(context.Context, storage.Document) error{
		pipeline.Ingest: h.ingest,
		pipeline.OCR:    h.ocr,
		pipeline.PDFA:   h.pdfa,
		pipeline.Code:   h.code,
		pipeline.Sign:   h.sign,
		pipeline.Index:  h.index,
	}
	for _, s := range pipeline.Stages() {
		mux.HandleFunc(s.TaskType(), h.stage(s, stages[s]))
	}
	mux.HandleFunc(pipeline.PageTaskType, h.page)
}

// stage wraps the work of s with its bookkeeping: it drops stale tasks, records the attempt, and on
// success records the stage as done before it enqueues the next one — in that order, so a crash in
// between leaves a document the reconciler finds and moves on.
func (h *Handlers) stage(s pipeline.Stage, work func(context.Context, storage.Document) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		p, err := pipeline.DecodePayload(t.Payload())
		if err != nil {
			return fmt.Errorf("%s: %v: %w", s, err, asynq.SkipRetry)
		}
		log := h.Log.With("document", p.DocumentID, "run", p.Run, "stage", string(s))
		if err := h.Records.StartStage(ctx, p.DocumentID, p.Run, string(s)); err != nil {
			if errors.Is(err, storage.ErrStale) || errors.Is(err, storage.ErrNotFound) {
				log.Info("dropping a stale task", "reason", err)
				return nil
			}
			return fmt.Errorf("%s of %s: %w", s, p.DocumentID, err)
		}
		doc, err := h.Records.Document(ctx, p.DocumentID)
		if err == nil {
			start := time.Now()
			err = work(ctx, doc)
			log.Info("stage ran", "seconds", time.Since(start).Seconds(), "error", err)
		}
		// Bookkeeping must outlive a stage that ran into its own deadline.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		if errors.Is(err, errFannedOut) {
			return nil
		}
		if err != nil {
			return h.failed(bctx, log, s, p, err)
		}
		next, more := s.Next()
		if !more {
			next = ""
		}
		if err := h.Records.FinishStage(bctx, p.DocumentID, p.Run, string(s), string(next)); err != nil {
			if errors.Is(err, storage.ErrStale) {
				return nil
			}
			return fmt.Errorf("record %s of %s done: %w", s, p.DocumentID, err)
		}
		if more {
			if err := h.Queue.Enqueue(bctx, next, p); err != nil {
				log.Warn("could not enqueue the next stage; the reconciler will", "next", string(next), "error", err)
			}
		}
		return nil
	}
}

func (h *Handlers) failed(ctx context.Context, log *slog.Logger, s pipeline.Stage, p pipeline.Payload, err error) error {
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, ok := asynq.GetMaxRetry(ctx)
	if !ok {
		maxRetry = pipeline.MaxRetry
	}
	final := pipeline.Final(err, retried, maxRetry)
	if ferr := h.Records.FailStage(ctx, p.DocumentID, p.Run, string(s), Reason(err), final); ferr != nil && !errors.Is(ferr, storage.ErrStale) {
		log.Error("could not record a failure", "error", ferr, "failure", err)
	}
	if final {
		log.Warn("stage failed for good", "error", err)
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	log.Warn("stage failed, will retry", "error", err, "retried", retried)
	return err
}

// Reason is the text a person reads about a failure: the Vietnamese message of a bad input, with its
// stable code, or the error itself.
func Reason(err error) string {
	var in *scan.InputError
	if errors.As(err, &in) {
		return fmt.Sprintf("%s (%s)", in.Message, in.Code)
	}
	return err.Error()
}
