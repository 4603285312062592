package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestBadInputs sends every bad sample: each gets a clear 4xx answer, or becomes a failed document
// with a reason a person can read; none stays processing; a failed one can be retried; and the workers
// still process a good scan afterwards.
func TestBadInputs(t *testing.T) {
	sys := startSystem(t, "SOHOA_S3_NOTIFY_ARN", "") // the inbox is swept only
	samples := testenv.Samples(t)
	bad, err := os.ReadDir(filepath.Join(samples, "bad"))
	if err != nil || len(bad) == 0 {
		t.Fatalf("no bad samples: %v", err)
	}
	// What each known sample must say; an unknown new sample must merely be refused or failed.
	wantCode := scantest.BadCodes
	var failed []string
	for _, e := range bad {
		name := e.Name()
		if filepath.Ext(name) == ".md" {
			continue // what the files are
		}
		data, err := os.ReadFile(filepath.Join(samples, "bad", name))
		if err != nil {
			t.Fatal(err)
		}
		code, body := sys.upload(t, name, data)
		switch {
		case code >= 400 && code < 500:
			eb := decode[struct{ Error, Code string }](t, body)
			if eb.Error == "" {
				t.Errorf("%s: %d without a reason: %s", name, code, body)
			}
			if w := wantCode[name]; w != "" && eb.Code != w {
				t.Errorf("%s: refused with code %q, want %q (%s)", name, eb.Code, w, eb.Error)
			}
			t.Logf("%-22s refused  %d %s", name, code, eb.Error)
		case code == http.StatusCreated:
			d := sys.wait(t, decode[api.Document](t, body).ID, 2*time.Minute)
			if d.Status != "failed" || d.Error == "" || d.Stage != "ingest" {
				t.Errorf("%s: %s at %s with reason %q, want failed at ingest with a reason", name, d.Status, d.Stage, d.Error)
			}
			if w := wantCode[name]; w != "" && d.ErrorCode != w {
				t.Errorf("%s: failed with code %q, want %s (%s)", name, d.ErrorCode, w, d.Error)
			}
			if d.Retryable {
				t.Errorf("%s: a bad input is offered a retry", name)
			}
			t.Logf("%-22s failed   %s", name, d.Error)
			failed = append(failed, d.ID)
		default:
			t.Errorf("%s: %d %s", name, code, body)
		}
	}

	// A bad file a scanner station puts straight into the inbox fails visibly too.
	junk := []byte("đây không phải là ảnh quét")
	if _, err := sys.station.PutObject(context.Background(), sys.inbox, "trạm-2/junk.jpg", bytes.NewReader(junk), int64(len(junk)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	d := sys.wait(t, sys.bySHA(t, junk, time.Minute).ID, time.Minute)
	if d.Status != "failed" || d.ErrorCode != "unsupported_type" || !strings.HasPrefix(d.Source, "sweep:") {
		t.Errorf("junk put in the inbox: %s from %s, %q", d.Status, d.Source, d.Error)
	}

	// Retrying cannot mend bad bytes, so it is refused with a reason, and the document stays as it was.
	if len(failed) == 0 {
		t.Fatal("no bad sample became a failed document to retry")
	}
	code, body := sys.post(t, "/api/v1/documents/"+failed[0]+"/retry")
	if eb := decode[struct{ Error, Code string }](t, body); code != http.StatusConflict || eb.Code != "not_retryable" || eb.Error == "" {
		t.Fatalf("retry of a bad input: %d %s", code, body)
	}
	if d = sys.wait(t, failed[0], time.Minute); d.Status != "failed" || d.Error == "" || len(d.Stages) != 1 || d.Stages[0].Attempts != 1 {
		t.Errorf("after a refused retry: %+v", d)
	}

	// The workers are still up: a good scan goes through.
	good, _ := os.ReadFile(filepath.Join(samples, "scans", "khai-sinh.png"))
	code, body = sys.upload(t, "khai-sinh.png", good)
	if code != http.StatusCreated {
		t.Fatalf("good upload after bad ones: %d %s", code, body)
	}
	if d := sys.wait(t, decode[api.Document](t, body).ID, 3*time.Minute); d.Status != "done" {
		t.Errorf("good scan after bad ones: %s: %s", d.Status, d.Error)
	}

	for _, status := range []string{"received", "processing"} {
		_, body := sys.get(t, "/api/v1/documents?status="+status)
		if l := decode[api.DocumentList](t, body); l.Total != 0 {
			t.Errorf("%d documents left %s: %+v", l.Total, status, l.Documents)
		}
	}
	for _, path := range []string{"/api/v1/documents/not-a-uuid", "/api/v1/documents/7f000000-0000-4000-8000-000000000000"} {
		if code, body := sys.get(t, path); code != http.StatusNotFound || !bytes.Contains(body, []byte(`"error"`)) {
			t.Errorf("GET %s: %d %s", path, code, body)
		}
	}
}

func (s system) post(t *testing.T, path string) (int, []byte) {
	t.Helper()
	return s.send(t, http.MethodPost, path, "application/json", nil)
}
