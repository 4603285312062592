package storage_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/storagetest"
)

func newS3(t *testing.T, m *testenv.MinIO, prefix string) *storage.S3 {
	s, err := storage.NewS3(storage.S3Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, BucketPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestS3Objects runs the suite on one MinIO server; each subtest has buckets of its own prefix.
func TestS3Objects(t *testing.T) {
	m := testenv.StartMinIO(t)
	var n atomic.Int32
	core, err := minio.NewCore(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	storagetest.Objects(t, storagetest.ObjectsBackend{
		Open: func(t *testing.T) storage.Objects { return newS3(t, m, fmt.Sprintf("conf%d-", n.Add(1))) },
		// A writer that died after its first part: the upload stays open on the server.
		BeginUpload: func(t *testing.T, o storage.Objects, b storage.Bucket, key string) {
			bucket := o.(*storage.S3).Name(b)
			id, err := core.NewMultipartUpload(t.Context(), bucket, key, minio.PutObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			part := strings.Repeat("x", 5<<20)
			if _, err := core.PutObjectPart(t.Context(), bucket, key, id, 1, strings.NewReader(part), int64(len(part)), minio.PutObjectPartOptions{}); err != nil {
				t.Fatal(err)
			}
		},
	})
}

// TestS3Archive checks what the interface cannot show: the archive bucket keeps every version and
// was created with object lock, and the other buckets are plain.
func TestS3Archive(t *testing.T) {
	m := testenv.StartMinIO(t)
	s := newS3(t, m, "arch-")
	ctx := t.Context()
	if err := s.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	archive := s.Name(storage.Archive)
	if v, err := c.GetBucketVersioning(ctx, archive); err != nil || !v.Enabled() {
		t.Errorf("archive versioning = %+v, %v; want enabled", v, err)
	}
	if mode, _, _, _, err := c.GetObjectLockConfig(ctx, archive); err != nil || mode != "Enabled" {
		t.Errorf("archive object lock = %q, %v; want Enabled", mode, err)
	}
	if _, _, _, _, err := c.GetObjectLockConfig(ctx, s.Name(storage.Work)); err == nil {
		t.Error("the work bucket has object lock, which would keep every intermediate file")
	}
	for _, body := range []string{"bản ký một", "bản ký hai"} {
		if _, err := s.Put(ctx, storage.Archive, "A-0001.01.pdf", strings.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
			t.Fatal(err)
		}
	}
	versions := 0
	for o := range c.ListObjects(ctx, archive, minio.ListObjectsOptions{WithVersions: true, Prefix: "A-0001"}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		versions++
	}
	if versions != 2 {
		t.Errorf("the archive holds %d versions of a file put twice, want 2", versions)
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
	s := newS3(t, testenv.StartMinIO(t, env...), "conf-")
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
