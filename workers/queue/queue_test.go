package queue

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/pipeline"
)

func redisOpt(t *testing.T) asynq.RedisClientOpt {
	addr, db := testenv.Redis(t)
	return asynq.RedisClientOpt{Addr: addr, DB: db}
}

func TestEnqueueIsIdempotentAndReplacesArchivedTasks(t *testing.T) {
	opt := redisOpt(t)
	q := New(opt, "tinh-a", 3)
	defer q.Close()
	p := pipeline.Payload{DocumentID: "d1", Run: 1}
	for i, want := range []bool{true, false} {
		if created, err := q.Enqueue(t.Context(), pipeline.Code, p); err != nil || created != want {
			t.Fatalf("enqueue %d: created %v, %v; want %v", i, created, err, want)
		}
	}
	inspector := asynq.NewInspector(opt)
	defer inspector.Close()
	id := pipeline.TaskID(pipeline.Code, p)
	if err := inspector.ArchiveTask(q.Names().Fast, id); err != nil {
		t.Fatal(err)
	}
	if created, err := q.Enqueue(t.Context(), pipeline.Code, p); err != nil || !created {
		t.Fatalf("enqueue over an archived task: created %v, %v; want a new task", created, err)
	}
	if info, err := inspector.GetTaskInfo(q.Names().Fast, id); err != nil || info.State != asynq.TaskStatePending {
		t.Errorf("the task after replacing: %+v, %v", info, err)
	}
	// Another deployment's queues are its own: the same task ID is a different task there.
	other := New(opt, "tinh-b", 3)
	defer other.Close()
	if created, err := other.Enqueue(t.Context(), pipeline.Code, p); err != nil || !created {
		t.Errorf("another deployment's enqueue: created %v, %v", created, err)
	}
	if _, err := other.EnqueuePage(t.Context(), pipeline.Payload{DocumentID: "d1", Run: 1, Page: 1}); err != nil {
		t.Fatal(err)
	}
	if info, err := inspector.GetTaskInfo(other.Names().Heavy, "d1:1:ocr:1"); err != nil || info.Queue != "tinh-b:heavy" {
		t.Errorf("a page task is in %+v, %v; want tinh-b:heavy", info, err)
	}
}

// Asynq passes the retry delay the number of retries already made, from 0: the first retry waits
// Backoff(0). This runs a real server against a handler that fails twice.
func TestRetryDelayCountsFromZero(t *testing.T) {
	opt := redisOpt(t)
	q := New(opt, "tinh-r", 5)
	defer q.Close()
	var (
		mu      sync.Mutex
		delays  []int // what Asynq passed the delay function
		retries []int // what the handler saw as its retry count
	)
	done := make(chan struct{})
	handler := func(ctx context.Context, _ *asynq.Task) error {
		n, _ := asynq.GetRetryCount(ctx)
		mu.Lock()
		defer mu.Unlock()
		retries = append(retries, n)
		if n < 2 {
			return errors.New("not yet")
		}
		close(done)
		return nil
	}
	srv := NewServer(opt, Config{Deployment: "tinh-r", Concurrency: 1, Log: slog.New(slog.DiscardHandler),
		RetryDelay: func(n int) time.Duration {
			mu.Lock()
			defer mu.Unlock()
			delays = append(delays, n)
			return 10 * time.Millisecond
		}}, map[string]asynq.HandlerFunc{pipeline.Code.TaskType(): handler})
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Run(ctx) }()
	if _, err := q.Enqueue(t.Context(), pipeline.Code, pipeline.Payload{DocumentID: "d", Run: 1}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(time.Minute): // a hang guard, not a measure
		t.Fatal("the task did not succeed on its third try within a minute")
	}
	cancel()
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(retries) != 3 || retries[0] != 0 || retries[1] != 1 || retries[2] != 2 {
		t.Errorf("the handler saw retry counts %v, want [0 1 2]", retries)
	}
	if len(delays) != 2 || delays[0] != 0 || delays[1] != 1 {
		t.Errorf("Asynq passed the delay function %v, want [0 1]: Backoff(0) is the first retry's", delays)
	}
}
