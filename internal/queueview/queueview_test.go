package queueview

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// The console on a real Redis: its page names nothing outside and each of its inline scripts is
// allowed by the page's policy; its scripts are served under the prefix; its API lists the queues.
func TestQueueView(t *testing.T) {
	addr, db := testenv.Redis(t)
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	if _, err := client.Enqueue(asynq.NewTask("ingest", []byte(`{"document_id":"x"}`)), asynq.Queue("tinh:fast")); err != nil {
		t.Fatal(err)
	}
	v, err := New(opt, "/admin/queues")
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		v.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		return rec
	}

	page := get("/admin/queues/")
	body, csp := page.Body.String(), page.Header().Get("Content-Security-Policy")
	if strings.Contains(body, "googleapis") || strings.Contains(body, "https://") {
		t.Errorf("the page loads something from outside:\n%s", body)
	}
	scripts := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindAllStringSubmatch(body, -1)
	if len(scripts) == 0 {
		t.Fatalf("no inline script in the page:\n%s", body)
	}
	for _, h := range scriptHashes([]byte(body)) {
		if !strings.Contains(csp, h) {
			t.Errorf("the policy %q does not allow the page's script %s", csp, h)
		}
	}
	if !strings.Contains(body, `window.FLAG_ROOT_PATH="\/admin\/queues"`) || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("page or policy not as served under /admin/queues: %s\n%s", csp, body)
	}
	src := regexp.MustCompile(`<script src="(/admin/queues/static/js/[^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(src) == 0 {
		t.Fatalf("the page names no script of its own:\n%s", body)
	}
	for _, m := range src {
		if js := get(m[1]); !strings.HasPrefix(js.Header().Get("Content-Type"), "application/javascript") || js.Body.Len() < 1000 {
			t.Errorf("%s: %s, %d bytes", m[1], js.Header().Get("Content-Type"), js.Body.Len())
		}
	}

	var queues struct {
		Queues []struct {
			Queue string `json:"queue"`
			Size  int    `json:"size"`
		} `json:"queues"`
	}
	if err := json.Unmarshal(get("/admin/queues/api/queues").Body.Bytes(), &queues); err != nil {
		t.Fatal(err)
	}
	if len(queues.Queues) != 1 || queues.Queues[0].Queue != "tinh:fast" || queues.Queues[0].Size != 1 {
		t.Errorf("the API's queues: %+v", queues)
	}
}
