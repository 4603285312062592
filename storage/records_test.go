package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/schemas"
	"github.com/sohoa-vn/sohoa/storage"
)

func TestPostgresConformance(t *testing.T) {
	migrations, err := fs.Sub(schemas.Migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	url := testenv.Postgres(t)
	ctx := context.Background()
	p, err := storage.OpenPostgres(ctx, url, migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// Opening again applies nothing twice.
	again, err := storage.OpenPostgres(ctx, url, migrations)
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	again.Close()
	testRecords(t, p)
}

func newDoc(sha string) storage.NewDocument {
	return storage.NewDocument{ID: uuid.NewString(), SHA256: sha, OriginalKey: "originals/" + sha,
		Filename: "quét.jpg", Source: "api", Size: 10, MediaType: "image/jpeg"}
}

// testRecords checks the Records contract; every backend runs it.
func testRecords(t *testing.T, r storage.Records) {
	ctx := context.Background()
	if err := r.Ping(ctx); err != nil {
		t.Fatal(err)
	}

	t.Run("create is idempotent by SHA-256", func(t *testing.T) {
		d, created, err := r.CreateDocument(ctx, newDoc("aa"))
		if err != nil || !created || d.Status != storage.StatusReceived || d.Stage != "ingest" || d.Run != 1 {
			t.Fatalf("CreateDocument = %+v, %v, %v", d, created, err)
		}
		d2, created, err := r.CreateDocument(ctx, newDoc("aa"))
		if err != nil || created || d2.ID != d.ID {
			t.Fatalf("second CreateDocument = %s, %v, %v; want %s, false", d2.ID, created, err, d.ID)
		}
		if _, err := r.Document(ctx, uuid.NewString()); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Document(unknown) = %v, want ErrNotFound", err)
		}
	})

	t.Run("stage state machine", func(t *testing.T) {
		d, _, _ := r.CreateDocument(ctx, newDoc("bb"))
		if err := r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}); !errors.Is(err, storage.ErrStale) {
			t.Errorf("starting a stage the document is not at = %v, want ErrStale", err)
		}
		if err := r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 2, Stage: "ingest"}); !errors.Is(err, storage.ErrStale) {
			t.Errorf("starting another run = %v, want ErrStale", err)
		}
		must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}))
		must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"})) // a redelivered task counts a second attempt
		must(t, r.FailStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}, storage.Failure{Reason: "mạng chập chờn"}, false))
		d, _ = r.Document(ctx, d.ID)
		if d.Status != storage.StatusProcessing || d.Error != "mạng chập chờn" {
			t.Errorf("after a transient failure: %s %q", d.Status, d.Error)
		}
		must(t, r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}, "ocr"))
		d, _ = r.Document(ctx, d.ID)
		if d.Status != storage.StatusProcessing || d.Stage != "ocr" || d.Error != "" {
			t.Errorf("after ingest: %s at %s, %q", d.Status, d.Stage, d.Error)
		}
		if err := r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}, "ocr"); !errors.Is(err, storage.ErrStale) {
			t.Errorf("finishing a stage twice = %v, want ErrStale", err)
		}
		stages, err := r.Stages(ctx, d.ID)
		if err != nil || len(stages) != 1 || stages[0].Attempts != 2 || stages[0].Status != "done" || stages[0].FinishedAt == nil {
			t.Errorf("Stages = %+v, %v", stages, err)
		}

		must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}))
		must(t, r.FailStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}, storage.Failure{Reason: "hỏng"}, true))
		d, _ = r.Document(ctx, d.ID)
		if d.Status != storage.StatusFailed || d.Stage != "ocr" || d.Error != "hỏng" {
			t.Errorf("after a final failure: %s at %s, %q", d.Status, d.Stage, d.Error)
		}
		if err := r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}); !errors.Is(err, storage.ErrStale) {
			t.Errorf("starting a failed document = %v, want ErrStale", err)
		}

		d, err = r.Retry(ctx, d.ID)
		if err != nil || d.Run != 2 || d.Status != storage.StatusReceived || d.Stage != "ocr" || d.Error != "" {
			t.Fatalf("Retry = %+v, %v", d, err)
		}
		if d2, _ := r.Retry(ctx, d.ID); d2.Run != 2 {
			t.Error("Retry of a document that is not failed started a run")
		}
		if stages, _ := r.Stages(ctx, d.ID); len(stages) != 0 {
			t.Errorf("a new run shows the old run's stages: %+v", stages)
		}
		must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 2, Stage: "ocr"}))
		for _, s := range []struct{ stage, next string }{{"ocr", "pdfa"}, {"pdfa", "code"}, {"code", "sign"}, {"sign", "index"}} {
			must(t, r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: 2, Stage: s.stage}, s.next))
			must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 2, Stage: s.next}))
		}
		must(t, r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: 2, Stage: "index"}, ""))
		d, _ = r.Document(ctx, d.ID)
		if d.Status != storage.StatusDone || d.Stage != "index" {
			t.Errorf("after the last stage: %s at %s", d.Status, d.Stage)
		}
	})

	t.Run("pending", func(t *testing.T) {
		d, _, _ := r.CreateDocument(ctx, newDoc("cc"))
		if docs, _ := r.Pending(ctx, time.Hour, 100); contains(docs, d.ID) {
			t.Error("a document changed just now is pending for an hour already")
		}
		time.Sleep(20 * time.Millisecond)
		docs, err := r.Pending(ctx, 10*time.Millisecond, 100)
		if err != nil || !contains(docs, d.ID) {
			t.Errorf("Pending = %v, %v; want it to hold %s", docs, err, d.ID)
		}
	})

	t.Run("pages and text", func(t *testing.T) {
		d := atOCR(t, r, "dd")
		pages := []storage.Page{{N: 1, ImageKey: "p1", Format: "jpeg", Width: 10, Height: 20, DPIX: 200, DPIY: 200},
			{N: 2, ImageKey: "p2", Format: "png", Width: 10, Height: 20, DPIX: 300, DPIY: 300}}
		must(t, r.SetPages(ctx, d.ID, pages))
		must(t, r.SetPages(ctx, d.ID, pages)) // ingest may run twice
		must(t, r.StartPage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 2}))
		if done, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 2}, storage.PageResult{OCRKey: "o2", Text: "trang hai", Confidence: 91}, "pdfa"); err != nil || done {
			t.Fatalf("first of two pages: finished=%v, %v", done, err)
		}
		if _, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 3}, storage.PageResult{OCRKey: "o3", Text: "x", Confidence: 1}, "pdfa"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("a missing page = %v, want ErrNotFound", err)
		}
		if _, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 2, Stage: "ocr", Page: 1}, storage.PageResult{OCRKey: "o1", Text: "x", Confidence: 1}, "pdfa"); !errors.Is(err, storage.ErrStale) {
			t.Errorf("a page of another run = %v, want ErrStale", err)
		}
		got, err := r.Pages(ctx, d.ID)
		if err != nil || len(got) != 2 || got[1].Text != "trang hai" || got[1].Confidence != 91 || got[0].DPIX != 200 ||
			got[1].OCRStartedAt == nil || got[1].OCRFinishedAt == nil || got[0].OCRKey != "" {
			t.Errorf("Pages = %+v, %v", got, err)
		}
		texts, err := r.Text(ctx, d.ID)
		if err != nil || strings.Join(texts, "|") != "|trang hai" {
			t.Errorf("Text = %q, %v", texts, err)
		}
		if d, _ := r.Document(ctx, d.ID); d.Pages != 2 || d.Stage != "ocr" {
			t.Errorf("page count %d, stage %s", d.Pages, d.Stage)
		}
		if _, err := r.Text(ctx, uuid.NewString()); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Text(unknown) = %v", err)
		}
	})

	t.Run("the last page finishes the stage exactly once", func(t *testing.T) {
		d := atOCR(t, r, "ff")
		const n = 12
		pages := make([]storage.Page, n)
		for i := range pages {
			pages[i] = storage.Page{N: i + 1, ImageKey: fmt.Sprint(i), Format: "png", Width: 1, Height: 1, DPIX: 200, DPIY: 200}
		}
		must(t, r.SetPages(ctx, d.ID, pages))
		var wg sync.WaitGroup
		finished := make(chan int, n)
		for i := 1; i <= n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				done, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: i}, storage.PageResult{OCRKey: fmt.Sprint("o", i), Text: "chữ", Confidence: 90}, "pdfa")
				if err != nil {
					t.Error(err)
				}
				if done {
					finished <- i
				}
			}()
		}
		wg.Wait()
		close(finished)
		if got := len(finished); got != 1 {
			t.Fatalf("%d page tasks finished the stage, want exactly 1", got)
		}
		if d, _ := r.Document(ctx, d.ID); d.Stage != "pdfa" || d.Status != storage.StatusProcessing {
			t.Errorf("after the last page: %s at %s", d.Status, d.Stage)
		}
		if _, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 1}, storage.PageResult{OCRKey: "o1", Text: "x", Confidence: 1}, "pdfa"); !errors.Is(err, storage.ErrStale) {
			t.Errorf("a page recorded after the stage finished = %v, want ErrStale", err)
		}
	})

	t.Run("codes never repeat and stay", func(t *testing.T) {
		day := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		format := func(seq int) (string, error) { return fmt.Sprintf("A-%04d", seq), nil }
		var ids []string
		for i := range 40 {
			d, _, _ := r.CreateDocument(ctx, newDoc(fmt.Sprintf("code%02d", i)))
			ids = append(ids, d.ID)
		}
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for _, id := range ids {
			for range 2 { // each document asked twice, concurrently
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := r.AssignCode(ctx, id, "A", day, format)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if other, ok := seen[c]; ok && other != id {
						t.Errorf("code %s given to %s and %s", c, other, id)
					}
					seen[c] = id
				}()
			}
		}
		wg.Wait()
		for i := 1; i <= len(ids); i++ {
			if _, ok := seen[fmt.Sprintf("A-%04d", i)]; !ok {
				t.Errorf("sequence has a gap at %d: %v", i, len(seen))
			}
		}
		if c, _ := r.AssignCode(ctx, ids[0], "A", day.Add(48*time.Hour), format); seen[c] != ids[0] {
			t.Errorf("a document's code changed to %s", c)
		}
		if c, err := r.AssignCode(ctx, uuid.NewString(), "A", day, format); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("AssignCode(unknown) = %q, %v", c, err)
		}
	})

	t.Run("search", func(t *testing.T) {
		d, _, _ := r.CreateDocument(ctx, newDoc("ee"))
		must(t, r.Index(ctx, d.ID, "TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi Ủy ban nhân dân phường Máy Chai"))
		total, hits, err := r.Search(ctx, storage.Query{Text: "Máy Chai"})
		if err != nil || total != 1 || len(hits) != 1 || hits[0].ID != d.ID || !strings.Contains(hits[0].Snippet, "«Máy»") {
			t.Errorf("Search = %d %+v %v", total, hits, err)
		}
		if total, _, _ := r.Search(ctx, storage.Query{Text: "khai -sinh"}); total != 0 {
			t.Errorf("an excluded word still matched")
		}
		if total, hits, err := r.Search(ctx, storage.Query{Text: "không có từ này"}); err != nil || total != 0 || len(hits) != 0 {
			t.Errorf("Search(nothing) = %d %v %v", total, hits, err)
		}
	})

	t.Run("search folds diacritics and ranks exact ones first", func(t *testing.T) {
		exact, _, _ := r.CreateDocument(ctx, newDoc("s1"))
		near, _, _ := r.CreateDocument(ctx, newDoc("s2"))
		// near is indexed last, so a ranking by date alone would put it first.
		must(t, r.Index(ctx, exact.ID, "Giấy khai sinh", "Đăng ký hộ tịch tại phường. Số: 110/KH-UBND"))
		must(t, r.Index(ctx, near.ID, "Biên bản", "Lưu hồ tịch của xã"))
		_, hits, err := r.Search(ctx, storage.Query{Text: "ho tich"})
		if err != nil || !hitIDs(hits)[exact.ID] || !hitIDs(hits)[near.ID] {
			t.Errorf(`"ho tich" = %+v, %v; want both`, hits, err)
		}
		_, hits, err = r.Search(ctx, storage.Query{Text: "hộ tịch"})
		if err != nil || len(hits) < 2 || hits[0].ID != exact.ID {
			t.Errorf(`"hộ tịch" = %+v, %v; want the exact match first`, hits, err)
		} else if !strings.Contains(hits[0].Snippet, "«hộ» «tịch»") {
			t.Errorf("snippet %q does not mark the original words", hits[0].Snippet)
		}
		_, hits, err = r.Search(ctx, storage.Query{Text: "110/KH-UBND"})
		if err != nil || len(hits) != 1 || hits[0].ID != exact.ID {
			t.Errorf(`"110/KH-UBND" = %+v, %v`, hits, err)
		}
	})

	t.Run("search filters", func(t *testing.T) {
		a, _, _ := r.CreateDocument(ctx, newDoc("f1"))
		b, _, _ := r.CreateDocument(ctx, newDoc("f2"))
		must(t, r.Index(ctx, a.ID, "", "giấy phép xây dựng"))
		must(t, r.Index(ctx, b.ID, "", "giấy phép kinh doanh"))
		must(t, r.StartStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ingest"}))
		must(t, r.FinishStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ingest"}, "ocr"))
		must(t, r.StartStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ocr"}))
		must(t, r.FinishStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ocr"}, "code"))
		must(t, r.StartStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "code"}))
		if _, err := r.AssignCode(ctx, a.ID, "000.00.53.H26", time.Now(), func(int) (string, error) { return "000.00.53.H26-261127-0777", nil }); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			q    storage.Query
			want map[string]bool
		}{
			{storage.Query{Text: "giấy phép"}, map[string]bool{a.ID: true, b.ID: true}},
			{storage.Query{Text: "giấy phép", Agency: "000.00.53.H26"}, map[string]bool{a.ID: true}},
			{storage.Query{Text: "giấy phép", Code: "000.00.53.H26-261127-0777"}, map[string]bool{a.ID: true}},
			{storage.Query{Text: "giấy phép", Agency: "000.00.00.H99"}, map[string]bool{}},
		} {
			_, hits, err := r.Search(ctx, c.q)
			got := hitIDs(hits)
			delete(got, "")
			for id := range got {
				if id != a.ID && id != b.ID {
					delete(got, id) // documents of other subtests
				}
			}
			if err != nil || len(got) != len(c.want) {
				t.Errorf("Search(%+v) = %v, %v; want %v", c.q, got, err, c.want)
			}
			for id := range c.want {
				if !got[id] {
					t.Errorf("Search(%+v) lacks %s", c.q, id)
				}
			}
		}
	})

	t.Run("list", func(t *testing.T) {
		docs, total, err := r.List(ctx, storage.Filter{SHA256: "ee"})
		if err != nil || total != 1 || len(docs) != 1 || docs[0].SHA256 != "ee" {
			t.Errorf("List(sha ee) = %d %v %v", total, docs, err)
		}
		docs, total, err = r.List(ctx, storage.Filter{Status: storage.StatusDone, Limit: 1})
		if err != nil || total < 1 || len(docs) != 1 || docs[0].Status != storage.StatusDone {
			t.Errorf("List(done) = %d %v %v", total, docs, err)
		}
	})
}

// atOCR returns a new document whose run 1 is at stage ocr.
func atOCR(t *testing.T, r storage.Records, sha string) storage.Document {
	t.Helper()
	ctx := context.Background()
	d, _, err := r.CreateDocument(ctx, newDoc(sha))
	must(t, err)
	must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}))
	must(t, r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}, "ocr"))
	must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}))
	return d
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func hitIDs(hits []storage.Hit) map[string]bool {
	m := map[string]bool{}
	for _, h := range hits {
		m[h.ID] = true
	}
	return m
}

func contains(docs []storage.Document, id string) bool {
	for _, d := range docs {
		if d.ID == id {
			return true
		}
	}
	return false
}
