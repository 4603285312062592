// Package workers runs the pipeline: one Asynq handler per stage, each doing its one job through a
// focused package (scan, ocr, pdfa, code, sign) and recording what happened in storage; and the
// background components that feed and mend it, one per file: the intake of uploads, the inbox
// watcher, the reconciler that re-enqueues whatever Redis lost, and the liveness beat through which
// the work of a dead worker is taken over within seconds.
//
// Everything here depends on small interfaces (storage's stores, Enqueuer, Recognizer, scan.Parser,
// Signer, clock.Clock), so it is tested alone on the in-memory stores of storage/memory.
//
// Failures are handled by kind (internal/fault): a dependency that does not answer is waited for in
// the handler and then retried with backoff within the retry budget; a bad input or a refusal fails
// the document at once with a Vietnamese reason and a stable code; an interrupted attempt is run again
// without being recorded as a failure.
package workers

import (
	"context"
	"crypto/x509"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/retention"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// Enqueuer puts stage and page tasks into the queue (queue.Queue). Both report whether they created
// a task; one of the same ID already waiting or running is left alone and is not an error.
type Enqueuer interface {
	Enqueue(ctx context.Context, s pipeline.Stage, p pipeline.Payload) (bool, error)
	EnqueuePage(ctx context.Context, p pipeline.Payload) (bool, error)
}

// Recognizer reads page images. child.Pool does it in child processes, so a Tesseract crash costs
// one page, not the worker.
type Recognizer interface {
	RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*ocr.Page, error)
}

// Signer signs as the agency and recognises its own signatures.
type Signer interface {
	// Sign returns pdf signed, its visible block kept clear of avoid (page 1, PDF points).
	Sign(ctx context.Context, pdf []byte, avoid []sign.Rect) ([]byte, error)
	// CheckOwn returns nil only if signed is pdf with one signature of this signer appended, valid:
	// a fault.Conflict when it is another file, a fault.Refused when it is ours but does not hold.
	CheckOwn(ctx context.Context, signed, pdf []byte) error
}

// actorSohoa is who the workers' own events in the history are by.
const actorSohoa = "sohoa"

// AgencyTree is the tree of agencies (storage.Accounts).
type AgencyTree interface {
	Subtree(ctx context.Context, agency string) ([]string, error)
}

// Handlers holds what the stage handlers need. Build it with its fields set, then serve Tasks.
type Handlers struct {
	Records  storage.Records
	Dossiers storage.Dossiers
	Objects  storage.Objects
	// Agencies tells which dossiers a stack received by an agency may go into: those of the agency
	// and the agencies under it. nil: the agency's own only.
	Agencies AgencyTree
	Queue    Enqueuer
	Log      *slog.Logger
	Clock    clock.Clock
	Worker   string // this process's worker ID, as Liveness beats it

	Limits     scan.Limits
	Scan       scan.Parser // cage.Pool in production: a decoder's crash or bomb costs one file
	Agency     string      // the agency's QCVN 102 identifier, for codes
	AgencyName string      // the PDF's author
	Signer     Signer
	OCR        Recognizer
	// MinConfidence is the mean OCR confidence (0–100) below which a page read is recorded as
	// flagged for review (storage.Page.Review); 0 flags none.
	MinConfidence float64
	Roots         *x509.CertPool // what incoming signatures are verified against; nil: the system's
	// Retention gives each kind of paper its TT05 maintenance code and each code the lock of its
	// signed file in the archive.
	Retention retention.Policy

	// MaxRetry is how many times a task is retried before its document fails: pipeline.Retries of the
	// retry budget. Asynq tells the handlers the same number; this one serves tests and defaults.
	MaxRetry int
	// Patience bounds how long a handler waits in place for a dependency when its task has no
	// deadline of its own (tests); with one, it waits until shortly before the deadline.
	Patience time.Duration

	// Observe is told what the stages do, for metrics; nil observes nothing.
	Observe Observer
}

// Tasks returns the handler of every task type, for queue.NewServer.
func (h *Handlers) Tasks() map[string]asynq.HandlerFunc {
	stages := map[pipeline.Stage]func(context.Context, storage.Document) error{
		pipeline.Ingest: h.ingest,
		pipeline.OCR:    h.ocr,
		pipeline.Code:   h.code,
		pipeline.PDFA:   h.pdfa,
		pipeline.Sign:   h.sign,
		pipeline.Index:  h.index,
	}
	tasks := map[string]asynq.HandlerFunc{pipeline.PageTaskType: h.pageTask}
	for _, s := range pipeline.Stages() {
		tasks[s.TaskType()] = h.stageTask(s, stages[s])
	}
	return tasks
}
