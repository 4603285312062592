package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const publicURL = "https://sohoa.example.vn"

// guarded is a rig whose guard is configured as cmd/sohoa configures it in production.
func guarded(t *testing.T) *rig {
	r := newRig(t)
	u, _ := url.Parse(publicURL)
	r.srv.Guard = Guard{PublicURL: u, Hosts: []string{"sohoa.example.vn", "sohoa"}}
	return r
}

// request is a request to the rig from host, with the header pairs kv.
func request(method, host, path, body string, kv ...string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Host = host
	if body == "" {
		req.ContentLength = 0
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	return req
}

var dossierBody = `{"owner_id": "001099012345", "owner_name": "Nguyễn Văn An", "procedure_code": "1.001234", "procedure_name": "Đăng ký khai sinh"}`

// A state-changing request from a page elsewhere, or with a body a page elsewhere can send without
// asking (text/plain, a form), is refused before its handler runs; programs without an Origin and
// sohoa's own page pass; reads are not checked.
func TestGuardRefusesCrossSiteWrites(t *testing.T) {
	const host = "sohoa.example.vn"
	multipartCT := "multipart/form-data; boundary=x"
	for _, c := range []struct {
		name   string
		req    *http.Request
		status int
		code   string // "" when the handler answered
	}{
		{"foreign Origin", request("POST", host, "/api/v1/dossiers", dossierBody, "Origin", "https://evil.example", "Content-Type", "application/json"), 403, codeBadOrigin},
		{"Origin of another port", request("POST", host, "/api/v1/dossiers", dossierBody, "Origin", "https://sohoa.example.vn:8443", "Content-Type", "application/json"), 403, codeBadOrigin},
		{"Origin over http", request("POST", host, "/api/v1/dossiers", dossierBody, "Origin", "http://sohoa.example.vn", "Content-Type", "application/json"), 403, codeBadOrigin},
		{"null Origin", request("POST", host, "/api/v1/dossiers", dossierBody, "Origin", "null", "Content-Type", "application/json"), 403, codeBadOrigin},
		{"cross-site without Origin", request("PUT", host, "/api/v1/documents/0b0e5b8c-3f4a-4d8e-9c61-2a7f5d9e1b20/paper", `{}`, "Sec-Fetch-Site", "cross-site", "Content-Type", "application/json"), 403, codeBadOrigin},
		{"same-site without Origin", request("POST", host, "/api/v1/dossiers", dossierBody, "Sec-Fetch-Site", "same-site", "Content-Type", "application/json"), 403, codeBadOrigin},
		{"foreign Origin, upload", request("POST", host, "/api/v1/documents", "--x--\r\n", "Origin", "https://evil.example", "Content-Type", multipartCT), 403, codeBadOrigin},
		{"text/plain", request("POST", host, "/api/v1/dossiers", dossierBody, "Content-Type", "text/plain"), 415, codeUnsupportedMedia},
		{"text/plain from the page", request("POST", host, "/api/v1/dossiers", dossierBody, "Origin", publicURL, "Content-Type", "text/plain;charset=UTF-8"), 415, codeUnsupportedMedia},
		{"a form", request("POST", host, "/api/v1/dossiers", "owner_id=001099012345", "Content-Type", "application/x-www-form-urlencoded"), 415, codeUnsupportedMedia},
		{"multipart to a JSON route", request("POST", host, "/api/v1/dossiers", "--x--\r\n", "Content-Type", multipartCT), 415, codeUnsupportedMedia},
		{"a body without a type", request("POST", host, "/api/v1/dossiers", dossierBody), 415, codeUnsupportedMedia},
		{"unreadable type", request("POST", host, "/api/v1/dossiers", dossierBody, "Content-Type", "application/json; ="), 415, codeUnsupportedMedia},

		{"sohoa's page", request("POST", host, "/api/v1/dossiers", dossierBody, "Origin", publicURL, "Sec-Fetch-Site", "same-origin", "Content-Type", "application/json"), 201, ""},
		{"sohoa's page, default port written", request("POST", host, "/api/v1/dossiers", dossierBody, "Origin", "https://SOHOA.example.vn", "Content-Type", "application/json; charset=utf-8"), 201, ""},
		{"a program", request("POST", host, "/api/v1/dossiers", dossierBody, "Content-Type", "application/json"), 201, ""},
		{"typed in by hand", request("POST", host, "/api/v1/dossiers", dossierBody, "Sec-Fetch-Site", "none", "Content-Type", "application/json"), 201, ""},
		{"no body, no type", request("POST", host, "/api/v1/documents/0b0e5b8c-3f4a-4d8e-9c61-2a7f5d9e1b20/retry", "", "Origin", publicURL), 404, ""},
		{"GET from elsewhere", request("GET", host, "/api/v1/documents", "", "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site", "Content-Type", "text/plain"), 200, ""},
		{"HEAD of the page", request("HEAD", host, "/", "", "Sec-Fetch-Site", "cross-site"), 200, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := guarded(t)
			a := r.do(c.req)
			if c.code != "" {
				a.wantError(t, c.status, c.code)
				if n := r.count(); n != 0 {
					t.Errorf("a refused request made %d documents", n)
				}
				return
			}
			a.wantStatus(t, c.status)
		})
	}
}

