package workers

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// recorder is an Observer that writes down what it is told, one line per call, durations apart.
type recorder struct {
	mu       sync.Mutex
	events   []string
	took     map[string]time.Duration // the last duration of each stage done
	archived int64
}

func (o *recorder) add(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = append(o.events, fmt.Sprintf(format, args...))
}

func (o *recorder) StageDone(stage string, d time.Duration) {
	o.add("done %s", stage)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.took == nil {
		o.took = map[string]time.Duration{}
	}
	o.took[stage] = d
}

func (o *recorder) StageFailed(stage, code string, final bool, _ time.Duration) {
	o.add("failed %s %s final=%v", stage, code, final)
}

func (o *recorder) PageRead(_ time.Duration, confidence float64) { o.add("page %.0f", confidence) }
func (o *recorder) Finished(status string)                       { o.add("finished %s", status) }
func (o *recorder) Received(channel, station string)             { o.add("received %s %s", channel, station) }

func (o *recorder) Archived(bytes int64) {
	o.add("archived")
	o.mu.Lock()
	defer o.mu.Unlock()
	o.archived += bytes
}

func (o *recorder) reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events = nil
}

// want fails the test unless the events told are exactly want, in any order.
func (o *recorder) want(t *testing.T, want ...string) {
	t.Helper()
	o.mu.Lock()
	got := slices.Sorted(slices.Values(o.events))
	o.mu.Unlock()
	if slices.Sort(want); !slices.Equal(got, want) {
		t.Errorf("observed\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A document that goes through is told once per stage, page and archived file, and ends done; the
// OCR stage's time is the store's, from the fan-out to the last page, not the fan-out's own.
func TestObserverSeesADocumentThrough(t *testing.T) {
	r := newRig(t)
	seen := &recorder{}
	r.h.Observe = seen
	in := &Intake{Objects: r.objects, Records: r.records, Queue: r.queue, Limits: r.h.Limits, Log: r.h.Log, Observe: seen}
	doc, _, err := in.Receive(t.Context(), bytes.NewReader(scanPNG(t, 0)), "a.png", From{Channel: ChannelStation, Station: "may-quet-1"})
	must(t, err)
	for id, err := range r.drain(t) {
		if err != nil {
			t.Errorf("task %s: %v", id, err)
		}
	}
	var want []string
	for _, s := range pipeline.Stages() {
		want = append(want, "done "+string(s))
	}
	seen.want(t, append(want, "received station may-quet-1", "page 95", "archived", "finished done")...)

	d := r.doc(t, doc.ID)
	info, err := r.objects.Stat(t.Context(), storage.Archive, d.SignedKey)
	must(t, err)
	if seen.archived != info.Size {
		t.Errorf("archived %d bytes told, the archive holds %d", seen.archived, info.Size)
	}
	stages, err := r.records.Stages(t.Context(), d.ID)
	must(t, err)
	for _, s := range stages {
		if s.Name == string(pipeline.OCR) && seen.took["ocr"] != s.FinishedAt.Sub(s.StartedAt) {
			t.Errorf("OCR stage told as %v, the store has it from %v to %v", seen.took["ocr"], s.StartedAt, s.FinishedAt)
		}
	}
}

// A failed attempt is told with its stage and reason code, final or not; a document is told
// finished only when it failed for good; an interrupted attempt is no failure.
func TestObserverSeesFailures(t *testing.T) {
	for _, c := range []struct {
		name    string
		err     error
		retried int
		want    []string
	}{
		{"a crash, to be retried", &child.CrashError{PID: 7}, 0, []string{"failed ocr ocr_crash final=false"}},
		{"a crash, retried enough", &child.CrashError{PID: 7}, pipeline.MaxOtherRetries, []string{"failed ocr ocr_crash final=true", "finished failed"}},
		{"a bad page", scanInput(), 0, []string{"failed ocr too_many_pixels final=true", "finished failed"}},
		{"the worker stopping", child.ErrClosed, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.receive(t, "a.png", scanPNG(t, 0))
			r.drainUntilPage(t)
			seen := &recorder{}
			r.h.Observe = seen
			task, _ := r.queue.pop()
			r.ocr.err = c.err
			if err := r.run(t, task, attempt{retried: c.retried, maxRetry: 13}); err == nil {
				t.Fatal("a failed page returned no error to Asynq")
			}
			seen.want(t, c.want...)
		})
	}
}
