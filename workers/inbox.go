package workers

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/storage"
)

// Watcher ingests what scanner stations put straight into the inbox bucket with any S3 client. It
// subscribes the store's notification target to the inbox where one is configured (the events then
// arrive through the API's /api/v1/inbox/events), and sweeps the inbox periodically in any case, so a
// missed notification, or a plain S3 store with none, only delays a file by one interval. The sweep
// also abandons uploads a crash left half-done, which would otherwise hold their parts for ever.
type Watcher struct {
	Intake    *Intake
	Notifier  storage.Notifier // optional
	TargetARN string           // the notification target; empty: sweep only
	Interval  time.Duration    // between sweeps
	// Orphan is how old an API upload left in the inbox (or a multipart upload never completed) must
	// be before the sweep takes it: younger ones are still being streamed by the API itself.
	Orphan time.Duration
	Clock  clock.Clock
	Log    *slog.Logger
}

// Run sweeps at once, then every interval until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	if w.Notifier != nil && w.TargetARN != "" {
		go w.subscribe(ctx)
	}
	every(ctx, w.Clock, w.Interval, w.Sweep)
	return nil
}

// Sweep ingests every object in the inbox, except API uploads still in flight, and abandons
// incomplete multipart uploads older than Orphan.
func (w *Watcher) Sweep(ctx context.Context) {
	for o, err := range w.Intake.Objects.List(ctx, storage.Inbox, "") {
		if err != nil {
			if ctx.Err() == nil {
				w.Log.Warn("inbox sweep", "error", err)
			}
			return
		}
		if strings.HasPrefix(o.Key, apiPrefix) && w.Clock.Now().Sub(o.LastModified) < w.Orphan {
			continue
		}
		w.ingest(ctx, o.Key, "sweep")
	}
	n, err := w.Intake.Objects.AbortUploads(ctx, storage.Inbox, w.Orphan)
	switch {
	case err != nil && ctx.Err() == nil:
		w.Log.Warn("could not abandon incomplete uploads", "error", err)
	case n > 0:
		w.Log.Info("abandoned incomplete uploads a crash left in the inbox", "uploads", n)
	}
}

// subscribe retries until the store accepts the subscription: a MinIO server registers its targets
// a moment after it reports ready, and may be started after sohoa.
func (w *Watcher) subscribe(ctx context.Context) {
	delay := time.Second
	for {
		err := w.Notifier.NotifyCreated(ctx, storage.Inbox, w.TargetARN)
		if err == nil {
			w.Log.Info("inbox notifications on", "target", w.TargetARN)
			return
		}
		if delay >= 8*time.Second {
			w.Log.Warn("inbox notifications not available yet; sweeping meanwhile", "target", w.TargetARN, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-w.Clock.After(delay):
		}
		delay = min(2*delay, 5*time.Minute)
	}
}

func (w *Watcher) ingest(ctx context.Context, key, source string) {
	doc, created, err := w.Intake.IngestObject(ctx, key, source)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		// A notification and a sweep may race for one object; the loser finds it gone.
		w.Log.Debug("inbox object already taken", "key", key, "source", source)
	case err != nil && ctx.Err() == nil:
		w.Log.Warn("inbox object not ingested; the next sweep tries again", "key", key, "source", source, "error", err)
	case err == nil && !created:
		w.Log.Info("inbox object was already a document", "key", key, "document", doc.ID)
	}
}
