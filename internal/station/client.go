package station

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Document is what sohoa answers about a document, as much of it as a station needs.
type Document struct {
	ID        string `json:"id"`
	SHA256    string `json:"sha256"`
	Status    string `json:"status"`
	Code      string `json:"code"`
	Filename  string `json:"filename"`
	Size      int64  `json:"size"`
	Error     string `json:"error"`
	ErrorCode string `json:"error_code"`
	Retryable bool   `json:"retryable"`
}

// Final reports whether the document's status will not change by itself any more.
func (d Document) Final() bool {
	return d.Status == "done" || d.Status == "failed" || d.Status == "split"
}

// Sent is the server's answer to an upload, with what the station itself streamed.
type Sent struct {
	Document      Document
	Created       bool   // 201: a new document; 200: the same bytes as an earlier upload
	ComponentCode string // into a dossier: the paper's code in it
	SHA256        string // of the bytes streamed
	Size          int64
}

// Refused is the server refusing the file itself (4xx but the ones below): sending the same file
// again cannot help, so it goes to failed/.
type Refused struct {
	Status int
	Code   string
	Reason string // Vietnamese, from the server
}

func (e *Refused) Error() string {
	return fmt.Sprintf("refused: %d %s: %s", e.Status, e.Code, e.Reason)
}

// Transient is a failure that is not the file's: the network, the server (5xx, 503 too_many_uploads,
// 408, 429), the station's own token or settings (401, 403, 404, 421). The file stays and is tried
// again later.
type Transient struct {
	Status     int // 0: no answer
	Code       string
	Reason     string
	RetryAfter time.Duration // what the server asked for, if anything
	Err        error
}

func (e *Transient) Error() string {
	if e.Status == 0 {
		return e.Err.Error()
	}
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Reason, e.Err)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Reason)
}

func (e *Transient) Unwrap() error { return e.Err }

// Operator reports whether the operator must act: the token is bad or revoked, the role is wrong,
// or the address or dossier does not exist.
func (e *Transient) Operator() bool {
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusMisdirectedRequest:
		return true
	}
	return false
}

// ErrServerTooOld is a heartbeat to a sohoa without the stations' report endpoint.
var ErrServerTooOld = errors.New("the server has no station report endpoint")

// Client talks to sohoa's HTTP API with a station's token.
type Client struct {
	Server    string // http(s)://host[:port], no trailing slash
	Token     string
	Dossier   string // when set, uploads go into this dossier
	Lane      string // when set, the lane uploads are asked for ("bulk": a backlog import)
	UserAgent string
	HTTP      *http.Client
	// Stall cuts an upload when no byte of its body has gone out for this long (0: never).
	Stall time.Duration
	// Answered, when set, is called with every HTTP answer's time, whatever its status.
	Answered func()
}

// NewHTTP returns the HTTP client a station uses: connections and headers bounded in time, the body
// not (large files on slow links), which Client.Stall watches instead.
func NewHTTP() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = 5 * time.Minute // the server hashes and stores before it answers
	t.MaxIdleConnsPerHost = 8
	return &http.Client{Transport: t}
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

func (c *Client) request(ctx context.Context, method, path string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Server+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("Accept", "application/json")
	return req, nil
}

func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.http().Do(req)
	if err == nil && c.Answered != nil {
		c.Answered()
	}
	return resp, err
}

