package station

import (
	"cmp"
	"slices"
	"sync"
	"time"
)

// Tracker decides when a file may be taken: once its size and modification time have not changed
// for Stable, and not before the time a failed attempt set. It is safe for concurrent use.
type Tracker struct {
	Stable time.Duration

	mu    sync.Mutex
	files map[string]*tracked
}

type tracked struct {
	size      int64
	mod       int64
	since     time.Time // when this size and time were first seen
	busy      bool      // taken by a worker
	notBefore time.Time
	attempts  int // failed attempts in a row, for the backoff
}

// Observe records what a scan at now found and returns the files ready to be taken, oldest first,
// and the earliest time another one may become ready (zero when none is waiting). Files the scan
// did not find are forgotten, unless a worker holds them.
func (t *Tracker) Observe(now time.Time, seen []Seen) (ready []string, next time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.files == nil {
		t.files = map[string]*tracked{}
	}
	present := make(map[string]bool, len(seen))
	for _, s := range seen {
		present[s.Path] = true
		f := t.files[s.Path]
		if f == nil {
			t.files[s.Path] = &tracked{size: s.Size, mod: s.ModTime, since: now}
			f = t.files[s.Path]
		}
		if f.busy {
			continue
		}
		if f.size != s.Size || f.mod != s.ModTime {
			f.size, f.mod, f.since = s.Size, s.ModTime, now
		}
		due := f.since.Add(t.Stable)
		if f.notBefore.After(due) {
			due = f.notBefore
		}
		if !due.After(now) {
			ready = append(ready, s.Path)
			continue
		}
		if next.IsZero() || due.Before(next) {
			next = due
		}
	}
	for p, f := range t.files {
		if !present[p] && !f.busy {
			delete(t.files, p)
		}
	}
	slices.SortFunc(ready, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.files[a].mod, t.files[b].mod), cmp.Compare(a, b))
	})
	return ready, next
}

// Take marks path as held by a worker; Observe does not offer it again until Retry, Changed or Done.
func (t *Tracker) Take(path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[path]; f != nil {
		f.busy = true
	}
}

// Unsettled says path could not be opened for reading (the scanner still holds it): its stable
// time starts again at now.
func (t *Tracker) Unsettled(path string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[path]; f != nil {
		f.busy, f.since = false, now
	}
}

// Retry releases path after a failed attempt; it is not offered before at. It returns how many
// attempts in a row have failed.
func (t *Tracker) Retry(path string, at time.Time) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.files[path]
	if f == nil {
		return 0
	}
	f.busy, f.notBefore = false, at
	f.attempts++
	return f.attempts
}

// Attempts returns how many attempts at path have failed in a row.
func (t *Tracker) Attempts(path string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.files[path]; f != nil {
		return f.attempts
	}
	return 0
}

// Done forgets path: it was moved away.
func (t *Tracker) Done(path string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.files, path)
}

// Waiting returns how many files are tracked and not held by a worker.
func (t *Tracker) Waiting() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, f := range t.files {
		if !f.busy {
			n++
		}
	}
	return n
}
