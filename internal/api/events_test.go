package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// s3Event is a notification as MinIO's webhook target posts it: keys URL-encoded.
func s3Event(bucket string, keys ...string) string {
	var recs []string
	for _, k := range keys {
		recs = append(recs, fmt.Sprintf(`{"eventName": "s3:ObjectCreated:Put", "s3": {"bucket": {"name": %q}, "object": {"key": %q, "size": 12}}}`,
			bucket, url.QueryEscape(k)))
	}
	return `{"EventName": "s3:ObjectCreated:Put", "Records": [` + strings.Join(recs, ",") + `]}`
}

func (r *rig) notify(auth, event string) answer {
	r.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/inbox/events", strings.NewReader(event))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return r.do(req)
}

// The events endpoint takes notifications only with the right bearer token, and then ingests the
// object each names in the inbox bucket (and only there); without a token configured it is off.
func TestInboxEvents(t *testing.T) {
	const key = "may-quet-1/Giấy khai sinh 01.png" // a space and diacritics: encoded in the event
	setup := func(t *testing.T) *rig {
		r := newRig(t)
		_, err := r.objects.Put(t.Context(), storage.Inbox, key, bytes.NewReader(scanPNG(70)), -1, "image/png")
		must(t, err)
		return r
	}
	for _, c := range []struct {
		name, auth string
		status     int
		code       string
	}{
		{"no token", "", http.StatusUnauthorized, codeUnauthorized},
		{"wrong token", "Bearer wrong", http.StatusUnauthorized, codeUnauthorized},
		{"the token without Bearer", eventsToken, http.StatusUnauthorized, codeUnauthorized},
		{"the token with a suffix", "Bearer " + eventsToken + "x", http.StatusUnauthorized, codeUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := setup(t)
			r.notify(c.auth, s3Event(inboxBucket, key)).wantError(t, c.status, c.code)
			if n, left := r.count(), r.inbox(); n != 0 || !slices.Equal(left, []string{key}) {
				t.Errorf("refused event: %d documents, inbox %v", n, left)
			}
		})
	}

	t.Run("right token", func(t *testing.T) {
		r := setup(t)
		a := r.notify("Bearer "+eventsToken, s3Event(inboxBucket, key))
		a.wantStatus(t, http.StatusNoContent)
		list, total, err := r.store.List(t.Context(), storage.Filter{})
		must(t, err)
		if total != 1 || list[0].Source != "notification:"+key || list[0].Filename != "Giấy khai sinh 01.png" || list[0].Status != storage.StatusReceived {
			t.Fatalf("documents %+v", list)
		}
		if left := r.inbox(); len(left) != 0 {
			t.Errorf("inbox still holds %v", left)
		}
		if ids := r.queue.ids(); !slices.Equal(ids, []string{pipeline.TaskID(pipeline.Ingest, pipeline.Payload{DocumentID: list[0].ID, Run: 1})}) {
			t.Errorf("tasks %v", ids)
		}
		// The same event again (stores deliver at least once) changes nothing.
		r.notify("Bearer "+eventsToken, s3Event(inboxBucket, key)).wantStatus(t, http.StatusNoContent)
		if n := r.count(); n != 1 {
			t.Errorf("%d documents after the event came twice", n)
		}
	})

	t.Run("other buckets and API uploads are left alone", func(t *testing.T) {
		r := setup(t)
		_, err := r.objects.Put(t.Context(), storage.Inbox, "api/streaming/a.png", bytes.NewReader(scanPNG(71)), -1, "image/png")
		must(t, err)
		r.notify("Bearer "+eventsToken, s3Event("sohoa-archive", key)).wantStatus(t, http.StatusNoContent)
		r.notify("Bearer "+eventsToken, s3Event(inboxBucket, "api/streaming/a.png")).wantStatus(t, http.StatusNoContent)
		if n, left := r.count(), r.inbox(); n != 0 || len(left) != 2 {
			t.Errorf("%d documents, inbox %v", n, left)
		}
	})

	t.Run("unreadable event", func(t *testing.T) {
		r := setup(t)
		r.notify("Bearer "+eventsToken, `{"Records": [`).wantError(t, http.StatusBadRequest, codeBadRequest)
	})

	t.Run("object not ingested now", func(t *testing.T) {
		r := setup(t)
		r.srv.Intake = failingIntake{r.srv.Intake}
		r.notify("Bearer "+eventsToken, s3Event(inboxBucket, key)).wantStatus(t, http.StatusInternalServerError)
	})

	t.Run("token empty: endpoint off", func(t *testing.T) {
		r := setup(t)
		r.srv.EventsToken = ""
		for _, auth := range []string{"", "Bearer ", "Bearer " + eventsToken} {
			r.notify(auth, s3Event(inboxBucket, key)).wantError(t, http.StatusNotFound, codeNotificationsOff)
		}
		if n := r.count(); n != 0 {
			t.Errorf("%d documents ingested with notifications off", n)
		}
	})
}

// failingIntake cannot reach the object store.
type failingIntake struct{ Intake }

func (failingIntake) Notified(context.Context, string) error {
	return errors.New("s3: connection refused")
}

// /readyz answers 503 naming the dependency that does not answer, and ok for the others.
func TestReady(t *testing.T) {
	r := newRig(t)
	a := r.get("/readyz")
	a.wantStatus(t, http.StatusOK)
	var status map[string]string
	a.decode(t, &status)
	if len(status) != 2 || status["postgres"] != "ok" || status["s3"] != "ok" {
		t.Errorf("ready: %v", status)
	}

	r.srv.Checks = append(r.srv.Checks, Check{Name: "redis", Ping: func(context.Context) error {
		return errors.New("dial tcp 127.0.0.1:1: connect: connection refused")
	}})
	a = r.get("/readyz")
	a.wantStatus(t, http.StatusServiceUnavailable)
	status = nil
	a.decode(t, &status)
	if status["redis"] != "dial tcp 127.0.0.1:1: connect: connection refused" || status["postgres"] != "ok" || status["s3"] != "ok" {
		t.Errorf("not ready: %v", status)
	}
}

func TestHealthz(t *testing.T) {
	r := newRig(t)
	r.srv.Checks = []Check{{Name: "postgres", Ping: func(context.Context) error { return errors.New("down") }}}
	a := r.get("/healthz")
	a.wantStatus(t, http.StatusOK) // alive, whatever its dependencies do
	var body map[string]string
	if err := json.Unmarshal(a.body, &body); err != nil || body["status"] != "ok" {
		t.Errorf("healthz %s", a.body)
	}
}
