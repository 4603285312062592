package workers

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// A page whose worker died is taken over by a live one, under a new generation, once the live one
// has beaten for DeadAfter; the dead worker's task, handed out again later, is stale.
func TestLivenessTakesOverADeadWorkersPages(t *testing.T) {
	r := newRig(t)
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	r.drainUntilPage(t)
	task, _ := r.queue.pop()
	dead := storage.Claim{Document: doc.ID, Run: 1, Stage: string(pipeline.OCR), Page: 1, Worker: "killed"}
	if err := r.records.Heartbeat(t.Context(), storage.Worker{ID: "killed"}); err != nil {
		t.Fatal(err)
	}
	if err := r.records.StartPage(t.Context(), dead); err != nil {
		t.Fatal(err)
	}
	live := &Liveness{Records: r.records, Queue: r.queue, Worker: storage.Worker{ID: "w1"}, Interval: BeatInterval,
		DeadAfter: DeadAfter, Clock: r.clock, Log: r.h.Log}
	steps := []struct {
		after time.Duration
		taken int
	}{
		{0, 0},            // just started beating: nobody is called dead yet
		{BeatInterval, 0}, // the killed worker's last beat is recent
		{DeadAfter, 1},    // it is silent for DeadAfter: its page is taken over
		{BeatInterval, 0}, // and only once
	}
	for i, s := range steps {
		r.clock.Advance(s.after)
		if got := live.Once(t.Context()); got != s.taken {
			t.Fatalf("step %d: took over %d, want %d", i, got, s.taken)
		}
	}
	ids := r.queue.ids()
	if len(ids) != 1 || ids[0] != pipeline.PageTaskID(pipeline.Payload{DocumentID: doc.ID, Run: 1, Page: 1, Gen: 1}) {
		t.Fatalf("queued after the takeover: %v", ids)
	}
	if err := r.run(t, task, attempt{maxRetry: 13}); err != nil { // the dead worker's task comes back
		t.Fatalf("the old generation's task: %v", err)
	}
	if r.ocr.count() != 0 || !strings.Contains(r.logs.String(), "dropping a stale task") {
		t.Errorf("the old generation's task read the page (%d reads) instead of being dropped", r.ocr.count())
	}
	r.drain(t)
	if d := r.doc(t, doc.ID); d.Status != storage.StatusDone || r.ocr.count() != 1 {
		t.Errorf("after the takeover: %s, %d reads", d.Status, r.ocr.count())
	}
}