// Without SOHOA_PUBLIC_URL (development), a browser's request must come from the origin of the
// Host it was sent to.
func TestGuardWithoutPublicURLComparesOriginAndHost(t *testing.T) {
	r := newRig(t) // the zero Guard
	json := func(origin string) *http.Request {
		return request("POST", "127.0.0.1:8080", "/api/v1/dossiers", dossierBody, "Origin", origin, "Content-Type", "application/json")
	}
	r.do(json("http://127.0.0.1:8080")).wantStatus(t, http.StatusCreated)
	r.do(json("http://localhost:8080")).wantError(t, http.StatusForbidden, codeBadOrigin)
	r.do(json("http://127.0.0.1:9000")).wantError(t, http.StatusForbidden, codeBadOrigin)
}

// Only the names of the allow-list and loopback ones are answered, for reads too: a name an
// attacker points at sohoa (DNS rebinding) gets nothing.
func TestGuardHostAllowList(t *testing.T) {
	r := guarded(t)
	for host, allowed := range map[string]bool{
		"sohoa.example.vn": true, "SOHOA.example.vn.": true, "sohoa.example.vn:443": true, "sohoa:8080": true,
		"localhost:8080": true, "127.0.0.1:8080": true, "127.1.2.3": true, "[::1]:8080": true,
		"evil.example": false, "sohoa.example.vn.evil.example": false, "10.0.0.5:8080": false, "": false,
	} {
		t.Run(host, func(t *testing.T) {
			a := r.in(t).do(request("GET", host, "/healthz", ""))
			if !allowed {
				a.wantError(t, http.StatusMisdirectedRequest, codeBadHost)
				return
			}
			a.wantStatus(t, http.StatusOK)
		})
	}
	r.do(request("POST", "evil.example", "/api/v1/dossiers", dossierBody, "Content-Type", "application/json")).
		wantError(t, http.StatusMisdirectedRequest, codeBadHost)
	if n := r.count(); n != 0 {
		t.Errorf("%d documents", n)
	}
}

// Every answer carries the security headers: the API's, the page's, and the refusals.
func TestGuardSecurityHeaders(t *testing.T) {
	r := guarded(t)
	for _, req := range []*http.Request{
		request("GET", "sohoa.example.vn", "/", ""),
		request("GET", "sohoa.example.vn", "/app.js", ""),
		request("GET", "sohoa.example.vn", "/api/v1/documents", ""),
		request("POST", "sohoa.example.vn", "/api/v1/dossiers", dossierBody, "Content-Type", "text/plain"),
		request("GET", "evil.example", "/", ""),
	} {
		a := r.do(req)
		csp := a.header.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s %s (%d): CSP %q has no %s", req.Method, req.URL, a.status, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("CSP %q allows inline code", csp)
		}
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
			"X-Frame-Options": "DENY", "Strict-Transport-Security": "max-age=31536000"} {
			if got := a.header.Get(name); got != want {
				t.Errorf("%s %s: %s %q, want %q", req.Method, req.URL, name, got, want)
			}
		}
	}
	// Plain HTTP in development: no HSTS, which would lock a browser out of http://localhost.
	if h := newRig(t).get("/healthz").header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS over plain HTTP: %q", h)
	}
}

// The page the CSP protects must not need more than it allows: no inline script or style, and
// nothing loaded from elsewhere.
func TestPageNeedsNoInlineCode(t *testing.T) {
	for _, name := range []string{"web/index.html", "web/app.js"} {
		b, err := web.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, bad := range []string{"<script>", "style=", "<style", "javascript:", " onclick=", " onload=", "http://", "https://", "eval(", "new Function", ".cssText", "'style'"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s has %q, which the Content-Security-Policy blocks", name, bad)
			}
		}
	}
}

// MinIO's webhook target posts application/json with its bearer token and no Origin (minio
// internal/event/target/webhook.go): it passes.
func TestGuardLetsTheWebhookIn(t *testing.T) {
	r := guarded(t)
	req := request("POST", "sohoa:8080", "/api/v1/inbox/events", `{"Records": []}`,
		"Content-Type", "application/json", "Authorization", "Bearer "+eventsToken, "User-Agent", "MinIO (linux; amd64) minio-go/v7")
	r.do(req).wantStatus(t, http.StatusNoContent)
}

