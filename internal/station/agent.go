package station

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
)

// Config is what an agent is told.
type Config struct {
	Server   string   // sohoa's address, http(s)://host[:port]
	Dossier  string   // when set, every file goes into this dossier
	Dirs     []string // the watched folders
	State    string   // the state folder; empty: <dir>/.sohoa-station in each watched folder
	Stable   time.Duration
	Poll     time.Duration
	Report   time.Duration // heartbeat interval; 0: none
	Follow   time.Duration // how long a receipt is followed after its upload; 0: not at all
	Parallel int
	Delete   bool // delete sent files instead of moving them to done/ (the receipt stays)
	FSNotify bool // file system events as a nudge to the polling
	Version  string
	Host     string
	Grace    time.Duration // at a stop, how long uploads under way may take to finish
}

// API is what the agent needs of the server; *Client is one.
type API interface {
	Upload(ctx context.Context, path, name string) (Sent, error)
	Document(ctx context.Context, id string) (Document, error)
	Report(ctx context.Context, hb Heartbeat) error
}

// Agent watches its folders and uploads what appears in them.
type Agent struct {
	cfg     Config
	api     API
	clock   clock.Clock
	log     *slog.Logger
	mover   Mover
	folders []*folder
	health  *Health

	sem      chan struct{} // one token an upload under way
	workers  sync.WaitGroup
	changed  chan struct{} // counts changed: report soon
	followUp chan struct{} // a receipt to follow was added
}

type folder struct {
	dir     string
	journal *Journal
	tracker *Tracker
	wake    chan struct{}
}

// New checks cfg and returns an agent; it makes the state folders and replays nothing yet.
func New(cfg Config, api API, clk clock.Clock, log *slog.Logger) (*Agent, error) {
	if u, err := url.Parse(cfg.Server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server address %q: want http(s)://host[:port]", cfg.Server)
	}
	if len(cfg.Dirs) == 0 {
		return nil, errors.New("no folder to watch: give -dir DIR (or SOHOA_STATION_DIRS)")
	}
	if cfg.Stable <= 0 || cfg.Poll <= 0 {
		return nil, errors.New("-stable and -poll must be positive")
	}
	cfg.Parallel = max(cfg.Parallel, 1)
	a := &Agent{cfg: cfg, api: api, clock: clk, log: log, mover: Mover{Delete: cfg.Delete}, health: &Health{},
		sem: make(chan struct{}, cfg.Parallel), changed: make(chan struct{}, 1), followUp: make(chan struct{}, 1)}
	journals := map[string]*Journal{}
	for _, d := range cfg.Dirs {
		dir, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		if info, err := os.Stat(dir); err != nil || !info.IsDir() {
			return nil, fmt.Errorf("watched folder %s: not a folder (%v)", dir, err)
		}
		state := cmp.Or(cfg.State, filepath.Join(dir, StateDir))
		if state, err = filepath.Abs(state); err != nil {
			return nil, err
		}
		j := journals[state]
		if j == nil {
			if j, err = OpenJournal(state); err != nil {
				return nil, err
			}
			journals[state] = j
		}
		a.folders = append(a.folders, &folder{dir: dir, journal: j, tracker: &Tracker{Stable: cfg.Stable}, wake: make(chan struct{}, 1)})
	}
	a.health.Server, a.health.Version = cfg.Server, cfg.Version
	return a, nil
}

// Dirs returns the watched folders, absolute.
func (a *Agent) Dirs() []string {
	var out []string
	for _, f := range a.folders {
		out = append(out, f.dir)
	}
	return out
}

// Health is what the station last heard from the server; Answered and Failed feed it.
func (a *Agent) Health() *Health { return a.health }

// Run replays the journal, then watches until ctx ends; uploads under way get Config.Grace to end.
func (a *Agent) Run(ctx context.Context) error {
	for _, f := range a.folders {
		if err := a.replay(ctx, f); err != nil {
			return err
		}
	}
	upCtx, cancelUploads := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelUploads()
	var loops sync.WaitGroup
	for _, f := range a.folders {
		loops.Go(func() { a.watch(ctx, upCtx, f) })
	}
	if a.cfg.FSNotify {
		loops.Go(func() { a.notify(ctx) })
	} else {
		a.log.Info("file system events off: polling only", "poll", a.cfg.Poll)
	}
	loops.Go(func() { a.follow(ctx) })
	if a.cfg.Report > 0 {
		loops.Go(func() { a.report(ctx) })
	}
	loops.Go(func() { a.keepHealth(ctx) })
	a.log.Info("station started", "version", a.cfg.Version, "server", a.cfg.Server, "dirs", a.Dirs(),
		"stable", a.cfg.Stable, "poll", a.cfg.Poll, "parallel", a.cfg.Parallel, "delete", a.cfg.Delete)
	loops.Wait()
	done := make(chan struct{})
	go func() { a.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(a.cfg.Grace):
		a.log.Warn("stopping: uploads under way cut; they are sent again at the next start", "grace", a.cfg.Grace)
		cancelUploads()
		<-done
	}
	a.flushHealth()
	a.log.Info("station stopped")
	return nil
}

