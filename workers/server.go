package workers

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/pipeline"
)

// Server runs the stage handlers on Asynq.
type Server struct {
	srv *asynq.Server
	mux *asynq.ServeMux
}

// NewServer serves h's stages from Redis with concurrency handler goroutines.
func NewServer(opt asynq.RedisConnOpt, concurrency int, h *Handlers) *Server {
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency:     concurrency,
		Queues:          Queues(),
		RetryDelayFunc:  func(n int, _ error, _ *asynq.Task) time.Duration { return pipeline.Backoff(n) },
		ShutdownTimeout: 30 * time.Second,
		// Asynq sleeps this long when it finds the queues empty. Each stage enqueues the next, so a
		// document waits out this interval at every hop: the default of 1 s added seconds to each
		// document. 100 ms costs an idle worker ten cheap Redis calls a second.
		TaskCheckInterval: 100 * time.Millisecond,
		Logger:            asynqLogger{h.Log.With("component", "asynq")},
		// A task Asynq recovers after a worker died is the same task; the handler's stale check and
		// the stages' idempotence make running it again safe.
	})
	mux := asynq.NewServeMux()
	h.Register(mux)
	return &Server{srv: srv, mux: mux}
}

// Run processes tasks until ctx ends, then stops taking new ones and waits up to the shutdown timeout
// for running ones; those still running go back to the queue.
func (s *Server) Run(ctx context.Context) error {
	if err := s.srv.Start(s.mux); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	<-ctx.Done()
	s.srv.Shutdown()
	return nil
}

type asynqLogger struct{ log *slog.Logger }

func (l asynqLogger) Debug(args ...any) { l.log.Debug(fmt.Sprint(args...)) }
func (l asynqLogger) Info(args ...any)  { l.log.Info(fmt.Sprint(args...)) }
func (l asynqLogger) Warn(args ...any)  { l.log.Warn(fmt.Sprint(args...)) }
func (l asynqLogger) Error(args ...any) { l.log.Error(fmt.Sprint(args...)) }
func (l asynqLogger) Fatal(args ...any) { l.log.Error(fmt.Sprint(args...)); panic(fmt.Sprint(args...)) }
