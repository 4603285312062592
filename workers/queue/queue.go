// Package queue carries the pipeline's tasks in Redis through Asynq. Every queue name carries the
// deployment's name, so deployments sharing one Redis never take each other's tasks; enqueueing is
// idempotent by task ID; and Server runs the workers' handlers with sohoa's retry schedule.
package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/pipeline"
)

// Queue puts stage tasks into a deployment's queues.
type Queue struct {
	client    *asynq.Client
	inspector *asynq.Inspector
	names     Names
	maxRetry  int
}

// New uses the Redis connection in opt for deployment's queues; tasks are retried maxRetry times
// (pipeline.Retries of the retry budget).
func New(opt asynq.RedisConnOpt, deployment string, maxRetry int) *Queue {
	return &Queue{client: asynq.NewClient(opt), inspector: asynq.NewInspector(opt),
		names: NamesOf(deployment), maxRetry: maxRetry}
}

// Close releases the Redis connections.
func (q *Queue) Close() error { return errors.Join(q.client.Close(), q.inspector.Close()) }

// Names returns the queues q enqueues into.
func (q *Queue) Names() Names { return q.names }

// Enqueue asks for stage s to run for p, and reports whether it created a task. A task of the same ID
// already waiting, running or retrying is left as it is, so calling Enqueue twice is harmless. A task
// of that ID that Asynq archived (it failed for good while PostgreSQL still calls the document
// pending, e.g. because the database was away when the failure was to be recorded) is replaced, so
// no document stays stuck. Errors are fault.Unavailable when Redis does not answer.
func (q *Queue) Enqueue(ctx context.Context, s pipeline.Stage, p pipeline.Payload) (bool, error) {
	return q.enqueue(ctx, s.TaskType(), pipeline.TaskID(s, p), s.Timeout(), p)
}

// EnqueuePage asks for page p.Page to be recognised, as Enqueue does.
func (q *Queue) EnqueuePage(ctx context.Context, p pipeline.Payload) (bool, error) {
	return q.enqueue(ctx, pipeline.PageTaskType, pipeline.PageTaskID(p), pipeline.PageTimeout, p)
}

func (q *Queue) enqueue(ctx context.Context, typ, id string, timeout time.Duration, p pipeline.Payload) (bool, error) {
	op := "enqueue " + id
	body, err := p.Encode()
	if err != nil {
		return false, fault.E(op, fault.Input, err)
	}
	queue := q.names.For(typ, p)
	task := asynq.NewTask(typ, body, asynq.TaskID(id), asynq.Queue(queue), asynq.MaxRetry(q.maxRetry), asynq.Timeout(timeout))
	// Two rounds: a conflicting task may finish (and vanish) between the enqueue and the look at it.
	for range 2 {
		_, err = q.client.EnqueueContext(ctx, task)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, asynq.ErrTaskIDConflict) {
			return false, fault.E(op, fault.Unavailable, err)
		}
		info, err := q.inspector.GetTaskInfo(queue, id)
		switch {
		case errors.Is(err, asynq.ErrTaskNotFound):
			continue
		case err != nil:
			return false, fault.E(op+": look at the task already there", fault.Unavailable, err)
		case info.State != asynq.TaskStateArchived:
			return false, nil
		}
		if err := q.inspector.DeleteTask(queue, id); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return false, fault.E(op+": remove the archived task", fault.Unavailable, err)
		}
	}
	return false, fault.E(op, fault.Unavailable, fmt.Errorf("task ID still taken after two rounds"))
}
