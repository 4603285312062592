package main

import (
	"fmt"
	"log/slog"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/metrics"
	"github.com/sohoa-vn/sohoa/internal/queueview"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers/queue"
)

// newMetrics is a process's registry, with the pipeline's stages and the statuses a run ends with
// known in advance.
func newMetrics(log *slog.Logger) *metrics.Metrics {
	var stages []string
	for _, s := range pipeline.Stages() {
		stages = append(stages, string(s))
	}
	return metrics.New(metrics.Options{Stages: stages, Log: log.With("component", "metrics"),
		Statuses: []string{storage.StatusDone, storage.StatusFailed, storage.StatusSplit}})
}

// serveOperators gives the API process what is the deployment's as a whole, which one kind of
// process exports so that Prometheus gets one copy: documents by status and the queues' metrics;
// and the queue view for srv's admins.
func (a *app) serveOperators(srv *api.Server) error {
	statuses := []string{storage.StatusReceived, storage.StatusProcessing, storage.StatusDone, storage.StatusFailed, storage.StatusSplit}
	queues := metrics.Queues(a.redis, func(name string) bool { return queue.OfDeployment(a.cfg.Deployment, name) })
	a.closers = append(a.closers, queues.Close)
	if err := a.metrics.Register(metrics.DocumentsByStatus(a.records, statuses)); err != nil {
		return err
	}
	if err := a.metrics.Register(queues); err != nil {
		return err
	}
	view, err := queueview.New(a.redis, api.QueuesPath)
	if err != nil {
		return fmt.Errorf("queue view: %w", err)
	}
	a.closers = append(a.closers, view.Close)
	srv.Queues = view
	return nil
}
