// Package metrics exports what sohoa does to Prometheus: stage and page durations, failures by stage
// and reason code, OCR confidence, bytes archived and uploads by channel and station, observed by the
// workers (Metrics is their workers.Observer); documents by status, read from the store at each
// scrape; and the queues' size and latency through asynq's own collector. Each Metrics has its own
// registry, never Prometheus' global one, so tests and processes never share counters.
//
// Every process counts what it does itself (sum over instances); what is the deployment's as a whole
// (documents by status, queues) is exported by the processes that serve the API, so Prometheus does
// not get one copy per worker.
package metrics

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace starts every name of sohoa's own metrics.
const namespace = "sohoa"

// DurationBuckets fit both a page's OCR (seconds) and a stage (a signature's 100 ms to the OCR
// of a long dossier's minutes): 10 ms to 5 minutes, about three buckets a decade.
var DurationBuckets = []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300}

// ConfidenceBuckets are mean word confidences (0–100): finer toward the top, where the review
// threshold (SOHOA_OCR_MIN_CONFIDENCE, 70 by default) and good scans lie.
var ConfidenceBuckets = []float64{10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 100}

// Metrics is one process's registry and the workers' observer writing into it.
type Metrics struct {
	reg        *prometheus.Registry
	log        *slog.Logger
	stage      *prometheus.HistogramVec
	page       prometheus.Histogram
	failures   *prometheus.CounterVec
	retries    *prometheus.CounterVec
	finished   *prometheus.CounterVec
	confidence prometheus.Histogram
	archived   prometheus.Counter
	uploads    *prometheus.CounterVec
}

// Options are what New needs to know in advance.
type Options struct {
	// Stages are the pipeline's stages (pipeline.Stages): their series exist at zero from the start,
	// so a rate over the first document's stages is not lost.
	Stages []string
	// Statuses are the statuses a document ends its run with, pre-set at zero for the same reason.
	Statuses []string
	Log      *slog.Logger
}

// New returns a registry with sohoa's metrics and the Go runtime's and the process's.
func New(o Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), log: o.Log}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	m.stage = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Name: "stage_duration_seconds",
		Help:    "Time an attempt at a stage took, by stage and outcome (done, failed); the OCR stage's from its start to its last page.",
		Buckets: DurationBuckets}, []string{"stage", "outcome"})
	m.page = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "page_duration_seconds",
		Help: "Time Tesseract took to read one page.", Buckets: DurationBuckets})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "stage_failures_total",
		Help: "Documents failed for good, by the stage that failed and its stable reason code."}, []string{"stage", "code"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "stage_retries_total",
		Help: "Failed attempts that will be retried, by stage and reason code."}, []string{"stage", "code"})
	m.finished = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "documents_finished_total",
		Help: "Documents that ended a run, by the status they ended with (done, failed, split)."}, []string{"status"})
	m.confidence = prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Name: "ocr_confidence",
		Help: "Mean word confidence of each page read (0-100).", Buckets: ConfidenceBuckets})
	m.archived = prometheus.NewCounter(prometheus.CounterOpts{Namespace: namespace, Name: "archived_bytes_total",
		Help: "Bytes of signed files written to the archive."})
	m.uploads = prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Name: "uploads_total",
		Help: "Uploads that became new documents, by channel (counter, station, import, s3, api) and station account (\"\" for none)."},
		[]string{"source", "station"})
	m.reg.MustRegister(m.stage, m.page, m.failures, m.retries, m.finished, m.confidence, m.archived, m.uploads,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, s := range o.Stages {
		m.stage.WithLabelValues(s, outcomeDone)
		m.stage.WithLabelValues(s, outcomeFailed)
	}
	for _, s := range o.Statuses {
		m.finished.WithLabelValues(s)
	}
	return m
}

const (
	outcomeDone   = "done"
	outcomeFailed = "failed"
)

// Register adds a collector of the deployment's own (DocumentsByStatus, Queues) to the registry.
func (m *Metrics) Register(c prometheus.Collector) error {
	if err := m.reg.Register(c); err != nil {
		return fmt.Errorf("register metrics collector: %w", err)
	}
	return nil
}

// Gatherer is the registry, for tests that read what it exports.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Handler serves the registry in Prometheus' text format. A collector that fails (PostgreSQL or
// Redis away) leaves its metrics out and is logged; the rest is still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: errorLog{m.log}, ErrorHandling: promhttp.ContinueOnError})
}

type errorLog struct{ log *slog.Logger }

func (l errorLog) Println(v ...any) { l.log.Warn("metrics: " + fmt.Sprint(v...)) }

// The workers.Observer methods.

func (m *Metrics) StageDone(stage string, d time.Duration) {
	m.stage.WithLabelValues(stage, outcomeDone).Observe(d.Seconds())
}

func (m *Metrics) StageFailed(stage, code string, final bool, d time.Duration) {
	m.stage.WithLabelValues(stage, outcomeFailed).Observe(d.Seconds())
	if final {
		m.failures.WithLabelValues(stage, code).Inc()
	} else {
		m.retries.WithLabelValues(stage, code).Inc()
	}
}

func (m *Metrics) PageRead(d time.Duration, confidence float64) {
	m.page.Observe(d.Seconds())
	m.confidence.Observe(confidence)
}

func (m *Metrics) Finished(status string) { m.finished.WithLabelValues(status).Inc() }

func (m *Metrics) Archived(bytes int64) { m.archived.Add(float64(bytes)) }

func (m *Metrics) Received(channel, station string) {
	m.uploads.WithLabelValues(channel, station).Inc()
}