// watch polls f until ctx ends, sooner when nudged or when a file is due.
func (a *Agent) watch(ctx, upCtx context.Context, f *folder) {
	listErr := ""
	for {
		next, err := a.scan(upCtx, f)
		if err != nil && err.Error() != listErr {
			a.log.Error("cannot list the watched folder", "dir", f.dir, "err", err)
		}
		listErr = ""
		if err != nil {
			listErr = err.Error()
		}
		if !a.sleep(ctx, next, a.cfg.Poll, f.wake) {
			return
		}
	}
}

// sleep waits until next (at most longest, at least 10 ms) or a wake; it returns false when ctx
// ended.
func (a *Agent) sleep(ctx context.Context, next time.Time, longest time.Duration, wake <-chan struct{}) bool {
	wait := longest
	if !next.IsZero() {
		wait = min(wait, max(next.Sub(a.clock.Now()), 10*time.Millisecond))
	}
	select {
	case <-ctx.Done():
		return false
	case <-a.clock.After(wait):
	case <-wake:
	}
	return true
}

// scan lists f once, starts uploads of the files that are ready while a slot is free, and returns
// when the next waiting file becomes due.
func (a *Agent) scan(ctx context.Context, f *folder) (time.Time, error) {
	seen, err := List(f.dir)
	if err != nil {
		return time.Time{}, err
	}
	now := a.clock.Now()
	ready, next := f.tracker.Observe(now, seen)
	for _, p := range ready {
		if err := settled(p); err != nil {
			a.log.Debug("not taken yet", "file", p, "err", err)
			f.tracker.Unsettled(p, now)
			if due := now.Add(a.cfg.Stable); next.IsZero() || due.Before(next) {
				next = due
			}
			continue
		}
		select {
		case a.sem <- struct{}{}:
		default:
			return next, nil // all slots busy: a freed one wakes the folder
		}
		f.tracker.Take(p)
		a.workers.Go(func() {
			defer a.release()
			a.handle(ctx, f, p)
		})
	}
	return next, nil
}

func (a *Agent) release() {
	<-a.sem
	for _, f := range a.folders {
		poke(f.wake)
	}
}

func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// handle takes one file: it finishes what the journal says was left half-done, or uploads it.
func (a *Agent) handle(ctx context.Context, f *folder, path string) {
	if e, ok := f.journal.Get(path); ok && e.State != StateSending {
		if a.resume(ctx, f, e) {
			return
		}
	}
	sha, size, err := hashFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f.tracker.Done(path)
		return
	}
	if err != nil {
		a.retry(f, path, fmt.Errorf("read %s: %w", path, err), 0)
		return
	}
	e := Entry{Path: path, State: StateSending, SHA256: sha, Size: size, Started: a.clock.Now()}
	if err := f.journal.Put(e); err != nil {
		a.retry(f, path, err, 0)
		return
	}
	a.countsChanged()
	sent, err := a.api.Upload(ctx, path, filepath.Base(path))
	var refused *Refused
	var transient *Transient
	switch {
	case errors.As(err, &refused):
		a.refuse(f, e, refused)
	case err != nil:
		f.journal.Delete(path)
		var after time.Duration
		if errors.As(err, &transient) {
			after = transient.RetryAfter
		}
		a.retry(f, path, err, after)
	case sent.SHA256 != sha:
		f.journal.Delete(path)
		a.log.Warn("file changed while it was sent; it is sent again once stable", "file", path)
		f.tracker.Unsettled(path, a.clock.Now())
	default:
		a.accept(ctx, f, e, sent)
	}
}

// resume finishes a file the journal holds as accepted or refused, without sending it again; it
// returns false when the file there now is another one (then it is sent as new).
func (a *Agent) resume(ctx context.Context, f *folder, e Entry) bool {
	if _, err := os.Lstat(e.Path); err == nil {
		if sha, _, err := hashFile(e.Path); err == nil && sha != e.SHA256 {
			a.log.Warn("the journal's file was replaced by another; the new one is sent", "file", e.Path)
			dropClaim(e)
			f.journal.Delete(e.Path)
			return false
		}
	}
	if e.State == StateAccepted {
		a.finish(ctx, f, e)
	} else {
		a.finishRefused(f, e)
	}
	return true
}

// dropClaim removes the empty receipt or reason file that claimed e's place, if nothing was written.
func dropClaim(e Entry) {
	for _, s := range []string{".json", ".txt"} {
		if info, err := os.Stat(e.Dest + s); err == nil && info.Size() == 0 {
			os.Remove(e.Dest + s)
		}
	}
}