func TestGuardCookie(t *testing.T) {
	u, _ := url.Parse(publicURL)
	plain, _ := url.Parse("http://127.0.0.1:8080")
	for _, c := range []struct {
		g      Guard
		secure bool
	}{{Guard{}, false}, {Guard{TLS: true}, true}, {Guard{PublicURL: u}, true}, {Guard{PublicURL: plain}, false}} {
		k := c.g.Cookie("sohoa_session", "v", time.Hour)
		if k.Secure != c.secure || !k.HttpOnly || k.SameSite != http.SameSiteStrictMode || k.Path != "/" || k.MaxAge != 3600 {
			t.Errorf("%+v: cookie %+v, want Secure %v, HttpOnly, SameSite Strict", c.g, k, c.secure)
		}
	}
}

// At most MaxUploads uploads are received at once; the next is told to come back (503 with
// Retry-After), reads go on meanwhile, and the slot is free again once an upload ends.
func TestGuardCapsConcurrentUploads(t *testing.T) {
	r := newRig(t)
	r.srv.Guard = Guard{MaxUploads: 1}
	ts := httptest.NewServer(r.signedIn(r.srv.Handler()))
	defer ts.Close()

	// The first upload is held open: once the server has read its first bytes, its handler runs.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	first := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(ts.URL+"/api/v1/documents", mw.FormDataContentType(), pr)
		if err != nil {
			t.Error(err)
		}
		first <- resp
	}()
	part, _ := mw.CreateFormFile("file", "first.png")
	if _, err := part.Write(scanPNG(1)); err != nil { // returns once the client has sent it
		t.Fatal(err)
	}

	// The bytes sent do not mean the server's handler runs yet: until it does, another upload takes
	// the slot and is received. Once it does, the next is refused; the first never ends by itself.
	var resp answered
	for i := 2; ; i++ {
		resp = postFile(t, ts.URL+"/api/v1/documents", fmt.Sprintf("second-%d.png", i), scanPNG(i+10))
		if resp.status != http.StatusCreated || i > 200 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp.status != http.StatusServiceUnavailable || resp.code != codeTooManyUploads || resp.header.Get("Retry-After") == "" {
		t.Errorf("second upload during the first: %d %s, Retry-After %q", resp.status, resp.code, resp.header.Get("Retry-After"))
	}
	if g, err := http.Get(ts.URL + "/api/v1/documents"); err != nil || g.StatusCode != http.StatusOK {
		t.Errorf("a read during the upload: %v %v", g, err)
	}

	mw.Close()
	pw.Close()
	if resp := <-first; resp == nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("first upload: %v", resp)
	}
	if resp := postFile(t, ts.URL+"/api/v1/documents", "third.png", scanPNG(3)); resp.status != http.StatusCreated {
		t.Errorf("an upload after the first ended: %d %s", resp.status, resp.code)
	}
}

// A body that stops coming, or trickles in slower than the floor, is cut with 408 upload_too_slow,
// and nothing of it is kept; one that keeps up passes.
func TestGuardCutsSlowBodies(t *testing.T) {
	r := newRig(t)
	const window = 300 * time.Millisecond
	r.srv.Guard = Guard{MinRate: 64 << 10, MinRateWindow: window} // 19 KB per window
	ts := httptest.NewServer(r.signedIn(r.srv.Handler()))
	defer ts.Close()

	t.Run("stalled", func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close()
		mw := multipart.NewWriter(pw)
		go func() {
			part, _ := mw.CreateFormFile("file", "slow.png")
			part.Write(scanPNG(1)) // then nothing more
		}()
		a := send(t, ts.URL+"/api/v1/documents", mw.FormDataContentType(), pr)
		if a.status != http.StatusRequestTimeout || a.code != codeUploadTooSlow || !vietnamese(a.reason) {
			t.Errorf("stalled upload: %d %s %q", a.status, a.code, a.reason)
		}
	})
	t.Run("trickle", func(t *testing.T) {
		pr, pw := io.Pipe()
		defer pw.Close()
		mw := multipart.NewWriter(pw)
		go func() {
			part, _ := mw.CreateFormFile("file", "slow.png")
			part.Write(scanPNG(2))
			for range 50 { // 1 KB every 50 ms: 20 KB/s, under the floor
				if _, err := part.Write(bytes.Repeat([]byte{'x'}, 1<<10)); err != nil {
					return
				}
				time.Sleep(window / 6)
			}
			mw.Close()
			pw.Close()
		}()
		a := send(t, ts.URL+"/api/v1/documents", mw.FormDataContentType(), pr)
		if a.status != http.StatusRequestTimeout || a.code != codeUploadTooSlow {
			t.Errorf("trickling upload: %d %s %q", a.status, a.code, a.reason)
		}
	})
	if n, left := r.count(), r.inbox(); n != 0 || len(left) != 0 {
		t.Errorf("cut uploads left %d documents and %v in the inbox", n, left)
	}
	t.Run("keeps up", func(t *testing.T) {
		data := append(scanPNG(3), bytes.Repeat([]byte{'y'}, 200<<10)...)
		if a := postFile(t, ts.URL+"/api/v1/documents", "fast.png", data); a.status != http.StatusCreated {
			t.Errorf("an upload at full speed: %d %s %q", a.status, a.code, a.reason)
		}
	})
}

