package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
	"github.com/sohoa-vn/sohoa/workers"
)

var _ workers.Observer = (*Metrics)(nil)

func newMetrics(t *testing.T) *Metrics {
	t.Helper()
	return New(Options{Stages: []string{"ingest", "ocr", "sign"}, Statuses: []string{"done", "failed"}})
}

// families gathers m's registry by name.
func families(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	fs, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fs {
		out[f.GetName()] = f
	}
	return out
}

// series returns the metric of family name whose labels are labels (name, value pairs).
func series(t *testing.T, m *Metrics, name string, labels ...string) *dto.Metric {
	t.Helper()
	f, ok := families(t, m)[name]
	if !ok {
		t.Fatalf("%s is not exported", name)
	}
next:
	for _, s := range f.GetMetric() {
		if len(s.GetLabel())*2 != len(labels) {
			continue
		}
		for _, l := range s.GetLabel() {
			i := indexOf(labels, l.GetName())
			if i < 0 || labels[i+1] != l.GetValue() {
				continue next
			}
		}
		return s
	}
	t.Fatalf("%s has no series %v", name, labels)
	return nil
}

func indexOf(pairs []string, name string) int {
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i] == name {
			return i
		}
	}
	return -1
}

// What the workers observe lands in the series the dashboard reads: durations in seconds in their
// buckets, final failures apart from retries, confidence, bytes and uploads by source and station.
func TestObserverWritesTheMetrics(t *testing.T) {
	m := newMetrics(t)
	if n := series(t, m, "sohoa_stage_duration_seconds", "stage", "sign", "outcome", "done").GetHistogram().GetSampleCount(); n != 0 {
		t.Fatalf("a stage counted %d before anything ran", n)
	}
	m.StageDone("ingest", 300*time.Millisecond)
	m.StageDone("ingest", 2*time.Second)
	m.StageFailed("ocr", "ocr_crash", false, 4*time.Second)
	m.StageFailed("ocr", "ocr_crash", true, 5*time.Second)
	m.StageFailed("ingest", "truncated", true, 10*time.Millisecond)
	m.PageRead(3*time.Second, 91)
	m.PageRead(7*time.Second, 42)
	m.Finished("done")
	m.Archived(1500)
	m.Archived(2500)
	m.Received(workers.ChannelStation, "may-quet-1")
	m.Received(workers.ChannelCounter, "")
	m.Received(workers.ChannelCounter, "")

	ingest := series(t, m, "sohoa_stage_duration_seconds", "stage", "ingest", "outcome", "done").GetHistogram()
	if ingest.GetSampleCount() != 2 || ingest.GetSampleSum() != 2.3 {
		t.Errorf("ingest: %d samples, %v s; want 2, 2.3 s", ingest.GetSampleCount(), ingest.GetSampleSum())
	}
	if under := cumulative(ingest, 0.5); under != 1 {
		t.Errorf("%d ingest samples at or under 0.5 s, want 1", under)
	}
	if n := series(t, m, "sohoa_stage_duration_seconds", "stage", "ocr", "outcome", "failed").GetHistogram().GetSampleCount(); n != 2 {
		t.Errorf("%d failed OCR attempts timed, want 2", n)
	}
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"sohoa_stage_failures_total", []string{"stage", "ocr", "code", "ocr_crash"}, 1},
		{"sohoa_stage_retries_total", []string{"stage", "ocr", "code", "ocr_crash"}, 1},
		{"sohoa_stage_failures_total", []string{"stage", "ingest", "code", "truncated"}, 1},
		{"sohoa_documents_finished_total", []string{"status", "done"}, 1},
		{"sohoa_documents_finished_total", []string{"status", "failed"}, 0},
		{"sohoa_archived_bytes_total", nil, 4000},
		{"sohoa_uploads_total", []string{"source", "station", "station", "may-quet-1"}, 1},
		{"sohoa_uploads_total", []string{"source", "counter", "station", ""}, 2},
	} {
		if got := series(t, m, c.name, c.labels...).GetCounter().GetValue(); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	pages := series(t, m, "sohoa_page_duration_seconds").GetHistogram()
	conf := series(t, m, "sohoa_ocr_confidence").GetHistogram()
	if pages.GetSampleCount() != 2 || pages.GetSampleSum() != 10 || conf.GetSampleSum() != 133 || cumulative(conf, 70) != 1 {
		t.Errorf("pages %d in %v s, confidence sum %v with %d at or under 70; want 2 in 10 s, 133, 1",
			pages.GetSampleCount(), pages.GetSampleSum(), conf.GetSampleSum(), cumulative(conf, 70))
	}
}

