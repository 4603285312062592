package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpfetch "github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/workers/queue"
)

const metricsToken = "e2e-metrics-token-of-32-characters!"

// scrape reads base/metrics with token as Prometheus does, and returns each series' value by its
// name and labels as the text format writes them (sohoa_documents{status="done"}).
func scrape(t *testing.T, base, token string) map[string]float64 {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("scrape %s: %d %s\n%s", base, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	out := map[string]float64{}
	lines := bufio.NewScanner(bytes.NewReader(body))
	for lines.Scan() {
		line := lines.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("scrape: %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// A real system's /metrics is scraped before and after a document goes through: every stage's and
// the page histogram's counts move, the document is counted done, its signed bytes archived and its
// upload counted; the deployment's queues are exported; the metrics listener serves the same. The
// queue view answers an admin, refuses a clerk and anyone not signed in.
func TestMetricsAndQueueView(t *testing.T) {
	metricsAddr := freeAddr(t)
	sys := startSystem(t, "SOHOA_METRICS_TOKEN", metricsToken, "SOHOA_METRICS_ADDR", metricsAddr)
	before := scrape(t, sys.base, metricsToken)
	for _, s := range pipeline.Stages() {
		key := `sohoa_stage_duration_seconds_count{outcome="done",stage="` + string(s) + `"}`
		if n, ok := before[key]; !ok || n != 0 {
			t.Errorf("before any document, %s = %v (exported %v), want 0", key, n, ok)
		}
	}

	d := sys.wait(t, sendOne(t, sys, "khai-sinh.png", sample(t, "khai-sinh.png")), 3*time.Minute)
	if d.Status != "done" {
		t.Fatalf("document %s: %s", d.ID, d.Status)
	}
	after := scrape(t, sys.base, metricsToken)
	moved := func(key string) float64 { return after[key] - before[key] }
	for _, s := range pipeline.Stages() {
		key := `sohoa_stage_duration_seconds_count{outcome="done",stage="` + string(s) + `"}`
		if moved(key) != 1 {
			t.Errorf("%s moved by %v, want 1", key, moved(key))
		}
		if sum := `sohoa_stage_duration_seconds_sum{outcome="done",stage="` + string(s) + `"}`; moved(sum) <= 0 {
			t.Errorf("%s moved by %v", sum, moved(sum))
		}
	}
	if n := moved("sohoa_page_duration_seconds_count"); n != float64(d.Pages) || moved("sohoa_page_duration_seconds_sum") <= 0 {
		t.Errorf("the page histogram moved by %v pages (%v s), the document has %d", n, moved("sohoa_page_duration_seconds_sum"), d.Pages)
	}
	if n := moved("sohoa_ocr_confidence_count"); n != float64(d.Pages) {
		t.Errorf("the confidence histogram moved by %v, want %d", n, d.Pages)
	}
	for key, want := range map[string]float64{
		`sohoa_documents_finished_total{status="done"}`:    1,
		`sohoa_documents{status="done"}`:                   1,
		`sohoa_documents{status="failed"}`:                 0,
		`sohoa_uploads_total{source="counter",station=""}`: 1,
	} {
		if got := after[key]; got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if moved("sohoa_archived_bytes_total") < 10_000 {
		t.Errorf("archived %v bytes, want a signed PDF's", moved("sohoa_archived_bytes_total"))
	}
	var ours int
	for key := range after {
		if strings.HasPrefix(key, `asynq_queue_size{queue="`) {
			name := strings.TrimSuffix(strings.TrimPrefix(key, `asynq_queue_size{queue="`), `"}`)
			if !queue.OfDeployment(sys.app.cfg.Deployment, name) {
				t.Errorf("another deployment's queue is exported: %s", key)
			}
			ours++
		}
	}
	if ours == 0 {
		t.Error("no queue of the deployment is exported")
	}

	if m := scrape(t, "http://"+metricsAddr, metricsToken); m[`sohoa_documents{status="done"}`] != 1 {
		t.Errorf("the metrics listener: sohoa_documents{status=done} = %v", m[`sohoa_documents{status="done"}`])
	}
	if code, body := sys.get(t, "/metrics"); code != http.StatusUnauthorized {
		t.Errorf("/metrics with an admin's account token: %d %.200s", code, body)
	}

	clerk := sys.newToken(t, "lan", "clerk", sys.app.cfg.Agency)
	if code, body := sys.get(t, "/admin/queues/"); code != http.StatusOK || !strings.Contains(string(body), "Asynq") {
		t.Errorf("the queue view as an admin: %d %.200s", code, body)
	}
	code, body := sys.get(t, "/admin/queues/api/queues")
	var listed struct{ Queues []struct{ Queue string } }
	if err := json.Unmarshal(body, &listed); code != http.StatusOK || err != nil || len(listed.Queues) == 0 {
		t.Errorf("the queue view's API as an admin: %d %v %.300s", code, err, body)
	}
	if code, body := sys.as(clerk).get(t, "/admin/queues/api/queues"); code != http.StatusForbidden {
		t.Errorf("the queue view as a clerk: %d %.200s", code, body)
	}
	if code, body := sys.as("").get(t, "/admin/queues/"); code != http.StatusUnauthorized {
		t.Errorf("the queue view signed out: %d %.200s", code, body)
	}
}

// The queue view in headless Chromium: signed out, the browser is shown why in Vietnamese; as an
// admin the console draws the deployment's queues under its own policy, with no script refused and
// nothing thrown.
func TestQueueViewInABrowser(t *testing.T) {
	b := newBrowser(t)
	// newBrowser lays sohoa's page policy over every page; the queue view has its own.
	if _, err := chromedp.Call(b.ctx, cdpfetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	sys := startSystem(t)
	b.do(chromedp.Navigate(sys.base + "/admin/queues/"))
	if got := b.text("main"); !strings.Contains(got, "Cần đăng nhập") || !strings.Contains(got, "quản trị viên") {
		t.Errorf("signed out, the queue view shows %q", got)
	}

	sendOne(t, sys, "khai-sinh.png", sample(t, "khai-sinh.png")) // Asynq knows a queue once a task went into it
	code, body := sys.get(t, "/admin/queues/api/queues")
	var listed struct{ Queues []struct{ Queue string } }
	if err := json.Unmarshal(body, &listed); code != http.StatusOK || err != nil || len(listed.Queues) == 0 {
		t.Fatalf("the queue view's API: %d %v %.300s", code, err, body)
	}
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + sys.token}}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(sys.base + "/admin/queues/"))
	name := listed.Queues[0].Queue
	b.waitFor("the queue "+name+" in the console", time.Minute, `document.body.innerText.includes(`+strconv.Quote(name)+`)`)
	if dir := os.Getenv("SOHOA_ARTEFACTS"); dir != "" {
		shot, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "queues.png"), shot, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
	}
	b.checkConsole()
}
