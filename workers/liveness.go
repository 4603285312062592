package workers

import (
	"context"
	"log/slog"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// BeatInterval and DeadAfter are how often a worker beats and how long one may be silent before its
// work is taken over: long enough to ride out a slow database, short enough that a killed worker's
// pages are read again within seconds.
const (
	BeatInterval = 2 * time.Second
	DeadAfter    = 8 * time.Second
)

// Liveness beats this worker's heartbeat into the database and takes over the work of workers that
// stopped beating: each stage or page they were running gets a new generation and a new task, so a
// page a killed worker was reading is read again within seconds, not after Asynq's lease runs out
// and its recoverer passes (a minute or more).
//
// A worker takes over only after its own beats have gone through for DeadAfter without a break: when
// the database comes back from an outage every worker's last beat is old, and the live ones must be
// given the time to beat again before anyone is called dead.
type Liveness struct {
	Records   storage.Records
	Queue     Enqueuer
	Worker    storage.Worker
	Interval  time.Duration // between beats; a few seconds
	DeadAfter time.Duration // a worker not seen for this long is dead; several intervals
	Clock     clock.Clock
	Log       *slog.Logger

	beatingSince time.Time // of the current unbroken run of beats; zero after a failed one
}

// Beat records this worker as alive. Call it before serving tasks, so that no claim is ever made by
// a worker the database does not know (another would take it over at once).
func (l *Liveness) Beat(ctx context.Context) error {
	if err := l.Records.Heartbeat(ctx, l.Worker); err != nil {
		l.beatingSince = time.Time{}
		return err
	}
	if l.beatingSince.IsZero() {
		l.beatingSince = l.Clock.Now()
	}
	return nil
}

// Run beats and takes over until ctx ends, then records that this worker left, so that what it
// still claims is taken over at once rather than after DeadAfter.
func (l *Liveness) Run(ctx context.Context) error {
	defer func() {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := l.Records.Leave(lctx, l.Worker.ID); err != nil {
			l.Log.Warn("could not record this worker's leaving", "error", err)
		}
	}()
	every(ctx, l.Clock, l.Interval, func(ctx context.Context) { l.Once(ctx) })
	return nil
}

// Once beats, and takes over what dead workers left if this worker has been beating long enough. It
// returns how many pieces of work it took over.
func (l *Liveness) Once(ctx context.Context) int {
	if err := l.Beat(ctx); err != nil {
		if ctx.Err() == nil {
			l.Log.Warn("heartbeat failed", "error", err)
		}
		return 0
	}
	if l.Clock.Now().Sub(l.beatingSince) < l.DeadAfter {
		return 0
	}
	claims, err := l.Records.TakeOver(ctx, l.DeadAfter)
	if err != nil {
		if ctx.Err() == nil {
			l.Log.Warn("takeover of dead workers' work failed", "error", err)
		}
		return 0
	}
	for _, c := range claims {
		l.enqueue(ctx, c)
	}
	return len(claims)
}

// enqueue queues a taken-over claim in its document's lane. If that fails, the reconciler finds the
// document idle later.
func (l *Liveness) enqueue(ctx context.Context, c storage.Claim) {
	doc, err := l.Records.Document(ctx, c.Document)
	if err != nil {
		l.Log.Warn("could not read a document whose work was taken over; the reconciler will queue it", "document", c.Document, "error", err)
		return
	}
	p := PayloadOf(doc)
	p.Run, p.Page, p.Gen = c.Run, c.Page, c.Gen
	if c.Page > 0 {
		_, err = l.Queue.EnqueuePage(ctx, p)
	} else if s, perr := pipeline.Parse(c.Stage); perr != nil {
		err = perr
	} else {
		_, err = l.Queue.Enqueue(ctx, s, p)
	}
	if err != nil {
		l.Log.Warn("could not enqueue work taken over; the reconciler will", "document", c.Document, "stage", c.Stage, "page", c.Page, "error", err)
		return
	}
	l.Log.Info("took over the work of a dead worker", "document", c.Document, "stage", c.Stage, "page", c.Page, "gen", c.Gen)
}
