package station

import (
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func TestTrackerTakesOnlyStableFiles(t *testing.T) {
	tr := &Tracker{Stable: 5 * time.Second}
	a := Seen{Path: "/in/a.jpg", Size: 10, ModTime: 1}
	if ready, next := tr.Observe(t0, []Seen{a}); len(ready) != 0 || !next.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("new file: ready %v, next %v", ready, next)
	}
	a.Size = 20 // still being written
	if ready, next := tr.Observe(t0.Add(4*time.Second), []Seen{a}); len(ready) != 0 || !next.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("grown file: ready %v, next %v", ready, next)
	}
	a.ModTime = 2 // same size, touched
	if ready, _ := tr.Observe(t0.Add(9*time.Second), []Seen{a}); len(ready) != 0 {
		t.Fatalf("touched file taken: %v", ready)
	}
	if ready, _ := tr.Observe(t0.Add(14*time.Second), []Seen{a}); !slices.Equal(ready, []string{a.Path}) {
		t.Fatalf("stable file not ready: %v", ready)
	}
	tr.Take(a.Path)
	if ready, _ := tr.Observe(t0.Add(20*time.Second), []Seen{a}); len(ready) != 0 {
		t.Fatalf("a taken file offered again: %v", ready)
	}
	if n := tr.Retry(a.Path, t0.Add(30*time.Second)); n != 1 {
		t.Errorf("attempts %d", n)
	}
	if ready, next := tr.Observe(t0.Add(29*time.Second), []Seen{a}); len(ready) != 0 || !next.Equal(t0.Add(30*time.Second)) {
		t.Fatalf("offered before its retry time: %v, next %v", ready, next)
	}
	if ready, _ := tr.Observe(t0.Add(30*time.Second), []Seen{a}); len(ready) != 1 {
		t.Fatal("not offered at its retry time")
	}
	tr.Take(a.Path)
	tr.Unsettled(a.Path, t0.Add(31*time.Second))
	if ready, _ := tr.Observe(t0.Add(35*time.Second), []Seen{a}); len(ready) != 0 {
		t.Fatal("an unsettled file was offered before its stable time started again")
	}
	tr.Observe(t0.Add(40*time.Second), nil)
	if tr.Waiting() != 0 {
		t.Error("a file gone from the folder is still tracked")
	}
}

func TestTrackerOffersOldestFirst(t *testing.T) {
	tr := &Tracker{Stable: time.Second}
	seen := []Seen{{Path: "/in/c", ModTime: 3}, {Path: "/in/a", ModTime: 1}, {Path: "/in/b", ModTime: 2}}
	tr.Observe(t0, seen)
	if ready, _ := tr.Observe(t0.Add(time.Second), seen); !slices.Equal(ready, []string{"/in/a", "/in/b", "/in/c"}) {
		t.Errorf("order %v", ready)
	}
}

func TestCandidateNames(t *testing.T) {
	for name, want := range map[string]bool{
		"scan001.jpg": true, "Giấy khai sinh.pdf": true, "a.TIFF": true,
		"~scan.jpg": false, "scan.tmp": false, "scan.JPG.part": false, ".hidden.jpg": false, "x.crdownload": false,
		"Thumbs.db": false, "desktop.ini": false, "scan.jpg.json": false, "": false,
	} {
		if got := Candidate(name); got != want {
			t.Errorf("Candidate(%q) = %v", name, got)
		}
	}
}

func TestBackoffIsCapped(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 5: 32 * time.Second, 6: time.Minute, 60: time.Minute} {
		if d := Backoff(n); d < want*8/10 || d > want*12/10 {
			t.Errorf("Backoff(%d) = %v, want about %v", n, d, want)
		}
	}
}
