package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// Reconciler puts back into Redis the work PostgreSQL says is pending: documents received or
// processing that have not changed for a while. Enqueueing is idempotent by task ID, so a task that
// is still alive is left alone; one that Redis lost (it keeps nothing on disk) or that was never
// enqueued is created again. This is what keeps a document from staying "processing" forever.
type Reconciler struct {
	Records  storage.Records
	Queue    Enqueuer
	Interval time.Duration
	Idle     time.Duration // how long a pending document must be unchanged before it is checked
	Clock    clock.Clock
	Log      *slog.Logger
}

// Run reconciles at once (a restart after Redis lost everything must not wait an interval), then
// every interval until ctx ends.
func (r *Reconciler) Run(ctx context.Context) error {
	every(ctx, r.Clock, r.Interval, func(ctx context.Context) { r.Once(ctx) })
	return nil
}

// Once makes one pass and returns how many tasks it created: those Redis had lost.
func (r *Reconciler) Once(ctx context.Context) int {
	docs, err := r.Records.Pending(ctx, r.Idle, 500)
	if err != nil {
		if ctx.Err() == nil {
			r.Log.Warn("reconcile: pending documents", "error", err)
		}
		return 0
	}
	n := 0
	for _, d := range docs {
		s, err := pipeline.Parse(d.Stage)
		if err != nil {
			r.Log.Error("document at an unknown stage", "document", d.ID, "stage", d.Stage)
			continue
		}
		p := PayloadOf(d)
		p.Gen = d.Gen
		created, err := r.Queue.Enqueue(ctx, s, p)
		if err != nil {
			r.Log.Warn("reconcile: enqueue", "document", d.ID, "stage", d.Stage, "error", err)
			continue
		}
		if created {
			r.Log.Info("re-enqueued a lost task", "document", d.ID, "stage", d.Stage, "run", d.Run)
			n++
		}
	}
	return n
}