// cumulative is how many of h's samples are at or under the bucket bound le.
func cumulative(h *dto.Histogram, le float64) uint64 {
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	return 0
}

// The buckets reach from 10 ms to 5 minutes, as the issue asks, in increasing order.
func TestDurationBuckets(t *testing.T) {
	b := DurationBuckets
	if b[0] != 0.01 || b[len(b)-1] != 300 {
		t.Errorf("buckets from %v to %v s, want 0.01 to 300", b[0], b[len(b)-1])
	}
	for i := 1; i < len(b); i++ {
		if b[i] <= b[i-1] {
			t.Errorf("bucket %v after %v", b[i], b[i-1])
		}
	}
}

// The documents gauge is read from the store at each scrape, with every listed status, zero or not.
func TestDocumentsByStatusFromTheStore(t *testing.T) {
	store := memory.New()
	m := newMetrics(t)
	must(t, m.Register(DocumentsByStatus(store, []string{storage.StatusReceived, storage.StatusProcessing, storage.StatusFailed})))
	ctx := t.Context()
	var first storage.Document
	for i, sha := range []string{"a", "b", "c"} {
		d, _, err := store.CreateDocument(ctx, storage.NewDocument{ID: uuid.NewString(), SHA256: sha, OriginalKey: "originals/" + sha})
		must(t, err)
		if i == 0 {
			first = d
		}
	}
	must(t, store.StartStage(ctx, storage.Claim{Document: first.ID, Run: 1, Stage: "ingest"}))
	want := map[string]float64{storage.StatusReceived: 2, storage.StatusProcessing: 1, storage.StatusFailed: 0}
	for status, n := range want {
		if got := series(t, m, "sohoa_documents", "status", status).GetGauge().GetValue(); got != n {
			t.Errorf("sohoa_documents{status=%q} = %v, want %v", status, got, n)
		}
	}
	must(t, store.FailStage(ctx, storage.Claim{Document: first.ID, Run: 1, Stage: "ingest"}, storage.Failure{Code: "truncated"}, true))
	if got := series(t, m, "sohoa_documents", "status", storage.StatusFailed).GetGauge().GetValue(); got != 1 {
		t.Errorf("after a failure, sohoa_documents{status=failed} = %v, want 1", got)
	}
}

type downStore struct{}

func (downStore) DocumentsByStatus(context.Context) (map[string]int64, error) {
	return nil, errors.New("postgres: connection refused")
}

// A store that does not answer costs its gauge only: the scrape still serves everything else, and
// the operators' log says why.
func TestAScrapeOutlivesTheStore(t *testing.T) {
	log := &testenv.Buffer{}
	m := New(Options{Log: slog.New(slog.NewTextHandler(log, nil))})
	must(t, m.Register(DocumentsByStatus(downStore{}, []string{storage.StatusDone})))
	m.PageRead(time.Second, 90)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 || !strings.Contains(string(body), "sohoa_page_duration_seconds_count 1") || strings.Contains(string(body), "sohoa_documents{") {
		t.Errorf("scrape with the store down: %d\n%s", rec.Code, body)
	}
	if !strings.Contains(log.String(), "connection refused") {
		t.Errorf("the log does not say why the gauge is missing:\n%s", log.String())
	}
}

// The queues' metrics come from asynq's collector on a real Redis, for this deployment's queues
// only, whatever their names.
func TestQueuesOfTheDeploymentOnly(t *testing.T) {
	addr, db := testenv.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	for _, q := range []string{"tinh-a:fast", "tinh-a:fast", "tinh-a:bulk", "tinh-b:fast"} {
		if _, err := client.Enqueue(asynq.NewTask("ingest", nil), asynq.Queue(q)); err != nil {
			t.Fatal(err)
		}
	}
	m := newMetrics(t)
	queues := Queues(opt, func(q string) bool { return strings.HasPrefix(q, "tinh-a:") })
	defer queues.Close()
	must(t, m.Register(queues))
	for q, n := range map[string]float64{"tinh-a:fast": 2, "tinh-a:bulk": 1} {
		if got := series(t, m, "asynq_queue_size", "queue", q).GetGauge().GetValue(); got != n {
			t.Errorf("asynq_queue_size{queue=%q} = %v, want %v", q, got, n)
		}
	}
	if n := testutil.CollectAndCount(queues, "asynq_queue_size"); n != 2 {
		t.Errorf("%d queues' sizes exported, want tinh-a's 2 (not tinh-b's)", n)
	}
	series(t, m, "asynq_queue_latency_seconds", "queue", "tinh-a:fast") // fails the test when missing
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
