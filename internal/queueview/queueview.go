// Package queueview serves asynqmon, the queues' web console, under a path of sohoa's HTTP server,
// fitted to sohoa's page rules: its page's inline scripts are allowed by their hashes in its own
// Content-Security-Policy, and its links to Google's font service are taken out, so an admin's
// browser loads nothing from outside (the console falls back to the system's fonts). Who may see it
// is internal/api's business.
package queueview

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
)

// View is asynqmon with the page rules applied.
type View struct {
	mon    *asynqmon.HTTPHandler
	policy string
}

// New serves the queues in opt's Redis under root (which starts with a slash, without one at the
// end). The console's own API lets an admin run, archive or delete tasks: PostgreSQL stays the
// truth, and the reconciler enqueues again the stage of any pending document whose task is gone.
func New(opt asynq.RedisConnOpt, root string) (*View, error) {
	mon := asynqmon.New(asynqmon.Options{RootPath: root, RedisConnOpt: opt})
	rec := httptest.NewRecorder()
	mon.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, root+"/", nil))
	if rec.Code != http.StatusOK {
		mon.Close()
		return nil, fmt.Errorf("queue view: its page answered %d: %s", rec.Code, rec.Body.String())
	}
	page := withoutOutside(rec.Body.Bytes())
	hashes := scriptHashes(page)
	if len(hashes) == 0 {
		mon.Close()
		return nil, fmt.Errorf("queue view: no inline script found in its page; has asynqmon changed?")
	}
	return &View{mon: mon, policy: policy(hashes)}, nil
}

// Close releases the console's Redis connections.
func (v *View) Close() error { return v.mon.Close() }

// ServeHTTP answers as asynqmon does, with the page's policy and its page without outside links.
func (v *View) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder() // the page is rewritten, and answers are small: one page of tasks at most
	v.mon.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	ct := w.Header().Get("Content-Type")
	if ct == "" {
		ct = http.DetectContentType(body)
		w.Header().Set("Content-Type", ct)
	}
	if strings.HasPrefix(ct, "text/html") {
		body = withoutOutside(body)
	}
	w.Header().Set("Content-Security-Policy", v.policy)
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	w.Write(body)
}

// outside are the page's links to Google's font service.
var outside = regexp.MustCompile(`<link rel="stylesheet" href="https://fonts\.googleapis\.com/[^"]*"/?>`)

func withoutOutside(page []byte) []byte { return outside.ReplaceAll(page, nil) }

var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// scriptHashes are the CSP sources of the page's inline scripts: the settings asynqmon writes into
// it (its path) and webpack's loader.
func scriptHashes(page []byte) []string {
	var out []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return out
}

// policy allows the page's own scripts by hash and the console's assets and API from sohoa only.
// Its components (Material UI) write their styles into the page at run time, so inline styles are
// allowed here, and only here.
func policy(hashes []string) string {
	var b bytes.Buffer
	b.WriteString("default-src 'none'; script-src 'self' " + strings.Join(hashes, " ") + "; ")
	b.WriteString("style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; ")
	b.WriteString("manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	return b.String()
}
