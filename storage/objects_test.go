package storage_test

import (
	"bytes"
	"context"
	"errors"
	"io"
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
	testNotifier(t, s)
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

func testNotifier(t *testing.T, n storage.Notifier) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	keys, errs := n.Created(ctx, storage.Inbox)
	// The listen request must reach the server before the put; retry the put until it is seen.
	o := n.(storage.Objects)
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case k := <-keys:
			if k == "trạm 1/quét.jpg" {
				return
			}
		case err := <-errs:
			t.Fatalf("notifications: %v", err)
		case <-tick.C:
			if _, err := o.Put(ctx, storage.Inbox, "trạm 1/quét.jpg", strings.NewReader("x"), 1, ""); err != nil {
				t.Fatal(err)
			}
		case <-ctx.Done():
			t.Fatal("no notification of a created object within 20 s")
		}
	}
}
