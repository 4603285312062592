package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/workers"
)

// The rig's operators' handlers: they answer what they were asked, so a test sees what passed.
var (
	stubMetrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write([]byte("sohoa_uploads_total 1\n"))
	})
	stubQueues = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"asked": r.Method + " " + r.URL.Path})
	})
)

// /metrics answers its own bearer token only: not an account's, not a wrong one; and nothing at all
// when the token is not set.
func TestMetricsNeedTheirToken(t *testing.T) {
	r := newRig(t)
	get := func(auth string) answer {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		return r.anonymous().do(req)
	}
	if a := get("Bearer " + metricsToken); a.status != http.StatusOK || !strings.Contains(string(a.body), "sohoa_uploads_total") {
		t.Errorf("with the token: %d %s", a.status, a.body)
	}
	for _, auth := range []string{"", metricsToken, "Bearer " + metricsToken + "x", "Bearer " + r.token} {
		a := get(auth)
		a.wantError(t, http.StatusUnauthorized, codeUnauthorized)
		if a.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%q: a 401 without WWW-Authenticate", auth)
		}
	}
	r.srv.MetricsToken = ""
	get("Bearer ").wantError(t, http.StatusNotFound, codeMetricsOff)
}

// The metrics' own listener serves /metrics alone, behind the same token.
func TestMetricsHandlerServesMetricsOnly(t *testing.T) {
	r := newRig(t)
	h := r.srv.MetricsHandler()
	for _, c := range []struct {
		path, auth string
		want       int
	}{
		{"/metrics", "Bearer " + metricsToken, http.StatusOK},
		{"/metrics", "Bearer " + r.token, http.StatusUnauthorized},
		{"/api/v1/documents", "Bearer " + r.token, http.StatusNotFound},
		{"/admin/queues/", "Bearer " + r.token, http.StatusNotFound},
		{"/", "", http.StatusNotFound},
	} {
		req := httptest.NewRequest(http.MethodGet, c.path, nil)
		req.Header.Set("Authorization", c.auth)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("%s on the metrics listener: %d, want %d", c.path, rec.Code, c.want)
		}
	}
}

// The queue view is an admin's: its page, assets and API under the prefix reach it; a clerk is
// refused 403 and no one 401, as JSON to a script and as a page in Vietnamese to a browser.
func TestQueueViewIsForAdmins(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct{ method, path string }{
		{"GET", "/admin/queues/"}, {"GET", "/admin/queues/static/js/main.js"}, {"GET", "/admin/queues/api/queues"},
		{"POST", "/admin/queues/api/queues/tinh:fast:pause"}, {"DELETE", "/admin/queues/api/queues/tinh:fast/archived_tasks:delete_all"},
	} {
		a := r.do(httptest.NewRequest(c.method, c.path, nil))
		if a.status != http.StatusOK || !strings.Contains(string(a.body), `"`+c.method+" "+c.path+`"`) {
			t.Errorf("%s %s as an admin: %d %s", c.method, c.path, a.status, a.body)
		}
	}
	clerk := r.as("lan", account.Clerk, testAgency)
	clerk.get("/admin/queues/api/queues").wantError(t, http.StatusForbidden, codeForbidden)
	r.anonymous().get("/admin/queues/").wantError(t, http.StatusUnauthorized, codeUnauthorized)
	if a := r.do(httptest.NewRequest("GET", "/admin/queues", nil)); a.status/100 != 3 || a.header.Get("Location") != "/admin/queues/" {
		t.Errorf("/admin/queues: %d to %q, want a redirect to /admin/queues/", a.status, a.header.Get("Location"))
	}

	for _, c := range []struct {
		who    *rig
		status int
	}{{r.anonymous(), http.StatusUnauthorized}, {clerk, http.StatusForbidden}} {
		req := httptest.NewRequest("GET", "/admin/queues/", nil)
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		req.Header.Set("Accept", "text/html,application/xhtml+xml")
		a := c.who.do(req)
		if a.status != c.status || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || !vietnamese(string(a.body)) ||
			!strings.Contains(string(a.body), `href="/"`) {
			t.Errorf("a browser refused: %d %s\n%s", a.status, a.header.Get("Content-Type"), a.body)
		}
	}
	r.srv.Queues = nil
	r.get("/admin/queues/").wantError(t, http.StatusNotFound, codeQueuesOff)
}

// uploads counts what an Observer is told of uploads.
type uploads struct {
	workers.NopObserver
	mu   sync.Mutex
	seen []string
}

func (u *uploads) Received(channel, station string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.seen = append(u.seen, channel+" "+station)
}

// An upload through the API is the counter's, a station's when a station's account sends it (in
// whichever lane), or an import when anyone else asks for the bulk lane (sohoa import).
func TestUploadsAreToldByChannel(t *testing.T) {
	r := newRig(t)
	seen := &uploads{}
	r.srv.Intake.(*workers.Intake).Observe = seen
	clerk, station := r.as("lan", account.Clerk, testAgency), r.as("may-quet-1", account.Station, testAgency)
	clerk.upload("/api/v1/documents", "a.png", scanPNG(1)).wantStatus(t, http.StatusCreated)
	station.upload("/api/v1/documents", "b.png", scanPNG(2)).wantStatus(t, http.StatusCreated)
	clerk.upload("/api/v1/documents?lane=bulk", "c.png", scanPNG(3)).wantStatus(t, http.StatusCreated)
	station.upload("/api/v1/documents?lane=counter", "d.png", scanPNG(4)).wantStatus(t, http.StatusCreated)
	if got := strings.Join(seen.seen, ", "); got != "counter , station may-quet-1, import , station may-quet-1" {
		t.Errorf("uploads told: %q", got)
	}
}
