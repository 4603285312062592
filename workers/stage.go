package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// errFannedOut tells the stage wrapper that the stage's work continues in other tasks, the last of
// which finishes the stage: the wrapper must neither finish it nor enqueue the next.
var errFannedOut = errors.New("fanned out")

// attempt is what Asynq says of the try being made: retries before it, from 0, and the most allowed.
type attempt struct{ retried, maxRetry int }

func (h *Handlers) attemptOf(ctx context.Context) attempt {
	a := attempt{maxRetry: h.MaxRetry}
	a.retried, _ = asynq.GetRetryCount(ctx)
	if n, ok := asynq.GetMaxRetry(ctx); ok {
		a.maxRetry = n
	}
	return a
}

func (h *Handlers) stageTask(s pipeline.Stage, work func(context.Context, storage.Document) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		p, err := pipeline.DecodePayload(t.Payload())
		if err != nil {
			h.Log.Error("refusing a task whose payload is not sohoa's", "type", t.Type(), "error", err)
			return fmt.Errorf("%s: %w: %w", s, err, asynq.SkipRetry)
		}
		return h.runStage(ctx, s, work, p, h.attemptOf(ctx))
	}
}

// runStage wraps the work of s with its bookkeeping: it claims the attempt (dropping stale tasks),
// waits out an absent dependency in place, and on success records the stage as done before it
// enqueues the next one — in that order, so a crash in between leaves a document the reconciler finds
// and moves on.
func (h *Handlers) runStage(ctx context.Context, s pipeline.Stage, work func(context.Context, storage.Document) error, p pipeline.Payload, a attempt) error {
	c := storage.Claim{Document: p.DocumentID, Run: p.Run, Stage: string(s), Gen: p.Gen, Worker: h.Worker}
	log := h.Log.With("document", p.DocumentID, "run", p.Run, "stage", string(s), "gen", p.Gen)
	b, cancel := h.budget(ctx)
	defer cancel()
	if err := h.patiently(b.work, b.workUntil, log, "start", func(ctx context.Context) error { return h.Records.StartStage(ctx, c) }); err != nil {
		return h.notStarted(log, err)
	}
	var doc storage.Document
	start := h.Clock.Now()
	err := h.patiently(b.work, b.workUntil, log, string(s), func(ctx context.Context) error {
		var err error
		if doc, err = h.Records.Document(ctx, p.DocumentID); err != nil {
			return err
		}
		return work(ctx, doc)
	})
	took := h.Clock.Now().Sub(start)
	log.Info("stage ran", "seconds", took.Seconds(), "error", err)
	var split *stackSplit
	switch {
	case errors.Is(err, errFannedOut):
		// Not done yet: its last page tells the observer how long the stage took (runPage).
		return h.record(b, log, "hand off", func(ctx context.Context) error { return h.Records.HandOff(ctx, c) })
	case errors.As(err, &split):
		h.observe().StageDone(string(s), took)
		return h.finished(storage.StatusSplit, h.record(b, log, "split", func(ctx context.Context) error { return h.Records.Split(ctx, c, split.parts) }))
	case err != nil:
		return h.failed(b, log, c, a, interrupted(ctx, err), took)
	}
	h.observe().StageDone(string(s), took)
	next, more := s.Next()
	if !more {
		next = ""
	}
	if err := h.record(b, log, "finish", func(ctx context.Context) error { return h.Records.FinishStage(ctx, c, string(next)) }); err != nil || !more {
		return h.finished(storage.StatusDone, err)
	}
	h.enqueueNext(b, log, next, p)
	return nil
}

func (h *Handlers) observe() Observer { return observer(h.Observe) }

// finished tells the observer that a document ended its run with status, unless recording it
// failed (err, returned as it is).
func (h *Handlers) finished(status string, err error) error {
	if err == nil {
		h.observe().Finished(status)
	}
	return err
}

// budget is how a task's time is spent: the work may wait for dependencies until shortly before the
// task's deadline, and the bookkeeping after it until the deadline, or for a short grace when the work
// used it all, so that what was done is recorded. Times are on h.Clock; a task with no deadline of
// its own (a test) is given h.Patience.
type budget struct {
	work, book           context.Context
	workUntil, bookUntil time.Time
}