// The floor counts only the time the server waits for the body: a handler busy longer than the
// window between reads (the object store slow) does not get its client cut.
func TestRateFloorCountsOnlyWaiting(t *testing.T) {
	const window = 100 * time.Millisecond
	var got int
	var readErr error
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := newRateFloor(w, r.Body, 1<<20, window) // 100 KB per window: more than the body
		if f == nil {
			readErr = fmt.Errorf("no read deadline on a real connection")
			return
		}
		buf := make([]byte, 16<<10)
		for {
			n, err := f.Read(buf)
			got += n
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				return
			}
			time.Sleep(2 * window) // the handler's own work
		}
	}))
	defer ts.Close()
	resp, err := http.Post(ts.URL, "application/octet-stream", bytes.NewReader(make([]byte, 64<<10)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if readErr != nil || got != 64<<10 {
		t.Errorf("read %d bytes of 65536, error %v", got, readErr)
	}
}

// Once a body has ended, the floor sets no more deadlines: the server then reads the connection in
// the background to see the client go, and a deadline would cut that read and cancel the request
// while its handler still works (as an upload's does, storing the file, after its last read).
func TestRateFloorLeavesTheEndAlone(t *testing.T) {
	const window = 100 * time.Millisecond
	var ctxErr, readErr error
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := newRateFloor(w, r.Body, 1<<10, window)
		if _, readErr = io.ReadAll(f); readErr == nil {
			_, readErr = f.Read(make([]byte, 1)) // a reader asking again at the end
		}
		time.Sleep(3 * window) // the handler's own work
		ctxErr = r.Context().Err()
	}))
	defer ts.Close()
	resp, err := http.Post(ts.URL, "application/octet-stream", strings.NewReader("the whole body"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if readErr != io.EOF || ctxErr != nil {
		t.Errorf("read %v, then the request's context: %v", readErr, ctxErr)
	}
}

// The request log names the route, never the path or the query: no personal ID, tax code or
// search text reaches it, whatever the route or its answer.
func TestRequestLogHasNoPersonalIDs(t *testing.T) {
	r := newRig(t)
	var log bytes.Buffer
	r.srv.Log = slog.New(slog.NewTextHandler(&log, nil))
	secrets := []string{"001099012345", "0100109106", "0100109106-001", "Nguyễn Văn An", "Nguy%E1%BB%85n"}
	for _, path := range []string{
		"/api/v1/owners/001099012345/documents?valid=true",
		"/api/v1/owners/0100109106-001/documents",
		"/api/v1/search?q=Nguy%E1%BB%85n+V%C4%83n+An&owner=001099012345",
		"/api/v1/documents?sha256=0100109106",
		"/001099012345", // the page's fallback route
		"/api/v1/owners/0100109106/nothing",
	} {
		r.get(path)
	}
	r.sendJSON("POST", "/api/v1/dossiers", dossierBody).wantStatus(t, http.StatusCreated)
	r.do(request("DELETE", "example.com", "/api/v1/owners/001099012345/documents", ""))
	for _, s := range secrets {
		if strings.Contains(log.String(), s) {
			t.Errorf("the log holds %q:\n%s", s, log.String())
		}
	}
	for _, route := range []string{`route="GET /api/v1/owners/{id}/documents"`, `route="GET /api/v1/search"`, `route="GET /"`, `route="POST /api/v1/dossiers"`} {
		if !strings.Contains(log.String(), route) {
			t.Errorf("the log does not name %s:\n%s", route, log.String())
		}
	}
}

// Every upload route the guard knows is served, as a multipart upload.
func TestUploadRoutesAreRoutes(t *testing.T) {
	var served []string
	for _, rt := range (&Server{}).routes() {
		served = append(served, rt.method+" "+rt.path)
	}
	for _, u := range uploadRoutes() {
		if !slices.Contains(served, u) {
			t.Errorf("%s is not a route", u)
		}
	}
}

// answered is an error answer from a real server.
type answered struct {
	status       int
	header       http.Header
	code, reason string
}

func send(t *testing.T, url, contentType string, body io.Reader) answered {
	t.Helper()
	resp, err := http.Post(url, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e errorBody
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &e)
	return answered{status: resp.StatusCode, header: resp.Header, code: e.Code, reason: e.Error}
}

func postFile(t *testing.T, url, name string, data []byte) answered {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return send(t, url, mw.FormDataContentType(), &body)
}
