package queue

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/pipeline"
)

// Where each task goes: the counter lane's pair whatever the agency, the bulk lane's pair of the task's
// agency, a bulk task naming none in a queue of its own.
func TestNamesFor(t *testing.T) {
	n := NamesOf("tinh")
	for _, c := range []struct {
		typ  string
		p    pipeline.Payload
		want string
	}{
		{pipeline.Code.TaskType(), pipeline.Payload{Agency: "H29"}, "tinh:fast"},
		{pipeline.PageTaskType, pipeline.Payload{Lane: pipeline.Counter, Agency: "H29"}, "tinh:heavy"},
		{pipeline.PDFA.TaskType(), pipeline.Payload{}, "tinh:heavy"},
		{pipeline.Ingest.TaskType(), pipeline.Payload{Lane: pipeline.Bulk, Agency: "H29.1"}, "tinh:bulk:H29.1:fast"},
		{pipeline.PageTaskType, pipeline.Payload{Lane: pipeline.Bulk, Agency: "H29.1"}, "tinh:bulk:H29.1:heavy"},
		{pipeline.OCR.TaskType(), pipeline.Payload{Lane: pipeline.Bulk}, "tinh:bulk:-:heavy"},
	} {
		if got := n.For(c.typ, c.p); got != c.want {
			t.Errorf("For(%s, %+v) = %s, want %s", c.typ, c.p, got, c.want)
		}
	}
	got := n.BulkWeights([]string{"tinh:fast", "tinh:heavy", "tinh:bulk:A:fast", "tinh:bulk:A:heavy", "tinh:bulk:B:heavy",
		"khac:bulk:A:fast", "tinh:bulk:A:other"})
	want := map[string]int{"tinh:bulk:A:fast": 2, "tinh:bulk:A:heavy": 1, "tinh:bulk:B:heavy": 1}
	if !sameQueues(got, want) || got["tinh:bulk:A:fast"] != 2 || got["tinh:bulk:B:heavy"] != 1 {
		t.Errorf("BulkWeights = %v, want %v", got, want)
	}
}

// One agency's backlog does not starve another's: 60 pages of agency A queued before 5 of agency B, one
// worker; in one queue B's would be the last five done, here they are done while A's are still
// waiting. Asynq picks a queue at random by weight at every task, so B's fifth page comes after about
// ten; it comes after 35 with a chance of about 2 in a million.
func TestBulkLaneTakesAgenciesInTurn(t *testing.T) {
	opt := redisOpt(t)
	q := New(opt, "tinh-f", 3)
	defer q.Close()
	for i := 1; i <= 60; i++ {
		enqueuePage(t, q, "A", i)
	}
	for i := 1; i <= 5; i++ {
		enqueuePage(t, q, "B", i)
	}
	order := make(chan string, 65)
	handler := func(_ context.Context, task *asynq.Task) error {
		p, err := pipeline.DecodePayload(task.Payload())
		order <- p.Agency
		return err
	}
	clk := clock.NewFake(time.Now())
	stop := runBulk(t, opt, "tinh-f", clk, handler)
	var got []string
	for len(got) < 65 {
		select {
		case a := <-order:
			got = append(got, a)
		case <-time.After(time.Minute): // a hang guard, not a measure
			t.Fatalf("after %d tasks no more came within a minute: %v", len(got), got)
		}
	}
	stop()
	lastB := 0
	for i, a := range got {
		if a == "B" {
			lastB = i + 1
		}
	}
	if n := len(slices.DeleteFunc(slices.Clone(got), func(a string) bool { return a != "B" })); n != 5 || lastB > 35 {
		t.Errorf("agency B's 5 pages: %d done, the last as task %d of 65; want 5, within the first 35 (order %v)", n, lastB, got)
	}
}

// An agency whose first bulk task arrives after the workers started is served once they look again.
func TestBulkLaneFindsNewAgencies(t *testing.T) {
	opt := redisOpt(t)
	q := New(opt, "tinh-n", 3)
	defer q.Close()
	enqueuePage(t, q, "A", 1)
	done := make(chan string, 2)
	clk := clock.NewFake(time.Now())
	stop := runBulk(t, opt, "tinh-n", clk, func(_ context.Context, task *asynq.Task) error {
		p, err := pipeline.DecodePayload(task.Payload())
		done <- p.Agency
		return err
	})
	defer stop()
	if a := wait(t, done); a != "A" {
		t.Fatalf("first task of agency %q, want A", a)
	}
	enqueuePage(t, q, "B", 1)
	clk.BlockUntil(1)
	clk.Advance(time.Minute)
	if a := wait(t, done); a != "B" {
		t.Fatalf("task of agency %q, want B", a)
	}
}

func enqueuePage(t *testing.T, q *Queue, agency string, page int) {
	t.Helper()
	p := pipeline.Payload{DocumentID: "doc-" + agency, Run: 1, Page: page, Lane: pipeline.Bulk, Agency: agency}
	if _, err := q.EnqueuePage(t.Context(), p); err != nil {
		t.Fatal(err)
	}
}

// runBulk serves deployment's bulk lane with one worker until the returned stop is called.
func runBulk(t *testing.T, opt asynq.RedisClientOpt, deployment string, clk clock.Clock, h asynq.HandlerFunc) func() {
	inspector := asynq.NewInspector(opt)
	b := &BulkServer{Redis: opt, Config: Config{Deployment: deployment, Concurrency: 1, Log: slog.New(slog.DiscardHandler)},
		Handlers: map[string]asynq.HandlerFunc{pipeline.PageTaskType: h}, Queues: inspector, Interval: time.Minute, Clock: clk}
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan error, 1)
	go func() { stopped <- b.Run(ctx) }()
	return func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Error(err)
		}
		inspector.Close()
	}
}

func wait(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(time.Minute): // a hang guard, not a measure
		t.Fatal("no task was done within a minute")
		return ""
	}
}
