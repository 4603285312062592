package station

import (
	"context"
	"errors"
	"io/fs"
	"time"
)

// follow asks, gently, about the documents of the receipts the journal follows, and rewrites each
// receipt as its document gets a code and a final status: the first ask 5 s after the upload, then
// twice as long each time up to 5 minutes, until the document is done or failed or Config.Follow
// has passed since the upload.
func (a *Agent) follow(ctx context.Context) {
	for a.sleep(ctx, a.followOnce(ctx), time.Minute, a.followUp) {
	}
}

// followOnce asks about every followed receipt that is due and returns when the next one is.
func (a *Agent) followOnce(ctx context.Context) time.Time {
	var next time.Time
	for _, j := range a.journals() {
		follows, err := j.Follows()
		if err != nil {
			a.log.Warn("cannot read the receipts followed", "err", err)
			continue
		}
		for _, fl := range follows {
			if ctx.Err() != nil {
				return next
			}
			if fl.Next.After(a.clock.Now()) {
				next = earliest(next, fl.Next)
				continue
			}
			if fl, keep := a.followStep(ctx, j, fl); keep {
				next = earliest(next, fl.Next)
			}
		}
	}
	return next
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// followStep asks about one document; it returns the follow as it goes on, or keep false when it is
// over.
func (a *Agent) followStep(ctx context.Context, j *Journal, fl Follow) (Follow, bool) {
	stop := func() (Follow, bool) {
		if err := j.DeleteFollow(fl.Receipt); err != nil {
			a.log.Warn("journal", "err", err)
		}
		return fl, false
	}
	r, err := ReadReceipt(fl.Receipt)
	if errors.Is(err, fs.ErrNotExist) {
		return stop() // someone took the receipt away
	}
	if err != nil {
		a.log.Warn("cannot read a receipt", "receipt", fl.Receipt, "err", err)
		return stop()
	}
	now := a.clock.Now()
	d, err := a.api.Document(ctx, fl.DocumentID)
	if err == nil && (d.Code != r.Code || d.Status != r.Status || d.Error != r.Error) {
		r.Code, r.Status, r.Error, r.ErrorCode = d.Code, d.Status, d.Error, d.ErrorCode
		if err := WriteReceipt(fl.Receipt, r); err != nil {
			a.log.Warn("cannot rewrite a receipt", "receipt", fl.Receipt, "err", err)
		} else {
			a.log.Info("receipt updated", "receipt", fl.Receipt, "document", d.ID, "status", d.Status, "code", d.Code)
		}
	}
	if err != nil {
		a.log.Debug("cannot ask about a document", "document", fl.DocumentID, "err", err)
	}
	if err == nil && d.Final() {
		return stop()
	}
	if now.After(fl.Until) {
		a.log.Info("receipt no longer followed", "receipt", fl.Receipt, "status", r.Status, "code", r.Code)
		return stop()
	}
	fl.Next = now.Add(fl.Interval)
	fl.Interval = min(2*fl.Interval, 5*time.Minute)
	if err := j.PutFollow(fl); err != nil {
		a.log.Warn("journal", "err", err)
	}
	return fl, true
}

// journals returns the distinct journals of the folders.
func (a *Agent) journals() []*Journal {
	var out []*Journal
	seen := map[*Journal]bool{}
	for _, f := range a.folders {
		if !seen[f.journal] {
			seen[f.journal] = true
			out = append(out, f.journal)
		}
	}
	return out
}
