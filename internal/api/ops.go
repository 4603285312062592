package api

import (
	"crypto/subtle"
	"html/template"
	"net/http"
	"strings"
)

// QueuesPath is where the queue view (asynqmon) is mounted, for admins.
const QueuesPath = "/admin/queues"

// The codes of the operators' routes.
const (
	codeMetricsOff = "metrics_off" // 404: SOHOA_METRICS_TOKEN is empty
	codeQueuesOff  = "queues_off"  // 404: this process serves no queue view
)

// bearer reports whether r carries token as its bearer token, comparing in constant time.
func bearer(r *http.Request, token string) bool {
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte("Bearer "+token)) == 1
}

// metrics serves the Prometheus metrics to whoever holds the metrics token. They carry no personal
// data (counts and durations, no IDs or names but stations' account names), but the API's host
// faces the counters' PCs, and what sohoa is busy with is no one else's business.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	if s.MetricsToken == "" || s.Metrics == nil {
		writeError(w, http.StatusNotFound, codeMetricsOff, "Số liệu giám sát chưa được bật (SOHOA_METRICS_TOKEN).")
		return
	}
	if !bearer(r, s.MetricsToken) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sohoa metrics"`)
		writeError(w, http.StatusUnauthorized, codeUnauthorized, "Sai mã xác thực.")
		return
	}
	s.Metrics.ServeHTTP(w, r)
}

// MetricsHandler serves /metrics alone, as the metrics route does, for a listener of its own
// (SOHOA_METRICS_ADDR): no page or API is reachable there, so it needs none of their guards.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.guard(byMetricsToken, s.metrics))
	return mux
}

// queues serves the queue view to admins: its page, its assets and its API under QueuesPath. Its
// page needs its own Content-Security-Policy, which the handler sets.
func (s *Server) queues(w http.ResponseWriter, r *http.Request) {
	if s.Queues == nil {
		writeError(w, http.StatusNotFound, codeQueuesOff, "Máy chủ này không hiển thị hàng đợi.")
		return
	}
	s.Queues.ServeHTTP(w, r)
}

// navigation reports whether r is a browser opening a page (not a script's fetch), which is shown
// a page rather than JSON.
func navigation(r *http.Request) bool {
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	return strings.HasPrefix(r.Header.Get("Accept"), "text/html")
}

var refusalPage = template.Must(template.New("refusal").Parse(`<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Không truy cập được — sohoa</title>
<link rel="stylesheet" href="/style.css"></head>
<body><main id="main"><h1>Không truy cập được</h1><p>{{.Error}}</p>
<p>Trang này dành cho quản trị viên. <a href="/">Về trang chính để đăng nhập</a>, rồi mở lại địa chỉ này.</p>
<p><small>Mã lỗi: {{.Code}}</small></p></main></body></html>
`))

// writePage answers a browser with a page that says why it is refused, with the status and code a
// program would get as JSON.
func writePage(w http.ResponseWriter, status int, code, reason string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	refusalPage.Execute(w, errorBody{Error: reason, Code: code})
}