func (h *Handlers) budget(ctx context.Context) (budget, func()) {
	const reserve, grace = 15 * time.Second, 15 * time.Second
	now := h.Clock.Now()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = now.Add(h.patience() + reserve)
	}
	b := budget{work: ctx, book: context.WithoutCancel(ctx), workUntil: deadline.Add(-reserve), bookUntil: deadline.Add(grace)}
	if !ok {
		return b, func() {}
	}
	work, cancelWork := context.WithDeadline(ctx, b.workUntil)
	book, cancelBook := context.WithDeadline(b.book, b.bookUntil)
	b.work, b.book = work, book
	return b, func() { cancelWork(); cancelBook() }
}

func (h *Handlers) patience() time.Duration {
	if h.Patience > 0 {
		return h.Patience
	}
	return 2 * time.Minute
}

// notStarted answers for a task whose attempt could not be claimed.
func (h *Handlers) notStarted(log *slog.Logger, err error) error {
	switch {
	case errors.Is(err, storage.ErrStale):
		log.Info("dropping a stale task", "reason", err)
		return nil
	case errors.Is(err, storage.ErrNotFound):
		// Not this database's document: another deployment's task in our queues, or one left by a
		// database since made afresh. Asynq keeps it archived, visible, instead of it vanishing.
		log.Error("refusing a task for a document this database does not know; is another deployment using these queues?",
			"error", err)
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	log.Warn("could not start the stage; will retry", "error", err)
	return err
}

// record makes a bookkeeping write, waiting for the database as long as the task's time allows. A
// stale result means another attempt moved the document on: nothing is wrong. Any other failure is
// logged and goes back to Asynq, which counts it as an attempt and runs the task again.
func (h *Handlers) record(b budget, log *slog.Logger, what string, fn func(context.Context) error) error {
	err := h.patiently(b.book, b.bookUntil, log, what, fn)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrStale):
		log.Info("the document moved on meanwhile", "step", what, "reason", err)
		return nil
	}
	log.Error("could not record the stage; the task will run again", "step", what, "error", err)
	return fmt.Errorf("record %s: %w", what, err)
}

func (h *Handlers) enqueueNext(b budget, log *slog.Logger, next pipeline.Stage, p pipeline.Payload) {
	p.Gen, p.Page = 0, 0
	err := h.patiently(b.book, b.bookUntil, log, "enqueue "+string(next), func(ctx context.Context) error {
		_, err := h.Queue.Enqueue(ctx, next, p)
		return err
	})
	if err != nil {
		log.Warn("could not enqueue the next stage; the reconciler will", "next", string(next), "error", err)
	}
}

// failed records a failed attempt, which took took, and tells Asynq whether to retry it.
func (h *Handlers) failed(b budget, log *slog.Logger, c storage.Claim, a attempt, err error, took time.Duration) error {
	if errors.Is(err, fault.Interrupted) {
		log.Info("attempt interrupted; it will run again", "error", err)
		return err
	}
	final := pipeline.Final(err, a.retried, a.maxRetry)
	f := failureOf(pipeline.Stage(c.Stage), err)
	h.observe().StageFailed(c.Stage, f.Code, final, took)
	rerr := h.patiently(b.book, b.bookUntil, log, "record failure", func(ctx context.Context) error {
		return h.Records.FailStage(ctx, c, f, final)
	})
	if rerr != nil && !errors.Is(rerr, storage.ErrStale) {
		log.Error("could not record a failure", "error", rerr, "failure", err)
	}
	if final && rerr == nil {
		h.observe().Finished(storage.StatusFailed)
	}
	if final {
		log.Warn("stage failed for good", "code", f.Code, "error", err, "retried", a.retried)
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	log.Warn("stage failed, will retry", "code", f.Code, "error", err, "retried", a.retried)
	return err
}

// interrupted marks an error caused by the task being stopped (shutdown, its deadline) rather than
// by the work itself.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return fault.E("stage", fault.Interrupted, err)
	}
	return err
}
