package metrics

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	asynqmetrics "github.com/hibiken/asynq/x/metrics"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// StatusCounter counts documents by status (storage.Records.DocumentsByStatus).
type StatusCounter interface {
	DocumentsByStatus(ctx context.Context) (map[string]int64, error)
}

// scrapeTimeout bounds what one scrape waits for a store: Prometheus' own default timeout is 10 s.
const scrapeTimeout = 5 * time.Second

// DocumentsByStatus is the gauge sohoa_documents{status}, read from the store at each scrape: the
// store keeps the counts current, so reading them costs the same at any size (migration 0015). The
// statuses listed are exported at zero when no document has them, so their series never vanish.
func DocumentsByStatus(store StatusCounter, statuses []string) prometheus.Collector {
	return documents{store: store, statuses: statuses, desc: prometheus.NewDesc(namespace+"_documents",
		"Documents in each status (received, processing, done, failed, split), of every agency.", []string{"status"}, nil)}
}

type documents struct {
	store    StatusCounter
	statuses []string
	desc     *prometheus.Desc
}

func (d documents) Describe(ch chan<- *prometheus.Desc) { ch <- d.desc }

func (d documents) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := d.store.DocumentsByStatus(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(d.desc, err)
		return
	}
	for _, s := range d.statuses {
		if _, ok := counts[s]; !ok {
			counts[s] = 0
		}
	}
	for _, s := range slices.Sorted(maps.Keys(counts)) {
		ch <- prometheus.MustNewConstMetric(d.desc, prometheus.GaugeValue, float64(counts[s]), s)
	}
}

// Queues is asynq's collector of queue size, latency, tasks by state, processed and failed totals
// (asynq_queue_size, asynq_queue_latency_seconds, asynq_tasks_enqueued_total…), limited to the queues
// ours accepts: other deployments sharing the Redis export their own. It does not know queue names,
// so the queues can change without it. Close releases its Redis connection.
func Queues(opt asynq.RedisConnOpt, ours func(queue string) bool) *QueueCollector {
	in := asynq.NewInspector(opt)
	return &QueueCollector{inspector: in, all: asynqmetrics.NewQueueMetricsCollector(in), ours: ours}
}

// QueueCollector is what Queues returns.
type QueueCollector struct {
	inspector *asynq.Inspector
	all       prometheus.Collector
	ours      func(string) bool
}

func (q *QueueCollector) Close() error { return q.inspector.Close() }

func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) { q.all.Describe(ch) }

func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	all := make(chan prometheus.Metric)
	go func() {
		q.all.Collect(all)
		close(all)
	}()
	for m := range all {
		if q.ours(queueOf(m)) {
			ch <- m
		}
	}
}

// queueOf is the value of m's queue label.
func queueOf(m prometheus.Metric) string {
	var pb dto.Metric
	if err := m.Write(&pb); err != nil {
		return ""
	}
	for _, l := range pb.GetLabel() {
		if l.GetName() == "queue" {
			return l.GetValue()
		}
	}
	return ""
}
