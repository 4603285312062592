package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

// TestRecoversLostTasks loses work the two ways Redis can: a document recorded in PostgreSQL whose
// first task was never enqueued (the process died in between), and every task wiped while documents
// are in flight (Redis restarted; it keeps nothing on disk). PostgreSQL is the truth: the reconciler
// must bring both to done.
func TestRecoversLostTasks(t *testing.T) {
	sys := startSystem(t, "SOHOA_RECONCILE_IDLE", "2s", "SOHOA_RECONCILE_INTERVAL", "1s")
	ctx := context.Background()
	scans := filepath.Join(testenv.Samples(t), "scans")

	// Recorded, never enqueued.
	data, err := os.ReadFile(filepath.Join(scans, "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	sha := hexSHA(data)
	if _, err := sys.app.objects.Put(ctx, storage.Work, "originals/"+sha, bytes.NewReader(data), int64(len(data)), "image/png"); err != nil {
		t.Fatal(err)
	}
	orphan, _, err := sys.app.records.CreateDocument(ctx, storage.NewDocument{ID: uuid.NewString(), SHA256: sha,
		OriginalKey: "originals/" + sha, Filename: "khai-sinh.png", Source: "api", Size: int64(len(data)), MediaType: "image/png",
		Agency: sys.app.cfg.Agency})
	if err != nil {
		t.Fatal(err)
	}

	// In flight when Redis loses everything.
	data, _ = os.ReadFile(filepath.Join(scans, "ke-hoach.tiff"))
	_, body := sys.upload(t, "ke-hoach.tiff", data)
	flying := decode[api.Document](t, body)
	for d := sys.document(t, flying.ID); d.Status == "received" || d.Stage == "ingest"; d = sys.document(t, flying.ID) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := sys.redis.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}

	for _, id := range []string{orphan.ID, flying.ID} {
		if d := sys.wait(t, id, 3*time.Minute); d.Status != "done" {
			t.Errorf("%s: %s at %s: %s", d.Filename, d.Status, d.Stage, d.Error)
		}
	}
}
