package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/pipeline"
)

// Server runs handlers on a deployment's queues.
type Server struct {
	srv *asynq.Server
	mux *asynq.ServeMux
}

// Config is how a Server runs.
type Config struct {
	Deployment  string
	Concurrency int
	Log         *slog.Logger
	// RetryDelay gives the delay before a retry from the number of retries already made, counted
	// from 0 as Asynq passes it; nil means pipeline.Backoff.
	RetryDelay func(retried int) time.Duration
}

// NewServer serves handlers, keyed by task type, on the counter lane's queues with cfg.Concurrency
// goroutines. BulkServer serves the bulk lane.
func NewServer(opt asynq.RedisConnOpt, cfg Config, handlers map[string]asynq.HandlerFunc) *Server {
	return &Server{srv: asynq.NewServer(opt, asynqConfig(cfg, NamesOf(cfg.Deployment).Weights())), mux: muxOf(handlers)}
}

func asynqConfig(cfg Config, queues map[string]int) asynq.Config {
	delay := cfg.RetryDelay
	if delay == nil {
		delay = pipeline.Backoff
	}
	return asynq.Config{
		Concurrency:     cfg.Concurrency,
		Queues:          queues,
		RetryDelayFunc:  func(n int, _ error, _ *asynq.Task) time.Duration { return delay(n) },
		ShutdownTimeout: 30 * time.Second,
		// Asynq sleeps this long when it finds the queues empty. Each stage enqueues the next, so a
		// document waits out this interval at every hop: the default of 1 s added seconds to each
		// document. 100 ms costs an idle worker ten cheap Redis calls a second.
		TaskCheckInterval: 100 * time.Millisecond,
		// How often retries whose delay has passed move back to the queue: Asynq's 5 s default adds
		// up to 5 s to every retry, on top of a backoff that starts at 2 s.
		DelayedTaskCheckInterval: time.Second,
		Logger:                   asynqLogger{cfg.Log.With("component", "asynq")},
	}
}

func muxOf(handlers map[string]asynq.HandlerFunc) *asynq.ServeMux {
	mux := asynq.NewServeMux()
	for typ, h := range handlers {
		mux.HandleFunc(typ, h)
	}
	return mux
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
