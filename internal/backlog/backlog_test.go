package backlog

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/station"
)

// instant is a clock whose waits are over at once: the backoff's logic without its time.
type instant struct{}

func (instant) Now() time.Time { return time.Now() }
func (instant) After(time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	ch <- time.Now()
	return ch
}

// fakeAPI answers uploads by file name: "bad" ones are refused, "flaky" ones fail twice first,
// "down" ones always fail; every document is processing until read once more.
type fakeAPI struct {
	mu    sync.Mutex
	tries map[string]int
	reads int
}

func (f *fakeAPI) Upload(_ context.Context, path, name string) (station.Sent, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries[name]++
	switch {
	case name == "bad.png":
		return station.Sent{}, &station.Refused{Status: 415, Code: "unsupported_type", Reason: "Không đọc được loại tệp này."}
	case name == "flaky.png" && f.tries[name] < 3, name == "down.png":
		return station.Sent{}, &station.Transient{Status: 503, Code: "unavailable"}
	}
	return station.Sent{Document: station.Document{ID: "doc-" + name, Status: "processing"}, Created: name != "again.png"}, nil
}

func (f *fakeAPI) Document(_ context.Context, id string) (station.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	return station.Document{ID: id, Status: "done"}, nil
}

func TestImport(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"2019/a.png", "2019/b.pdf", "2020/ho-so/c.tif", "bad.png", "flaky.png", "down.png", "again.png",
		".hidden.png", "~lock.png", "d.json", "e.part", ".git/config", "Thumbs.db"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	api := &fakeAPI{tries: map[string]int{}}
	var reported []string
	results, err := Import(t.Context(), api, Config{Dir: dir, Parallel: 3, Attempts: 4, Follow: time.Minute, Clock: instant{},
		Log: slog.New(slog.DiscardHandler)}, func(r Result) { reported = append(reported, r.Path) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2019/a.png", "2019/b.pdf", "2020/ho-so/c.tif", "again.png", "bad.png", "down.png", "flaky.png"}
	var paths []string
	for _, r := range results {
		paths = append(paths, r.Path)
	}
	slices.Sort(reported)
	if !slices.Equal(paths, want) || !slices.Equal(reported, want) {
		t.Fatalf("results for %v, reported %v; want %v", paths, reported, want)
	}
	byPath := map[string]Result{}
	for _, r := range results {
		byPath[r.Path] = r
	}
	if r := byPath["bad.png"]; r.Refused == nil || r.Refused.Code != "unsupported_type" || api.tries["bad.png"] != 1 {
		t.Errorf("refused file: %+v after %d tries; want refused once", r, api.tries["bad.png"])
	}
	if r := byPath["flaky.png"]; r.Err != nil || r.Document.Status != "done" || api.tries["flaky.png"] != 3 {
		t.Errorf("flaky file: %+v after %d tries; want sent on the third, done", r, api.tries["flaky.png"])
	}
	var transient *station.Transient
	if r := byPath["down.png"]; !errors.As(r.Err, &transient) || api.tries["down.png"] != 4 {
		t.Errorf("unreachable file: %+v after %d tries; want a transient error after 4", r, api.tries["down.png"])
	}
	if r := byPath["again.png"]; r.Created || r.Document.Status != "done" {
		t.Errorf("file already there: %+v; want the existing document, followed to done", r)
	}
	if r := byPath["2020/ho-so/c.tif"]; !r.Created || r.Document.ID != "doc-c.tif" || r.Document.Status != "done" {
		t.Errorf("nested file: %+v", r)
	}
	if api.reads != 5 {
		t.Errorf("%d documents read while following, want the 5 sent", api.reads)
	}
}

// Import stops sending when its context ends and says so.
func TestImportCancelled(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.png"), []byte("a"), 0o644)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Import(ctx, &fakeAPI{tries: map[string]int{}}, Config{Dir: dir, Clock: instant{}, Log: slog.New(slog.DiscardHandler)}, func(Result) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Import with an ended context = %v, want context.Canceled", err)
	}
}
