// Package backlog imports a folder of scans made before sohoa — a historical backlog of results to
// digitize — into the bulk lane (`sohoa import DIR`). Every file under the folder, in name order, is
// sent through the HTTP API by a few senders at once, asking for lane=bulk, so that the import waits
// behind every person at the counter and takes its turn beside other agencies' backlogs. A file the
// server refuses is reported with its Vietnamese reason and the rest go on; a failure that is not the
// file's (the network, a busy or restarting server) is tried again with the stations' backoff. Running
// the same import again creates no document twice: the server keeps one document per SHA-256 and
// answers the existing one.
package backlog

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/station"
)

// Uploader sends a file and reads a document back (station.Client with Lane "bulk").
type Uploader interface {
	Upload(ctx context.Context, path, name string) (station.Sent, error)
	Document(ctx context.Context, id string) (station.Document, error)
}

// Config is one import.
type Config struct {
	Dir      string
	Parallel int // senders at once; 0 means 2
	// Attempts bounds the tries of one file whose failures are not its own; 0 means 8 (about four
	// minutes of backoff): a server away longer than that is an outage to fix, not to wait out.
	Attempts int
	// Follow, when set, waits up to this long after sending for every document to be done or failed.
	Follow time.Duration
	Clock  clock.Clock
	Log    *slog.Logger
}

// Result is what became of one file.
type Result struct {
	Path     string // under Dir
	Document station.Document
	Created  bool             // a new document; false: the same bytes were already there
	Refused  *station.Refused // the server refused the file: sending it again cannot help
	Err      error            // sending failed, Attempts times
}

// Import sends every candidate file under cfg.Dir (station.Candidate: no hidden, temporary or receipt
// files) and reports each result as it comes, then, with Follow, each document's final state. It
// returns the results in name order; an error only when the folder cannot be read or ctx ends.
func Import(ctx context.Context, up Uploader, cfg Config, report func(Result)) ([]Result, error) {
	files, err := list(cfg.Dir)
	if err != nil {
		return nil, err
	}
	results := make([]Result, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range max(cfg.Parallel, 1) {
		wg.Go(func() {
			for i := range next {
				r := send(ctx, up, cfg, files[i])
				mu.Lock()
				results[i] = r
				report(r)
				mu.Unlock()
			}
		})
	}
feed:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return results, err
	}
	if cfg.Follow > 0 {
		return results, follow(ctx, up, cfg, results)
	}
	return results, nil
}

// list returns the candidate files under dir, relative to it, in name order.
func list(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != dir && !station.Candidate(d.Name()):
			return filepath.SkipDir // hidden folders: .git, a station's own state
		case !d.Type().IsRegular() || !station.Candidate(d.Name()):
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		out = append(out, rel)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list the backlog in %s: %w", dir, err)
	}
	slices.Sort(out)
	return out, nil
}

// send uploads one file, trying again while its failures are not its own.
func send(ctx context.Context, up Uploader, cfg Config, rel string) Result {
	attempts := cfg.Attempts
	if attempts <= 0 {
		attempts = 8
	}
	r := Result{Path: rel}
	for n := 1; ; n++ {
		sent, err := up.Upload(ctx, filepath.Join(cfg.Dir, rel), filepath.Base(rel))
		var refused *station.Refused
		var transient *station.Transient
		switch {
		case err == nil:
			r.Document, r.Created = sent.Document, sent.Created
			return r
		case errors.As(err, &refused):
			r.Refused = refused
			return r
		case !errors.As(err, &transient) || n >= attempts || ctx.Err() != nil:
			r.Err = err
			return r
		}
		wait := max(station.Backoff(n), transient.RetryAfter)
		cfg.Log.Warn("import: sending again later", "file", rel, "attempt", n, "after", wait, "error", err)
		select {
		case <-ctx.Done():
			r.Err = ctx.Err()
			return r
		case <-cfg.Clock.After(wait):
		}
	}
}

// follow reads the sent documents again until each is final or cfg.Follow has passed, updating
// results in place.
func follow(ctx context.Context, up Uploader, cfg Config, results []Result) error {
	deadline := cfg.Clock.Now().Add(cfg.Follow)
	for {
		waiting := 0
		for i := range results {
			r := &results[i]
			if r.Document.ID == "" || r.Document.Final() {
				continue
			}
			d, err := up.Document(ctx, r.Document.ID)
			if err != nil {
				cfg.Log.Warn("import: could not read a document", "document", r.Document.ID, "error", err)
				waiting++
				continue
			}
			if r.Document = d; !d.Final() {
				waiting++
			}
		}
		if waiting == 0 || !cfg.Clock.Now().Before(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-cfg.Clock.After(2 * time.Second):
		}
	}
}
