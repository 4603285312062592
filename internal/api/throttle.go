package api

import (
	"net"
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

// attempt counts an attempt of key at now, unless key already made limit attempts within the
// window; then it reports blocked and how long until key may try again.
func (t *throttle) attempt(key string, now time.Time) (blocked bool, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	recent := t.recent(key, now)
	if len(recent) >= t.limit {
		return true, recent[0].Add(t.window).Sub(now)
	}
	t.fails[key] = append(recent, now)
	if len(t.fails) > maxKeys {
		t.evict(now)
	}
	return false, 0
}

// forgive takes back key's latest attempt: it succeeded.
func (t *throttle) forgive(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if fs := t.fails[key]; len(fs) > 0 {
		t.fails[key] = fs[:len(fs)-1]
	}
}

// maxKeys bounds the table: a flood of addresses must not grow it without end.
const maxKeys = 100_000

// evict forgets the keys whose attempts are all older than the window, and if that is not enough,
// those with the fewest attempts (never the busiest, who are what the throttle is for).
func (t *throttle) evict(now time.Time) {
	for k := range t.fails {
		t.recent(k, now)
	}
	for n := 1; len(t.fails) > maxKeys/2 && n < t.limit; n++ {
		for k, fs := range t.fails {
			if len(fs) <= n {
				delete(t.fails, k)
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

// throttleKey is the key of a client address: an IPv6 client is its /64, which one machine or
// network holds whole, so that rotating addresses within it does not reset the count.
func throttleKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
