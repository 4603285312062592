package workers

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// Watcher ingests what scanner stations put straight into the inbox bucket with any S3 client. It
// listens for notifications where the store offers them, and sweeps the inbox periodically in any
// case, so a missed notification (or a plain S3 store with none) only delays a file by one interval.
type Watcher struct {
	Intake   *Intake
	Notifier storage.Notifier // optional
	Interval time.Duration    // between sweeps
	// Orphan is how old an API upload left in the inbox must be before the sweep takes it: younger
	// ones are still being streamed and registered by the API itself.
	Orphan time.Duration
	Log    *slog.Logger
}

// Run watches until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	if w.Notifier != nil {
		go w.listen(ctx)
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		w.Sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Sweep ingests every object in the inbox, except API uploads still in flight.
func (w *Watcher) Sweep(ctx context.Context) {
	for o, err := range w.Intake.Objects.List(ctx, storage.Inbox, "") {
		if err != nil {
			if ctx.Err() == nil {
				w.Log.Warn("inbox sweep", "error", err)
			}
			return
		}
		if strings.HasPrefix(o.Key, apiPrefix) && time.Since(o.LastModified) < w.Orphan {
			continue
		}
		w.ingest(ctx, o.Key, "sweep")
	}
}

func (w *Watcher) listen(ctx context.Context) {
	for ctx.Err() == nil {
		keys, errs := w.Notifier.Created(ctx, storage.Inbox)
		for key := range keys {
			if !strings.HasPrefix(key, apiPrefix) {
				w.ingest(ctx, key, "notification")
			}
		}
		if err := <-errs; err != nil {
			w.Log.Warn("inbox notifications stopped; sweeping only until they are back", "error", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.Interval):
		}
	}
}

func (w *Watcher) ingest(ctx context.Context, key, source string) {
	doc, created, err := w.Intake.IngestObject(ctx, key, source)
	switch {
	case err != nil && ctx.Err() == nil:
		// A notification and a sweep may race for one object; the loser finds it gone.
		w.Log.Debug("inbox object not ingested", "key", key, "source", source, "error", err)
	case err == nil && !created:
		w.Log.Info("inbox object was already a document", "key", key, "document", doc.ID)
	}
}
