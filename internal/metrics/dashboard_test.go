package metrics

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	dto "github.com/prometheus/client_model/go"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
)

// dashboard is the part of a Grafana dashboard the test reads.
type dashboard struct {
	Title  string  `json:"title"`
	Panels []panel `json:"panels"`
}

type panel struct {
	Title   string  `json:"title"`
	Type    string  `json:"type"`
	Panels  []panel `json:"panels"` // a collapsed row's
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// The dashboard under deploy/ is valid JSON, has a panel for each thing the issue names, and each
// query reads only metrics the registry really exports: the names come from a live registry that has
// seen one of everything (asynq's from a real Redis with a queue of the deployment), not from a list.
func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "deploy", "grafana", "sohoa.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("deploy/grafana/sohoa.json is not valid JSON: %v", err)
	}
	exported := exportedNames(t, liveMetrics(t))
	read := map[string]bool{}
	var titles []string
	for _, p := range allPanels(d.Panels) {
		if p.Type == "row" {
			continue
		}
		titles = append(titles, p.Title)
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			names := metricNames(target.Expr)
			if len(names) == 0 {
				t.Errorf("panel %q: query %q names no metric", p.Title, target.Expr)
			}
			for _, n := range names {
				read[n] = true
				if !exported[n] {
					t.Errorf("panel %q: %s is not a metric sohoa exports (query %q)", p.Title, n, target.Expr)
				}
			}
		}
	}
	for _, want := range []string{"sohoa_documents_finished_total", "sohoa_page_duration_seconds_count", "sohoa_stage_duration_seconds_bucket",
		"sohoa_stage_failures_total", "asynq_queue_size", "asynq_queue_latency_seconds", "sohoa_ocr_confidence_bucket", "sohoa_uploads_total"} {
		if !read[want] {
			t.Errorf("no panel reads %s; panels: %v", want, titles)
		}
	}
}

func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// liveMetrics is a registry as the API process has it, after one of everything was observed.
func liveMetrics(t *testing.T) *Metrics {
	t.Helper()
	m := newMetrics(t)
	m.StageDone("ingest", time.Second)
	m.StageFailed("ocr", "ocr_crash", false, time.Second)
	m.StageFailed("ocr", "ocr_crash", true, time.Second)
	m.PageRead(time.Second, 80)
	m.Finished("done")
	m.Archived(1)
	m.Received("station", "may-quet-1")
	must(t, m.Register(DocumentsByStatus(memory.New(), []string{storage.StatusDone})))
	addr, db := testenv.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	if _, err := client.Enqueue(asynq.NewTask("ingest", nil), asynq.Queue("tinh:fast")); err != nil {
		t.Fatal(err)
	}
	queues := Queues(opt, func(string) bool { return true })
	t.Cleanup(func() { queues.Close() })
	must(t, m.Register(queues))
	return m
}

// exportedNames are the series names m exports: a histogram's family as its _bucket, _sum and _count.
func exportedNames(t *testing.T, m *Metrics) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for name, f := range families(t, m) {
		out[name] = true
		if f.GetType() == dto.MetricType_HISTOGRAM {
			out[name+"_bucket"], out[name+"_sum"], out[name+"_count"] = true, true, true
		}
	}
	return out
}

var (
	quoted     = regexp.MustCompile("\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'|`[^`]*`")
	matchers   = regexp.MustCompile(`\{[^}]*\}`)
	ranges     = regexp.MustCompile(`\[[^\]]*\]`)
	numbers    = regexp.MustCompile(`\b\d+(\.\d+)?([eE][+-]?\d+)?(ms|s|m|h|d|w|y)*\b`) // 0.95, 5m, 1e3
	labelLists = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	identifier = regexp.MustCompile(`\$?[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(?`)
)

// keywords of PromQL that look like names.
var keywords = []string{"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"}

// metricNames are the metrics a PromQL expression reads: its names that are neither functions nor
// aggregations (followed by a parenthesis), keywords, label names or values, durations, nor Grafana
// variables.
func metricNames(expr string) []string {
	expr = quoted.ReplaceAllString(expr, `""`)
	expr = matchers.ReplaceAllString(expr, " ")
	expr = ranges.ReplaceAllString(expr, " ")
	expr = labelLists.ReplaceAllString(expr, " ")
	expr = numbers.ReplaceAllString(expr, " ")
	var out []string
	for _, tok := range identifier.FindAllString(expr, -1) {
		if strings.HasPrefix(tok, "$") || strings.HasSuffix(tok, "(") || slices.Contains(keywords, strings.ToLower(strings.TrimSpace(tok))) {
			continue
		}
		out = append(out, strings.TrimSpace(tok))
	}
	return out
}

// The name reader finds the metrics of the forms the dashboard uses, and nothing else.
func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`histogram_quantile(0.95, sum by (le, stage) (rate(sohoa_stage_duration_seconds_bucket{outcome="done"}[$__rate_interval])))`: {"sohoa_stage_duration_seconds_bucket"},
		`100 * sum(rate(x_bucket{le="70"}[1h])) / sum(rate(x_count[1h]))`:                                                            {"x_bucket", "x_count"},
		`max by (queue, state) (asynq_tasks_enqueued_total{state=~"retry|archived"})`:                                                {"asynq_tasks_enqueued_total"},
		`a and on (job) b offset 5m`:                                {"a", "b"},
		`sum without (instance) (up)`:                               {"up"},
		`topk(20, sum by (station) (increase(u{station!=""}[1d])))`: {"u"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%q) = %v, want %v", expr, got, want)
		}
	}
}
