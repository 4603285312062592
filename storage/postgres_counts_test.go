package storage_test

import (
	"fmt"
	"io/fs"
	"maps"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

// A database with documents from before the counts were kept gets them counted by the migration
// that starts keeping them.
func TestDocumentCountsOfAnOlderDatabase(t *testing.T) {
	url := testenv.Postgres(t)
	before := fstest.MapFS{}
	names, err := fs.Glob(migrations, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name >= "0014" {
			continue
		}
		b, err := fs.ReadFile(migrations, name)
		if err != nil {
			t.Fatal(err)
		}
		before[name] = &fstest.MapFile{Data: b}
	}
	old, err := storage.OpenPostgres(t.Context(), url, before)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		sha := fmt.Sprintf("old-%d", i)
		d, _, err := old.CreateDocument(t.Context(), storage.NewDocument{ID: uuid.NewString(), SHA256: sha,
			OriginalKey: "originals/" + sha, Filename: "cu.jpg", Source: "api", Size: 1, MediaType: "image/jpeg"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := old.StartStage(t.Context(), storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	old.Close()
	got, err := open(t, url).DocumentsByStatus(t.Context())
	if want := map[string]int64{storage.StatusReceived: 2, storage.StatusProcessing: 1}; err != nil || !maps.Equal(got, want) {
		t.Errorf("DocumentsByStatus after the migration = %v, %v; want %v", got, err, want)
	}
}
