package api

import (
	"sync"
	"time"
)

// throttle counts failures per key (a client address) over a sliding window. The lock-out of an
// account stops guessing one account's password; this stops one client trying a common password
// on many accounts, which locks none of them.
type throttle struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	fails  map[string][]time.Time
}

// Sign-in failures a client may make in a window before it must wait.
const (
	signInFailuresPerClient = 20
	signInWindow            = 10 * time.Minute
)

func newThrottle(limit int, window time.Duration) *throttle {
	return &throttle{limit: limit, window: window, fails: map[string][]time.Time{}}
}

// blocked reports whether key failed limit times within the window before now, and how long until
// it may try again.
func (t *throttle) blocked(key string, now time.Time) (bool, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.recent(key, now)
	if len(recent) < t.limit {
		return false, 0
	}
	return true, recent[0].Add(t.window).Sub(now)
}

// failed counts a failure of key at now.
func (t *throttle) failed(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fails[key] = append(t.recent(key, now), now)
	if len(t.fails) > 100_000 { // a flood of addresses: forget the oldest entries rather than grow
		for k := range t.fails {
			delete(t.fails, k)
			if len(t.fails) <= 50_000 {
				break
			}
		}
	}
}

// recent drops key's failures older than the window; the caller holds the lock.
func (t *throttle) recent(key string, now time.Time) []time.Time {
	fs := t.fails[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= t.window {
		i++
	}
	if i == len(fs) {
		delete(t.fails, key)
		return nil
	}
	t.fails[key] = fs[i:]
	return fs[i:]
}
