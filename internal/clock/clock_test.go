package clock

import (
	"testing"
	"time"
)

func TestFakeFiresOnlyWhatCameDue(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	f := NewFake(start)
	short, long := f.After(time.Second), f.After(time.Minute)
	f.BlockUntil(2)
	f.Advance(2 * time.Second)
	select {
	case got := <-short:
		if !got.Equal(start.Add(2 * time.Second)) {
			t.Errorf("fired at %v", got)
		}
	default:
		t.Fatal("a wait that came due did not fire")
	}
	select {
	case <-long:
		t.Fatal("a wait fired early")
	default:
	}
	if f.Waiters() != 1 {
		t.Errorf("Waiters = %d, want 1", f.Waiters())
	}
	f.Advance(time.Minute)
	<-long
	if now := f.Now(); !now.Equal(start.Add(62 * time.Second)) {
		t.Errorf("Now = %v", now)
	}
	select {
	case <-f.After(0):
	default:
		t.Error("After(0) did not fire at once")
	}
}
