package sign

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/sign/tsa"
)

// switchedTSA is the real development TSA behind a switch that makes it fail the ways real ones do.
type switchedTSA struct {
	*httptest.Server
	mode     atomic.Value // string, see ServeHTTP
	requests atomic.Int32
	mu       sync.Mutex
	last     []byte // the last good reply, for "replay"
}

func newSwitchedTSA(t *testing.T) (*switchedTSA, *Signer) {
	t.Helper()
	f, agency, _ := devKeys(t)
	srv := tsaServer(t, f)
	s := &switchedTSA{}
	s.mode.Store("ok")
	release := make(chan struct{})
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		mode := s.mode.Load().(string)
		if m, ok := strings.CutPrefix(mode, "once "); ok { // fail the first request only
			mode = m
			s.mode.Store("ok")
		}
		reply := func(b []byte) { w.Header().Set("Content-Type", "application/timestamp-reply"); w.Write(b) }
		switch mode {
		case "ok":
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			s.mu.Lock()
			s.last = rec.Body.Bytes()
			s.mu.Unlock()
			reply(rec.Body.Bytes())
		case "503":
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
		case "500":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "hang":
			io.Copy(io.Discard, r.Body) // the server notices the client leave only once the body is read
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "waiting":
			b, _ := timestamp.CreateErrorResponse(timestamp.Waiting, timestamp.UnknownFailureInfo)
			reply(b)
		case "system failure":
			b, _ := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.SystemFailure)
			reply(b)
		case "bad request": // the real server, given a query it cannot read: HTTP 400
			r.Body = io.NopCloser(strings.NewReader("not a TimeStampReq"))
			srv.ServeHTTP(w, r)
		case "bad algorithm":
			b, _ := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.BadAlgorithm)
			reply(b)
		case "tampered": // the real token with the last byte of its signature changed
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, r)
			b := rec.Body.Bytes()
			b[len(b)-1] ^= 0x01
			reply(b)
		case "replay": // an earlier, valid token over another imprint and nonce
			s.mu.Lock()
			reply(s.last)
			s.mu.Unlock()
		}
	}))
	t.Cleanup(func() { close(release); s.Close() })
	agency.TSA = &tsa.Client{URL: s.URL, Timeout: 500 * time.Millisecond, Retries: -1}
	return s, agency
}

// TSA failures come back from Sign by kind: not answering is fault.Unavailable (wait and retry),
// a refusal or a token that does not verify is not (a person must look at the TSA).
func TestSignTSAFailures(t *testing.T) {
	srv, s := newSwitchedTSA(t)
	in := testPDF(0)
	sign(t, s, in) // fills srv.last for "replay"
	for _, c := range []struct {
		mode        string
		unavailable bool
		code        string
	}{
		{"503", true, tsa.CodeUnavailable},
		{"500", true, tsa.CodeUnavailable},
		{"hang", true, tsa.CodeUnavailable},
		{"waiting", true, tsa.CodeUnavailable},
		{"system failure", true, tsa.CodeUnavailable},
		{"bad request", false, tsa.CodeRejected},
		{"bad algorithm", false, tsa.CodeRejected},
		{"tampered", false, tsa.CodeBadToken},
		{"replay", false, tsa.CodeBadToken},
		{"stopped", true, tsa.CodeUnavailable}, // last: it closes the server
	} {
		t.Run(c.mode, func(t *testing.T) {
			srv.mode.Store(c.mode)
			if c.mode == "stopped" {
				srv.Close()
			}
			var out bytes.Buffer
			err := s.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out)
			if err == nil {
				t.Fatal("signed although the TSA failed")
			}
			t.Log(err)
			if got := errors.Is(err, fault.Unavailable); got != c.unavailable {
				t.Errorf("errors.Is(err, fault.Unavailable) = %v, want %v: %v", got, c.unavailable, err)
			}
			if !c.unavailable && !errors.Is(err, fault.Refused) {
				t.Errorf("a rejection is not fault.Refused: %v", err)
			}
			if code, reason, _ := fault.Reason(err); code != c.code || reason == "" {
				t.Errorf("code %q reason %q, want %s: %v", code, reason, c.code, err)
			}
			if out.Len() != 0 {
				t.Error("output written")
			}
		})
	}
}

// One 503, then an answer: the client's own retry gets the timestamp; a rejection is not retried.
func TestTSAClientRetriesOnlyUnavailable(t *testing.T) {
	srv, s := newSwitchedTSA(t)
	s.TSA = &tsa.Client{URL: srv.URL, Retries: 2}
	in := testPDF(0)
	srv.mode.Store("once 503")
	sign(t, s, in)
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("%d requests, want 2 (one 503, one retry)", n)
	}
	srv.requests.Store(0)
	srv.mode.Store("bad algorithm")
	if err := s.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), io.Discard); err == nil {
		t.Fatal("signed after a rejection")
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("a rejection was asked %d times, want once", n)
	}
}

// The development TSA in-process gives the same B-T signature as over HTTP, verified by our
// verifier (timestamp and its chain) and poppler.
func TestSignWithInProcessTSA(t *testing.T) {
	s, roots := inProcessKit(t)
	rep := assertBothValid(t, sign(t, s, testPDF(0)), roots, 1, true)
	if ts := rep.Signatures[0].Timestamp; ts.TSA != "sohoa development TSA" {
		t.Errorf("timestamp by %q", ts.TSA)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.TSA.Timestamp(cancelled, make([]byte, 32)); !errors.Is(err, context.Canceled) {
		t.Errorf("in-process TSA with a cancelled context: %v", err)
	}
}
