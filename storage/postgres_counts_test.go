package storage_test

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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
		if name >= "0015" {
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

// BenchmarkDocumentsByStatus reads the counts of SOHOA_BENCH_DOCS documents (200 000 by default,
// each with a page of text) as the metrics do, against counting the documents table, the reference:
//
//	SOHOA_BENCH_DOCS=1000000 go test ./storage -run '^$' -bench DocumentsByStatus -benchtime 20x
func BenchmarkDocumentsByStatus(b *testing.B) {
	n := 200_000
	if v := os.Getenv("SOHOA_BENCH_DOCS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("SOHOA_BENCH_DOCS=%q: %v", v, err)
		}
	}
	url := testenv.Postgres(b)
	p := open(b, url)
	conn, err := pgx.Connect(b.Context(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(b.Context(), `INSERT INTO documents (id, sha256, original_key, source, size_bytes, status, text)
		SELECT gen_random_uuid(), md5(i::text) || i, 'originals/' || i, 'api', 1,
			CASE WHEN i % 100 = 0 THEN 'failed' WHEN i % 1000 = 1 THEN 'processing' ELSE 'done' END,
			repeat('Giấy khai sinh số ' || i || ' ', 40)
		FROM generate_series(1, $1) i`, n); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(b.Context(), `VACUUM ANALYZE documents`); err != nil {
		b.Fatal(err)
	}
	if _, err := p.DocumentsByStatus(b.Context()); err != nil { // folds the rows the insert appended
		b.Fatal(err)
	}
	b.Run("counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := p.DocumentsByStatus(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("group-by-reference", func(b *testing.B) {
		for b.Loop() {
			rows, err := conn.Query(b.Context(), `SELECT status, count(*) FROM documents GROUP BY status`)
			if err == nil {
				_, err = pgx.CollectRows(rows, pgx.RowToMap)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
