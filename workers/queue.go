package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/pipeline"
)

// Asynq queues. Cheap stages get the larger weight, so a long dossier's OCR cannot stall the quick
// steps of everyone else's documents (head-of-line blocking, a common complaint about peers).
const (
	queueFast  = "fast"
	queueHeavy = "heavy"
)

func queueOf(s pipeline.Stage) string {
	if s == pipeline.OCR || s == pipeline.PDFA {
		return queueHeavy
	}
	return queueFast
}

// Queues returns the Asynq queue weights a worker serves.
func Queues() map[string]int { return map[string]int{queueFast: 6, queueHeavy: 4} }

// Queue puts stage tasks into Redis.
type Queue struct {
	client    *asynq.Client
	inspector *asynq.Inspector
}

// NewQueue uses the Redis connection in opt.
func NewQueue(opt asynq.RedisConnOpt) *Queue {
	return &Queue{client: asynq.NewClient(opt), inspector: asynq.NewInspector(opt)}
}

// Close releases the Redis connections.
func (q *Queue) Close() error {
	return errors.Join(q.client.Close(), q.inspector.Close())
}

// Enqueue asks for stage s to run for p. A task of the same ID already waiting, running or retrying is
// left as it is, so calling Enqueue twice is harmless. A task of that ID that Asynq archived (it
// failed for good while PostgreSQL still calls the document pending, e.g. because the database was
// away when the failure was to be recorded) is replaced, so no document stays stuck.
func (q *Queue) Enqueue(ctx context.Context, s pipeline.Stage, p pipeline.Payload) error {
	return q.enqueue(ctx, s.TaskType(), pipeline.TaskID(s, p), queueOf(s), s.Timeout(), p)
}

// EnqueuePage asks for page p.Page to be recognised, with the same idempotence as Enqueue.
func (q *Queue) EnqueuePage(ctx context.Context, p pipeline.Payload) error {
	return q.enqueue(ctx, pipeline.PageTaskType, pipeline.PageTaskID(p), queueHeavy, pipeline.PageTimeout, p)
}

func (q *Queue) enqueue(ctx context.Context, typ, id, queue string, timeout time.Duration, p pipeline.Payload) error {
	body, err := p.Encode()
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", id, err)
	}
	task := asynq.NewTask(typ, body,
		asynq.TaskID(id), asynq.Queue(queue), asynq.MaxRetry(pipeline.MaxRetry), asynq.Timeout(timeout))
	_, err = q.client.EnqueueContext(ctx, task)
	if !errors.Is(err, asynq.ErrTaskIDConflict) {
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", id, err)
		}
		return nil
	}
	info, ierr := q.inspector.GetTaskInfo(queue, id)
	if ierr != nil || info.State != asynq.TaskStateArchived {
		return nil
	}
	if err := q.inspector.DeleteTask(queue, id); err != nil {
		return fmt.Errorf("enqueue %s: remove archived task: %w", id, err)
	}
	if _, err := q.client.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue %s again: %w", id, err)
	}
	return nil
}