// Upload streams the file at path, named name, and returns the server's answer once the
// document's SHA-256 is the one of the bytes streamed. A file the server refuses is a *Refused, any
// other failure a *Transient.
func (c *Client) Upload(ctx context.Context, path, name string) (Sent, error) {
	f, err := os.Open(path)
	if err != nil {
		return Sent{}, fmt.Errorf("upload %s: %w", path, err)
	}
	defer f.Close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	h := sha256.New()
	var sent atomic.Int64
	pr, pw := io.Pipe()
	defer pr.Close() // ends the writer below whatever happened to the request
	mw := multipart.NewWriter(pw)
	bodyDone := make(chan struct{})
	go func() {
		defer close(bodyDone)
		part, err := mw.CreateFormFile("file", norm.NFC.String(name))
		if err == nil {
			_, err = io.Copy(io.MultiWriter(part, h, counter{&sent}), f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	if c.Stall > 0 {
		go watchStall(&sent, c.Stall, bodyDone, func() { cancel(fmt.Errorf("no byte sent for %v", c.Stall)) })
	}
	target := "/api/v1/documents"
	if c.Dossier != "" {
		target = "/api/v1/dossiers/" + url.PathEscape(c.Dossier) + "/documents"
	}
	if c.Lane != "" {
		target += "?lane=" + url.QueryEscape(c.Lane)
	}
	req, err := c.request(ctx, http.MethodPost, target, pr)
	if err != nil {
		return Sent{}, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.do(req)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		return Sent{}, &Transient{Err: fmt.Errorf("upload %s: %w", name, err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Sent{}, &Transient{Status: resp.StatusCode, Err: fmt.Errorf("upload %s: read the answer: %w", name, err)}
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return Sent{}, answerError(resp, body)
	}
	var a struct {
		Document
		ComponentCode string    `json:"component_code"`
		Attached      *Document `json:"document"` // a dossier upload answers the attachment
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return Sent{}, &Transient{Status: resp.StatusCode, Err: fmt.Errorf("upload %s: decode the answer: %w", name, err)}
	}
	s := Sent{Document: a.Document, Created: resp.StatusCode == http.StatusCreated, ComponentCode: a.ComponentCode,
		SHA256: hex.EncodeToString(h.Sum(nil)), Size: sent.Load()}
	if a.Attached != nil {
		s.Document = *a.Attached
	}
	if !strings.EqualFold(s.Document.SHA256, s.SHA256) {
		return s, &Transient{Status: resp.StatusCode, Err: fmt.Errorf("upload %s: the server holds sha256 %s, the station sent %s",
			name, s.Document.SHA256, s.SHA256)}
	}
	return s, nil
}

// answerError classifies a non-2xx answer.
func answerError(resp *http.Response, body []byte) error {
	var e struct {
		Error string `json:"error"`
		Code  string `json:"code"`
	}
	json.Unmarshal(body, &e)
	if e.Error == "" {
		e.Error = strings.TrimSpace(string(bytes.ToValidUTF8(body[:min(len(body), 300)], nil)))
	}
	s := resp.StatusCode
	switch {
	case s >= 500, s == http.StatusRequestTimeout, s == http.StatusTooManyRequests, s == http.StatusUnauthorized,
		s == http.StatusForbidden, s == http.StatusNotFound, s == http.StatusMethodNotAllowed, s == http.StatusMisdirectedRequest:
		return &Transient{Status: s, Code: e.Code, Reason: e.Error, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	case s >= 400:
		return &Refused{Status: s, Code: e.Code, Reason: e.Error}
	}
	return &Transient{Status: s, Code: e.Code, Reason: e.Error}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Document returns the document id as the server has it now.
func (c *Client) Document(ctx context.Context, id string) (Document, error) {
	req, err := c.request(ctx, http.MethodGet, "/api/v1/documents/"+url.PathEscape(id), nil)
	if err != nil {
		return Document{}, err
	}
	resp, err := c.do(req)
	if err != nil {
		return Document{}, &Transient{Err: fmt.Errorf("document %s: %w", id, err)}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return Document{}, fmt.Errorf("document %s: %w", id, answerError(resp, body))
	}
	var d Document
	if err := json.Unmarshal(body, &d); err != nil {
		return Document{}, fmt.Errorf("document %s: decode: %w", id, err)
	}
	return d, nil
}

// Heartbeat is what a station reports of itself.
type Heartbeat struct {
	Version   string   `json:"version"`
	Host      string   `json:"host"`
	Dirs      []string `json:"dirs"`
	Waiting   int      `json:"waiting"`
	Sending   int      `json:"sending"`
	SentToday int      `json:"sent_today"`
	Failed    int      `json:"failed"`
	LastError string   `json:"last_error"`
}

// Report posts a heartbeat; a server without the endpoint (404, 405) is ErrServerTooOld.
func (c *Client) Report(ctx context.Context, hb Heartbeat) error {
	b, err := json.Marshal(hb)
	if err != nil {
		return err
	}
	req, err := c.request(ctx, http.MethodPost, "/api/v1/stations/report", bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.do(req)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusOK:
		return nil
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return ErrServerTooOld
	}
	return fmt.Errorf("report: %w", answerError(resp, body))
}

type counter struct{ n *atomic.Int64 }

func (c counter) Write(p []byte) (int, error) { c.n.Add(int64(len(p))); return len(p), nil }

// watchStall calls cut when n has not grown for d, until done is closed (the whole body is out:
// the server's own time to store it is bounded by the header timeout instead).
func watchStall(n *atomic.Int64, d time.Duration, done <-chan struct{}, cut func()) {
	tick := time.NewTicker(d / 4)
	defer tick.Stop()
	last, at := n.Load(), time.Now()
	for {
		select {
		case <-done:
			return
		case now := <-tick.C:
			if v := n.Load(); v != last {
				last, at = v, now
			} else if now.Sub(at) >= d {
				cut()
				return
			}
		}
	}
}
