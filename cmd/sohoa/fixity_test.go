package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/internal/testenv/s3users"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// TestArchiveCannotBeRewritten: on the real MinIO, with sohoa's own credentials, a signed file's
// version can be neither overwritten nor deleted; an archive object replaced with the root
// credentials is detected — GET …/file serves the signed original by its version, or an error,
// never the swapped bytes — and `sohoa fixity` reports it.
func TestArchiveCannotBeRewritten(t *testing.T) {
	sys := startSystem(t)
	ctx := context.Background()
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	code, body := sys.upload(t, "khai-sinh.png", data)
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	if d := sys.wait(t, decode[api.Document](t, body).ID, 3*time.Minute); d.Status != "done" {
		t.Fatalf("document %s: %s", d.Status, d.Error)
	}
	doc, err := sys.app.records.Document(ctx, decode[api.Document](t, body).ID)
	if err != nil {
		t.Fatal(err)
	}
	archive := sys.app.objects.Name(storage.Archive)
	signed := sys.get200(t, "/api/v1/documents/"+doc.ID+"/file")
	if sum := sha256.Sum256(signed); hex.EncodeToString(sum[:]) != doc.SignedSHA256 || doc.SignedVersion == "" {
		t.Fatalf("the file served is not the one recorded (version %q)", doc.SignedVersion)
	}
	st, err := sys.app.objects.Stat(ctx, storage.Archive, doc.SignedKey)
	if err != nil || st.Lock.Until.Before(time.Now().AddDate(9, 11, 0)) {
		t.Errorf("the signed file is locked %+v (%v); want COMPLIANCE retention for 10 years (code 06)", st.Lock, err)
	}

	// sohoa's own credentials can neither delete the version nor write over it.
	if err := sys.s3.RemoveObject(ctx, archive, doc.SignedKey, minio.RemoveObjectOptions{VersionID: doc.SignedVersion}); err == nil {
		t.Error("sohoa's credentials deleted the signed version")
	}
	if err := sys.s3.RemoveObject(ctx, archive, doc.SignedKey, minio.RemoveObjectOptions{VersionID: doc.SignedVersion, GovernanceBypass: true}); err == nil {
		t.Error("sohoa's credentials deleted the signed version, bypassing governance")
	}
	if err := sys.app.objects.Delete(ctx, storage.Archive, doc.SignedKey); err == nil {
		t.Error("sohoa's credentials deleted the signed file")
	}
	swapped := []byte("%PDF-1.7\n% not the signed file\n%%EOF\n")
	if _, err := sys.app.objects.PutNew(ctx, storage.Archive, doc.SignedKey, bytes.NewReader(swapped), int64(len(swapped)), "application/pdf"); !errors.Is(err, storage.ErrExists) {
		t.Errorf("a create-only put over the signed file = %v, want ErrExists", err)
	}

	// Root swaps the file: a version on top (COMPLIANCE retention keeps even root from the signed one).
	root, err := minio.New(sys.minio.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(sys.minio.AccessKey, sys.minio.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := root.RemoveObject(ctx, archive, doc.SignedKey, minio.RemoveObjectOptions{VersionID: doc.SignedVersion, GovernanceBypass: true}); err == nil {
		t.Fatal("root deleted a version under COMPLIANCE retention")
	}
	if _, err := root.PutObject(ctx, archive, doc.SignedKey, bytes.NewReader(swapped), int64(len(swapped)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := sys.get200(t, "/api/v1/documents/"+doc.ID+"/file"); !bytes.Equal(got, signed) {
		t.Errorf("after root's swap, GET file served %d other bytes (swapped: %v)", len(got), bytes.Equal(got, swapped))
	}

	// `sohoa fixity` reports the swap, and exits with an error.
	var logs testenv.Buffer
	for k, v := range sys.env {
		t.Setenv(k, v)
	}
	err = run(ctx, []string{"fixity"}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err == nil || !strings.Contains(err.Error(), "1 signed files are not as recorded") {
		t.Errorf("sohoa fixity = %v; want it to fail on the one swapped file", err)
	}
	if l := logs.String(); !strings.Contains(l, "document="+doc.ID) || !strings.Contains(l, "problem="+workers.ProblemReplaced) {
		t.Errorf("sohoa fixity did not report the document as replaced:\n%s", l)
	}
	history := sys.history(t, doc.ID)
	if !strings.Contains(history, `"action":"`+workers.FixityAction+`"`) || !strings.Contains(history, `"problem":"`+workers.ProblemReplaced+`"`) {
		t.Errorf("no fixity.mismatch event in the history: %s", history)
	}

	// A record that names no version (a store that kept none when it was archived) is read by its
	// key: the swapped bytes are refused, not served.
	if err := sys.app.records.SetSigned(ctx, doc.ID, storage.SignedFile{Key: doc.SignedKey, SHA256: doc.SignedSHA256}); err != nil {
		t.Fatal(err)
	}
	code, body = sys.get(t, "/api/v1/documents/"+doc.ID+"/file")
	if code != http.StatusInternalServerError || !strings.Contains(string(body), `"code":"fixity_mismatch"`) || bytes.Contains(body, swapped[:12]) {
		t.Errorf("GET file of swapped bytes = %d %s; want 500 fixity_mismatch and none of the bytes", code, body)
	}
	logs = testenv.Buffer{}
	if err := run(ctx, []string{"fixity"}, slog.New(slog.NewTextHandler(&logs, nil))); err == nil || !strings.Contains(logs.String(), "problem="+workers.ProblemMismatch) {
		t.Errorf("sohoa fixity = %v, log:\n%s\nwant the mismatch reported", err, logs.String())
	}
}

// get200 returns the body of a GET that must answer 200.
func (s system) get200(t *testing.T, path string) []byte {
	t.Helper()
	code, body := s.get(t, path)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, body)
	}
	return body
}

// history returns the actions (and fixity problems) of the document's history, one a line.
func (s system) history(t *testing.T, id string) string {
	t.Helper()
	events, err := s.app.records.History(context.Background(), "", id)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range events {
		b.WriteString(`{"action":"` + e.Action + `"`)
		if p, ok := e.Detail["problem"].(string); ok {
			b.WriteString(`,"problem":"` + p + `"`)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// sohoa refuses to run in production on buckets without versioning and object lock, and warns in
// development.
func TestProductionNeedsTheLock(t *testing.T) {
	m := testenv.StartMinIO(t)
	ctx := context.Background()
	root, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range storage.Buckets() {
		if err := root.MakeBucket(ctx, "plain-"+string(b), minio.MakeBucketOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	objects, err := storage.NewS3(storage.S3Config{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, BucketPrefix: "plain-"})
	if err != nil {
		t.Fatal(err)
	}
	var logs testenv.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if err := checkArchive(ctx, config.Config{Env: "production"}, objects, log); err == nil || !strings.Contains(err.Error(), "no object lock") {
		t.Errorf("production on plain buckets: %v; want a refusal naming the lock", err)
	}
	if err := checkArchive(ctx, config.Config{Env: "development"}, objects, log); err != nil || !strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("development on plain buckets: %v, log %q; want a warning only", err, logs.String())
	}
	users := s3users.Provision(t, m, "set-")
	own, err := storage.NewS3(storage.S3Config{Endpoint: m.Endpoint, AccessKey: users.Service.AccessKey, SecretKey: users.Service.SecretKey, BucketPrefix: "set-"})
	if err != nil {
		t.Fatal(err)
	}
	if err := checkArchive(ctx, config.Config{Env: "production"}, own, log); err != nil {
		t.Errorf("production on buckets set up by sohoa s3 setup: %v", err)
	}
}