// A worker that cannot beat (the database is away) takes nothing over, and after an outage waits a
// full DeadAfter of beats before it does: the live workers must be given the time to beat again.
func TestLivenessWaitsForItsOwnBeats(t *testing.T) {
	r := newRig(t)
	live := &Liveness{Records: r.records, Queue: r.queue, Worker: storage.Worker{ID: "w1"}, Interval: BeatInterval,
		DeadAfter: DeadAfter, Clock: r.clock, Log: r.h.Log}
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	c := storage.Claim{Document: doc.ID, Run: 1, Stage: string(pipeline.Ingest), Worker: "other"}
	if err := r.records.Heartbeat(t.Context(), storage.Worker{ID: "other"}); err != nil {
		t.Fatal(err)
	}
	if err := r.records.StartStage(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	live.Once(t.Context())
	r.records.set("Heartbeat", 1)
	if got := live.Once(t.Context()); got != 0 { // the database is away: the beat fails
		t.Fatalf("took over %d without beating", got)
	}
	r.clock.Advance(time.Minute) // for a minute nobody beat
	if got := live.Once(t.Context()); got != 0 {
		t.Fatalf("took over %d right after an outage", got)
	}
	if err := r.records.Heartbeat(t.Context(), storage.Worker{ID: "other"}); err != nil { // the other beats again
		t.Fatal(err)
	}
	r.clock.Advance(DeadAfter)
	if err := r.records.Heartbeat(t.Context(), storage.Worker{ID: "other"}); err != nil {
		t.Fatal(err)
	}
	if got := live.Once(t.Context()); got != 0 {
		t.Errorf("took over %d pieces of a worker that beats", got)
	}
}

func TestReconcilerCountsWhatRedisLost(t *testing.T) {
	r := newRig(t)
	a := r.receive(t, "a.png", scanPNG(t, 0))
	r.receive(t, "b.png", scanPNG(t, 5))
	r.queue.pop() // Redis lost a's ingest task; b's is still queued
	rec := &Reconciler{Records: r.records, Queue: r.queue, Interval: time.Minute, Idle: time.Minute, Clock: r.clock, Log: r.h.Log}
	if n := rec.Once(t.Context()); n != 0 {
		t.Fatalf("reconciled %d documents that changed just now", n)
	}
	r.clock.Advance(2 * time.Minute)
	if n := rec.Once(t.Context()); n != 1 {
		t.Fatalf("re-enqueued %d, want 1: the lost task only, the live one is left alone", n)
	}
	if ids := r.queue.ids(); len(ids) != 2 || ids[1] != pipeline.TaskID(pipeline.Ingest, pipeline.Payload{DocumentID: a.ID, Run: 1}) {
		t.Errorf("queue: %v", ids)
	}
	r.queue.fail = 5
	if n := rec.Once(t.Context()); n != 0 || !strings.Contains(r.logs.String(), "reconcile: enqueue") {
		t.Errorf("with Redis away: counted %d, logged %v", n, strings.Contains(r.logs.String(), "reconcile: enqueue"))
	}
}

func TestWatcherSweepsAndAbandonsCrashedUploads(t *testing.T) {
	r := newRig(t)
	in := &Intake{Objects: r.objects, Records: r.records, Queue: r.queue, Limits: r.h.Limits, Log: r.h.Log}
	w := &Watcher{Intake: in, Interval: time.Second, Orphan: 10 * time.Minute, Clock: r.clock, Log: r.h.Log}
	put := func(key string, data []byte) {
		if _, err := r.objects.Put(t.Context(), storage.Inbox, key, bytes.NewReader(data), int64(len(data)), ""); err != nil {
			t.Fatal(err)
		}
	}
	put("tram-1/a.png", scanPNG(t, 0))
	put(apiPrefix+"streaming/b.png", scanPNG(t, 3))
	objs := r.objects.Objects.(interface {
		BeginUpload(storage.Bucket, string, time.Time)
	})
	objs.BeginUpload(storage.Inbox, apiPrefix+"crashed/c.pdf", time.Now().Add(-time.Hour))
	w.Sweep(t.Context())
	docs, total, err := r.records.List(t.Context(), storage.Filter{})
	if err != nil || total != 1 || !strings.HasPrefix(docs[0].Source, "sweep:tram-1/") {
		t.Fatalf("after the sweep: %d documents %+v, %v; want the station's file only", total, docs, err)
	}
	if !strings.Contains(r.logs.String(), "abandoned incomplete uploads") {
		t.Error("the crashed upload was not abandoned")
	}
	if n, _ := r.objects.AbortUploads(t.Context(), storage.Inbox, 0); n != 0 {
		t.Errorf("%d uploads still open after the sweep", n)
	}
}

func TestIntake(t *testing.T) {
	r := newRig(t)
	in := &Intake{Objects: r.objects, Records: r.records, Queue: r.queue, Limits: r.h.Limits, Log: r.h.Log}
	data := scanPNG(t, 0)
	a, created, err := in.Receive(t.Context(), bytes.NewReader(data), "a.png", From{})
	if err != nil || !created {
		t.Fatalf("first upload: %v, created %v", err, created)
	}
	b, created, err := in.Receive(t.Context(), bytes.NewReader(data), "lai-nua.png", From{})
	if err != nil || created || b.ID != a.ID {
		t.Errorf("the same bytes again: %v, created %v, %s vs %s", err, created, b.ID, a.ID)
	}
	in.Limits.MaxBytes = int64(len(data) - 1)
	_, _, err = in.Receive(t.Context(), bytes.NewReader(data), "big.png", From{})
	var ie *scan.InputError
	if !errors.As(err, &ie) || ie.Code != scan.CodeTooLarge {
		t.Errorf("an upload over the limit: %v, want %s", err, scan.CodeTooLarge)
	}
	for o, err := range r.objects.List(t.Context(), storage.Inbox, "") {
		t.Errorf("left in the inbox: %+v, %v", o, err)
	}
	if _, _, err := in.Receive(t.Context(), strings.NewReader("không phải ảnh"), "x.jpg", From{}); !errors.As(err, &ie) || ie.Code != scan.CodeUnsupportedType {
		t.Errorf("a text file: %v", err)
	}
}
