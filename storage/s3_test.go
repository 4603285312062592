package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sohoa-vn/sohoa/internal/s3setup"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/internal/testenv/s3users"
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

// TestS3ArchiveCannotBeRewritten checks, on a server set up as scripts/services sets it up, that
// with sohoa's own credentials a signed file's version can be neither deleted nor changed, that
// not even the server's root user can delete it before its retention ends, and that a station's
// credentials can only put into the inbox.
func TestS3ArchiveCannotBeRewritten(t *testing.T) {
	m := testenv.StartMinIO(t)
	users := s3users.Provision(t, m, "lock-")
	ctx := t.Context()
	svc, err := storage.NewS3(storage.S3Config{Endpoint: m.Endpoint, AccessKey: users.Service.AccessKey, SecretKey: users.Service.SecretKey, BucketPrefix: "lock-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Ensure(ctx); err != nil {
		t.Fatalf("Ensure with the service's credentials, buckets made by the setup: %v", err)
	}
	if err := svc.CheckLock(ctx); err != nil {
		t.Fatalf("CheckLock of a server set up for sohoa: %v", err)
	}
	client := func(c s3setup.Credentials) *minio.Client {
		cl, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.AccessKey, c.SecretKey, "")})
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	own, root, station := client(users.Service), client(s3setup.Credentials{AccessKey: m.AccessKey, SecretKey: m.SecretKey}), client(users.Station)
	archive, work, inbox := svc.Name(storage.Archive), svc.Name(storage.Work), svc.Name(storage.Inbox)

	const key, body = "doc-1/000.00.53.H26-260101-0001.01.pdf", "bản ký số"
	signed, err := svc.PutLocked(ctx, storage.Archive, key, strings.NewReader(body), int64(len(body)), "application/pdf",
		storage.Lock{Until: time.Now().Add(24 * time.Hour)})
	if err != nil {
		t.Fatalf("PutLocked with the service's credentials: %v", err)
	}
	intact := func(when string) {
		t.Helper()
		r, err := svc.GetVersion(ctx, storage.Archive, key, signed.VersionID)
		if err != nil {
			t.Fatalf("%s: the signed version cannot be read: %v", when, err)
		}
		defer r.Close()
		if got, err := io.ReadAll(r); err != nil || string(got) != body {
			t.Fatalf("%s: the signed version reads %q, %v", when, got, err)
		}
	}

	// sohoa's own credentials: no delete, no bypass, no shorter retention, no bucket settings.
	for name, err := range map[string]error{
		"delete the version": own.RemoveObject(ctx, archive, key, minio.RemoveObjectOptions{VersionID: signed.VersionID}),
		"delete the version bypassing governance": own.RemoveObject(ctx, archive, key,
			minio.RemoveObjectOptions{VersionID: signed.VersionID, GovernanceBypass: true}),
		"delete the key":        own.RemoveObject(ctx, archive, key, minio.RemoveObjectOptions{}),
		"delete through Delete": svc.Delete(ctx, storage.Archive, key),
		"shorten the retention": own.PutObjectRetention(ctx, archive, key, minio.PutObjectRetentionOptions{
			VersionID: signed.VersionID, Mode: ptr(minio.Compliance), RetainUntilDate: ptr(time.Now().Add(time.Minute))}),
		"suspend versioning":      own.SuspendVersioning(ctx, archive),
		"turn off the lock":       own.SetObjectLockConfig(ctx, archive, nil, nil, nil),
		"set a bucket policy":     own.SetBucketPolicy(ctx, archive, ""),
		"suspend work versioning": own.SuspendVersioning(ctx, work),
		"remove the bucket":       own.RemoveBucket(ctx, archive),
	} {
		if err == nil {
			t.Errorf("with sohoa's credentials, %s succeeded", name)
		}
	}
	if _, err := svc.PutNew(ctx, storage.Archive, key, strings.NewReader("bản tráo"), int64(len("bản tráo")), "application/pdf"); !errors.Is(err, storage.ErrExists) {
		t.Errorf("PutNew over the signed file = %v, want ErrExists", err)
	}
	// A plain put cannot be refused by a versioned bucket: it adds a version on top, and the signed
	// version stays as it was (sohoa reads it by its ID).
	if _, err := own.PutObject(ctx, archive, key, strings.NewReader("bản tráo"), int64(len("bản tráo")), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("a put on top: %v", err)
	}
	intact("after sohoa's credentials tried")

	// Not even the root user deletes a version under COMPLIANCE retention.
	for name, err := range map[string]error{
		"delete the version": root.RemoveObject(ctx, archive, key, minio.RemoveObjectOptions{VersionID: signed.VersionID}),
		"delete the version bypassing governance": root.RemoveObject(ctx, archive, key,
			minio.RemoveObjectOptions{VersionID: signed.VersionID, GovernanceBypass: true}),
	} {
		if err == nil {
			t.Errorf("with the root credentials, %s succeeded", name)
		}
	}
	intact("after root tried")

	// A station only puts into the inbox.
	if _, err := station.PutObject(ctx, inbox, "trạm-1/quét.jpg", strings.NewReader("x"), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatalf("a station's put into the inbox: %v", err)
	}
	if _, err := station.StatObject(ctx, inbox, "trạm-1/quét.jpg", minio.StatObjectOptions{}); err == nil {
		t.Error("a station read the inbox")
	}
	if err := station.RemoveObject(ctx, inbox, "trạm-1/quét.jpg", minio.RemoveObjectOptions{}); err == nil {
		t.Error("a station deleted from the inbox")
	}
	for o := range station.ListObjects(ctx, inbox, minio.ListObjectsOptions{}) {
		if o.Err == nil {
			t.Errorf("a station listed the inbox: %s", o.Key)
		}
	}
	for _, b := range []string{work, archive} {
		if _, err := station.PutObject(ctx, b, "x", strings.NewReader("x"), 1, minio.PutObjectOptions{}); err == nil {
			t.Errorf("a station put into %s", b)
		}
	}
	if users2 := s3users.Provision(t, m, "lock-"); users2 != users {
		t.Errorf("setting up again gave other users: %+v", users2)
	}
	if err := svc.CheckLock(ctx); err != nil {
		t.Errorf("CheckLock after setting up again: %v", err)
	}
}

// TestS3CheckLock checks that buckets made without versioning and object lock are refused.
func TestS3CheckLock(t *testing.T) {
	m := testenv.StartMinIO(t)
	ctx := t.Context()
	c, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range storage.Buckets() {
		if err := c.MakeBucket(ctx, "plain-"+string(b), minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	err = newS3(t, m, "plain-").CheckLock(ctx)
	if err == nil || !strings.Contains(err.Error(), "plain-work does not keep versions") || !strings.Contains(err.Error(), "plain-archive has no object lock") {
		t.Errorf("CheckLock of plain buckets = %v; want both the work bucket's versioning and the archive's lock named", err)
	}
	s := newS3(t, m, "made-")
	if err := s.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckLock(ctx); err != nil {
		t.Errorf("CheckLock of buckets Ensure made: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
