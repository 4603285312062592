package storage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

func TestS3Conformance(t *testing.T) {
	m := testenv.StartMinIO(t)
	s, err := storage.NewS3(storage.S3Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, BucketPrefix: "conf-"})
	if err != nil {
		t.Fatal(err)
	}
	testObjects(t, s)
}

// testObjects checks the Objects contract; every backend runs it.
func testObjects(t *testing.T, o storage.Objects) {
	ctx := context.Background()
	if err := o.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := o.Ensure(ctx); err != nil {
		t.Fatalf("second Ensure: %v", err)
	}
	if err := o.Ping(ctx); err != nil {
		t.Fatal(err)
	}

	// Unknown size: streamed in parts.
	body := strings.Repeat("số hóa ", 1000)
	info, err := o.Put(ctx, storage.Work, "a/b.txt", strings.NewReader(body), -1, "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) {
		t.Errorf("Put size = %d, want %d", info.Size, len(body))
	}
	st, err := o.Stat(ctx, storage.Work, "a/b.txt")
	if err != nil || st.Size != int64(len(body)) || st.ContentType != "text/plain" {
		t.Errorf("Stat = %+v, %v", st, err)
	}
	r, err := o.Get(ctx, storage.Work, "a/b.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != body {
		t.Error("Get returned other bytes than were put")
	}

	if _, err := o.Get(ctx, storage.Work, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	if _, err := o.Stat(ctx, storage.Work, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat(missing) = %v, want ErrNotFound", err)
	}
	if err := o.Copy(ctx, storage.Work, "missing", storage.Archive, "x"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Copy(missing) = %v, want ErrNotFound", err)
	}

	if err := o.Copy(ctx, storage.Work, "a/b.txt", storage.Archive, "c.txt"); err != nil {
		t.Fatal(err)
	}
	if st, err := o.Stat(ctx, storage.Archive, "c.txt"); err != nil || st.Size != int64(len(body)) {
		t.Errorf("Stat of copy = %+v, %v", st, err)
	}

	for _, k := range []string{"l/1", "l/2", "l/3", "m/1"} {
		if _, err := o.Put(ctx, storage.Inbox, k, bytes.NewReader([]byte(k)), int64(len(k)), ""); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for oi, err := range o.List(ctx, storage.Inbox, "l/") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, oi.Key)
	}
	if strings.Join(keys, ",") != "l/1,l/2,l/3" {
		t.Errorf("List(l/) = %v", keys)
	}
	for range o.List(ctx, storage.Inbox, "") {
		break // an early break must not leak or block
	}

	if err := o.Delete(ctx, storage.Inbox, "l/1"); err != nil {
		t.Fatal(err)
	}
	if err := o.Delete(ctx, storage.Inbox, "l/1"); err != nil {
		t.Errorf("deleting a missing object: %v", err)
	}
	if _, err := o.Stat(ctx, storage.Inbox, "l/1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat after Delete = %v", err)
	}
}

func TestS3Notifications(t *testing.T) {
	keys := make(chan string, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev struct {
			Records []struct {
				S3 struct{ Object struct{ Key string } }
			}
		}
		if r.Header.Get("Authorization") == "Bearer tok" && json.NewDecoder(r.Body).Decode(&ev) == nil {
			for _, rec := range ev.Records {
				k, _ := url.QueryUnescape(rec.S3.Object.Key)
				keys <- k
			}
		}
	}))
	defer hook.Close()
	env, arn := testenv.Webhook("CONF", hook.URL+"/events", "tok")
	m := testenv.StartMinIO(t, env...)
	s, err := storage.NewS3(storage.S3Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, BucketPrefix: "conf-"})
	if err != nil {
		t.Fatal(err)
	}
	testNotifier(t, s, s, arn, keys)
}

// testNotifier checks that after NotifyCreated, a put reaches the target (here collected by keys).
func testNotifier(t *testing.T, o storage.Objects, n storage.Notifier, arn string, keys <-chan string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := o.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := n.NotifyCreated(ctx, storage.Inbox, "arn:minio:sqs::NOSUCH:webhook"); err == nil {
		t.Error("NotifyCreated accepted a target the server does not have")
	}
	// A server registers its targets shortly after it reports ready: retry until it has.
	for err := n.NotifyCreated(ctx, storage.Inbox, arn); err != nil; err = n.NotifyCreated(ctx, storage.Inbox, arn) {
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := n.NotifyCreated(ctx, storage.Inbox, arn); err != nil {
		t.Fatalf("subscribing again: %v", err)
	}
	const key = "trạm 1/quét+1.jpg"
	if _, err := o.Put(ctx, storage.Inbox, key, strings.NewReader("x"), 1, ""); err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-keys:
		if k != key {
			t.Errorf("notified of %q, want %q", k, key)
		}
	case <-ctx.Done():
		t.Fatal("no notification of a created object within 20 s")
	}
}
