package queue

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/clock"
)

// QueueLister lists every queue Redis knows (asynq.Inspector).
type QueueLister interface {
	Queues() ([]string, error)
}

// BulkServer serves the bulk lane: each agency's queue pair (Names.For), every agency weighted alike,
// so that Asynq's weighted choice of a queue at every task gives each agency with work its turn.
//
// Asynq fixes a server's queues when it starts, and an agency's queues appear in Redis with its first
// bulk task. So BulkServer looks at start and then every Interval, and when the set has grown it
// starts a server over the new set and retires the old one: that stops taking tasks at once and shuts
// down once the tasks it runs are done, so no page is cut short (meanwhile the lane runs up to twice
// its workers; a new agency's first bulk task is rare).
type BulkServer struct {
	Redis    asynq.RedisConnOpt
	Config   Config // as for NewServer; Concurrency is the bulk lane's own
	Handlers map[string]asynq.HandlerFunc
	Queues   QueueLister
	Interval time.Duration
	Clock    clock.Clock
}

// generation is one asynq.Server over one set of queues, and how many tasks it is running.
type generation struct {
	srv    *asynq.Server
	queues map[string]int
	active atomic.Int64
}

// Run serves until ctx ends, then shuts down as Server.Run does.
func (b *BulkServer) Run(ctx context.Context) error {
	names := NamesOf(b.Config.Deployment)
	log := b.Config.Log.With("component", "bulk")
	var cur *generation
	var retiring sync.WaitGroup
	defer func() {
		if cur != nil {
			cur.srv.Shutdown()
		}
		retiring.Wait()
	}()
	for {
		all, err := b.Queues.Queues()
		if err != nil {
			log.Warn("could not list the queues; bulk work waits for Redis", "error", err)
		} else if w := names.BulkWeights(all); len(w) > 0 && (cur == nil || !sameQueues(w, cur.queues)) {
			next, err := b.start(w)
			if err != nil {
				return err
			}
			if cur != nil {
				old := cur
				old.srv.Stop()
				retiring.Go(func() { old.retire(ctx, b.Clock) })
			}
			cur = next
			log.Info("serving the bulk lane", "queues", sortedNames(w))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-b.Clock.After(b.Interval):
		}
	}
}

func (b *BulkServer) start(queues map[string]int) (*generation, error) {
	g := &generation{queues: queues, srv: asynq.NewServer(b.Redis, asynqConfig(b.Config, queues))}
	mux := muxOf(b.Handlers)
	err := g.srv.Start(asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		g.active.Add(1)
		defer g.active.Add(-1)
		return mux.ProcessTask(ctx, t)
	}))
	if err != nil {
		return nil, fmt.Errorf("start the bulk lane's workers: %w", err)
	}
	return g, nil
}

// retire shuts a stopped generation down once its running tasks are done, or at once when ctx ends
// (Shutdown then gives them the usual grace).
func (g *generation) retire(ctx context.Context, clk clock.Clock) {
	for g.active.Load() > 0 {
		select {
		case <-ctx.Done():
			g.srv.Shutdown()
			return
		case <-clk.After(time.Second):
		}
	}
	g.srv.Shutdown()
}
