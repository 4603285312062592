package storage_test

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"strconv"
	"sync"
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

// insertDocuments adds n documents of statuses in turn straight in SQL, as many rows as a busy day
// brings, each counted by the triggers.
func insertDocuments(conn *pgx.Conn, from, n int) error {
	_, err := conn.Exec(context.Background(), `INSERT INTO documents (id, sha256, original_key, source, size_bytes, status, text)
		SELECT gen_random_uuid(), 'sha-' || i, 'originals/' || i, 'api', 1,
			CASE WHEN i % 100 = 0 THEN 'failed' WHEN i % 1000 = 1 THEN 'processing' ELSE 'done' END,
			repeat('Giấy khai sinh số ' || i || ' ', 40)
		FROM generate_series($1::int, $2::int) i`, from, from+n-1)
	return err
}

// tableCounts counts the documents table itself, the reference.
func tableCounts(t testing.TB, conn *pgx.Conn) map[string]int64 {
	t.Helper()
	rows, err := conn.Query(context.Background(), `SELECT status, count(*) FROM documents GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	var status string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error { out[status] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// The counts' rows are folded once they are many, by readers racing each other and the writers, and
// the counts stay those of the table.
func TestDocumentCountsFold(t *testing.T) {
	url := testenv.Postgres(t)
	p := open(t, url)
	var wg sync.WaitGroup
	for w := range 4 {
		conn := connect(t, url)
		wg.Go(func() {
			for batch := range 3 {
				if err := insertDocuments(conn, 1+(w*3+batch)*400, 400); err != nil {
					t.Error(err)
					return
				}
			}
		})
		wg.Go(func() {
			for range 20 {
				if _, err := p.DocumentsByStatus(t.Context()); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	conn := connect(t, url)
	for read := range 3 { // the first may fold what the racing readers left
		got, err := p.DocumentsByStatus(t.Context())
		if want := tableCounts(t, conn); err != nil || !maps.Equal(got, want) {
			t.Fatalf("read %d: DocumentsByStatus = %v, %v; the table holds %v", read+1, got, err, want)
		}
	}
	var rows int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM document_counts`).Scan(&rows); err != nil || rows > 1000 {
		t.Errorf("document_counts holds %d rows after 4800 documents and many reads (%v): never folded", rows, err)
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
	if err := insertDocuments(conn, 1, n); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(b.Context(), `VACUUM ANALYZE documents`); err != nil {
		b.Fatal(err)
	}
	if _, err := p.DocumentsByStatus(b.Context()); err != nil { // folds the rows the insert appended
		b.Fatal(err)
	}
	// What autovacuum does soon after the fold of a million rows: the reads below are those of a
	// steady day, not of the minute after a whole archive was counted.
	if _, err := conn.Exec(b.Context(), `VACUUM document_counts`); err != nil {
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
			tableCounts(b, conn)
		}
	})
}