func (a *Agent) accept(ctx context.Context, f *folder, e Entry, sent Sent) {
	now := a.clock.Now()
	dest, err := a.mover.DoneDest(f.dir, filepath.Base(e.Path), now.Local())
	if err != nil {
		a.retry(f, e.Path, err, 0)
		return
	}
	e.State, e.Dest, e.DocumentID, e.Code, e.Status = StateAccepted, dest, sent.Document.ID, sent.Document.Code, sent.Document.Status
	e.Server, e.UploadedAt, e.Component = a.cfg.Server, now, sent.ComponentCode
	if err := f.journal.Put(e); err != nil {
		a.retry(f, e.Path, err, 0) // sent again later: the server answers the same document
		return
	}
	a.log.Info("file sent", "file", e.Path, "document", e.DocumentID, "new", sent.Created, "size", e.Size, "sha256", e.SHA256)
	a.finish(ctx, f, e)
}

// finish moves an accepted file to done/ with its receipt, and starts following its document.
func (a *Agent) finish(ctx context.Context, f *folder, e Entry) {
	if err := a.mover.Done(e, a.cfg.Dossier); err != nil {
		a.log.Error("cannot file a sent file away; trying again", "file", e.Path, "err", err)
		a.retry(f, e.Path, err, 0)
		return
	}
	receipt := e.Dest + ".json"
	if a.cfg.Follow > 0 && !(Document{Status: e.Status}).Final() {
		fl := Follow{Receipt: receipt, DocumentID: e.DocumentID, Interval: 5 * time.Second,
			Next: a.clock.Now().Add(5 * time.Second), Until: e.UploadedAt.Add(a.cfg.Follow)}
		if err := f.journal.PutFollow(fl); err != nil {
			a.log.Warn("the receipt will not be followed", "receipt", receipt, "err", err)
		}
		poke(a.followUp)
	}
	if err := f.journal.Delete(e.Path); err != nil {
		a.log.Warn("journal", "err", err)
	}
	f.tracker.Done(e.Path)
	a.countsChanged()
	a.log.Info("file done", "file", e.Path, "to", e.Dest, "document", e.DocumentID, "deleted", a.cfg.Delete)
}

func (a *Agent) refuse(f *folder, e Entry, r *Refused) {
	dest, err := a.mover.FailedDest(f.dir, filepath.Base(e.Path))
	if err != nil {
		a.retry(f, e.Path, err, 0)
		return
	}
	e.State, e.Dest, e.Reason, e.ReasonCode, e.HTTPStatus = StateRefused, dest, r.Reason, r.Code, r.Status
	if err := f.journal.Put(e); err != nil {
		a.retry(f, e.Path, err, 0)
		return
	}
	a.log.Warn("file refused by the server", "file", e.Path, "status", r.Status, "code", r.Code, "reason", r.Reason)
	a.finishRefused(f, e)
}

func (a *Agent) finishRefused(f *folder, e Entry) {
	if err := a.mover.Failed(e, a.clock.Now()); err != nil {
		a.log.Error("cannot move a refused file to failed/; trying again", "file", e.Path, "err", err)
		a.retry(f, e.Path, err, 0)
		return
	}
	f.journal.Delete(e.Path)
	f.tracker.Done(e.Path)
	a.countsChanged()
}

// retry leaves path where it is and offers it again after a backoff (at least after, when the
// server asked for that).
func (a *Agent) retry(f *folder, path string, err error, after time.Duration) {
	n := f.tracker.Attempts(path) + 1
	wait := Backoff(n)
	if after > wait {
		wait = min(after, 10*time.Minute)
	}
	now := a.clock.Now()
	f.tracker.Retry(path, now.Add(wait))
	a.health.Failed(now, err.Error())
	a.countsChanged()
	var t *Transient
	if errors.As(err, &t) && t.Operator() {
		a.log.Error("THE SERVER REFUSES THIS STATION: check -token (revoked? an account of role station?), -server and -dossier",
			"file", path, "status", t.Status, "code", t.Code, "reason", t.Reason, "retry_in", wait)
		return
	}
	a.log.Warn("not sent; the file stays and is tried again", "file", path, "attempt", n, "retry_in", wait.Round(time.Millisecond), "err", err)
}

// Backoff is the wait before attempt n+1 after n failures in a row: 2 s doubling to 1 min, give or
// take a fifth so that stations do not come back all at once.
func Backoff(n int) time.Duration {
	d := time.Minute
	if n < 6 {
		d = min(time.Minute, 2*time.Second<<(n-1))
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// replay finishes what a previous run left half-done in f: accepted or refused files are filed away
// without being sent again; a file being sent stays and is sent again (the server answers the same
// document for the same bytes); entries of files that are gone are dropped.
func (a *Agent) replay(ctx context.Context, f *folder) error {
	entries, err := f.journal.Entries()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if filepath.Dir(e.Path) != f.dir {
			continue // another folder's, in a shared state folder
		}
		_, statErr := os.Lstat(e.Path)
		switch {
		case e.State == StateSending && statErr != nil:
			a.log.Warn("a file being sent at the last stop is gone", "file", e.Path)
			f.journal.Delete(e.Path)
		case e.State == StateSending:
			a.log.Info("a file was being sent at the last stop; it is sent again", "file", e.Path)
		default:
			a.log.Info("finishing what the last run left", "file", e.Path, "state", e.State, "document", e.DocumentID)
			a.resume(ctx, f, e)
		}
	}
	return nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func (a *Agent) countsChanged() { poke(a.changed) }
