package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/storage"
)

func recordsPages(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := atOCR(t, r, "dd")
	pages := []storage.Page{{N: 1, ImageKey: "p1", Format: "jpeg", Width: 10, Height: 20, DPIX: 200, DPIY: 200},
		{N: 2, ImageKey: "p2", Format: "png", Width: 10, Height: 20, DPIX: 300, DPIY: 300}}
	must(t, r.SetPages(ctx, d.ID, pages))
	must(t, r.SetPages(ctx, d.ID, pages)) // ingest may run twice
	must(t, r.StartPage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 2}))
	if got, _ := r.Pages(ctx, d.ID); len(got) != 2 || got[1].OCRStartedAt == nil || got[1].OCRFinishedAt != nil || got[0].OCRStartedAt != nil {
		t.Errorf("Pages after StartPage(2) = %+v; want page 2 started, not finished", got)
	}
	if done, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 2}, storage.PageResult{OCRKey: "o2", Text: "trang hai", Confidence: 91, Review: true}, "pdfa"); err != nil || done {
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
		got[1].OCRStartedAt == nil || got[1].OCRFinishedAt == nil || got[0].OCRKey != "" || !got[1].Review || got[0].Review {
		t.Errorf("Pages = %+v, %v", got, err)
	} else if p := got[0]; p.N != 1 || p.ImageKey != "p1" || p.Format != "jpeg" || p.Width != 10 || p.Height != 20 || p.DPIY != 200 ||
		got[1].OCRKey != "o2" || got[1].DPIX != 300 || got[1].Format != "png" {
		t.Errorf("Pages = %+v; want what SetPages and PageRecognized recorded", got)
	}
	unsplit := create(t, r, "no pages yet")
	progress, err := r.PageProgress(ctx, []string{d.ID, unsplit.ID, uuid.NewString()})
	if pp := progress[d.ID]; err != nil || len(progress) != 1 || pp.Read != 1 || !slices.Equal(pp.Waiting, []int{2}) {
		t.Errorf("PageProgress = %+v, %v; want only %s, 1 page read, page 2 waiting", progress, err, d.ID)
	}
	texts, err := r.Text(ctx, d.ID)
	if err != nil || strings.Join(texts, "|") != "|trang hai" {
		t.Errorf("Text = %q, %v", texts, err)
	}
	if d, _ := r.Document(ctx, d.ID); d.Pages != 2 || d.Stage != "ocr" {
		t.Errorf("page count %d, stage %s", d.Pages, d.Stage)
	}

	// SetPages replaces: fewer pages, given out of order, come back in order and without results.
	must(t, r.SetPages(ctx, d.ID, []storage.Page{{N: 2, ImageKey: "q2", Format: "png", Width: 1, Height: 1, DPIX: 150, DPIY: 150},
		{N: 1, ImageKey: "q1", Format: "png", Width: 1, Height: 1, DPIX: 150, DPIY: 150}}))
	got, err = r.Pages(ctx, d.ID)
	if err != nil || len(got) != 2 || got[0].N != 1 || got[0].ImageKey != "q1" || got[1].N != 2 || got[1].OCRKey != "" || got[1].Text != "" {
		t.Errorf("Pages after SetPages again = %+v, %v; want q1, q2 unread", got, err)
	}
	must(t, r.SetPages(ctx, d.ID, pages[:1]))
	if got, _ := r.Pages(ctx, d.ID); len(got) != 1 {
		t.Errorf("Pages after SetPages of one page = %+v", got)
	}
	if d, _ := r.Document(ctx, d.ID); d.Pages != 1 {
		t.Errorf("page count %d after SetPages of one page", d.Pages)
	}
	if texts, err := r.Text(ctx, create(t, r, "no pages").ID); err != nil || len(texts) != 0 {
		t.Errorf("Text of a document without pages = %q, %v", texts, err)
	}
}

func numbered(n int) []storage.Page {
	pages := make([]storage.Page, n)
	for i := range pages {
		pages[i] = storage.Page{N: i + 1, ImageKey: fmt.Sprint(i), Format: "png", Width: 1, Height: 1, DPIX: 200, DPIY: 200}
	}
	return pages
}

// recognizeAll records every page of document id, each delivered deliveries times, all at once, and
// returns how many calls saw finished. Only a redelivery may find the stage finished (ErrStale).
func recognizeAll(t *testing.T, r storage.Records, id string, n, deliveries int) int {
	t.Helper()
	must(t, r.SetPages(t.Context(), id, numbered(n)))
	var wg sync.WaitGroup
	finished := make(chan int, n*deliveries)
	for i := 1; i <= n; i++ {
		for range deliveries {
			wg.Go(func() {
				done, err := r.PageRecognized(t.Context(), storage.Claim{Document: id, Run: 1, Stage: "ocr", Page: i}, storage.PageResult{OCRKey: fmt.Sprint("o", i), Text: "chữ", Confidence: 90}, "pdfa")
				if err != nil && (deliveries == 1 || !errors.Is(err, storage.ErrStale)) {
					t.Error(err)
				}
				if done {
					finished <- i
				}
			})
		}
	}
	wg.Wait()
	return len(finished)
}

func recordsLastPage(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := atOCR(t, r, "ff")
	if got := recognizeAll(t, r, d.ID, 12, 1); got != 1 {
		t.Fatalf("%d page tasks finished the stage, want exactly 1", got)
	}
	if d, _ := r.Document(ctx, d.ID); d.Stage != "pdfa" || d.Status != storage.StatusProcessing {
		t.Errorf("after the last page: %s at %s", d.Status, d.Stage)
	}
	if stages, _ := r.Stages(ctx, d.ID); len(stages) != 2 || stages[1].Name != "ocr" || stages[1].Status != "done" || stages[1].FinishedAt == nil {
		t.Errorf("Stages after the last page = %+v; want ocr done", stages)
	}
	if _, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 1}, storage.PageResult{OCRKey: "o1", Text: "x", Confidence: 1}, "pdfa"); !errors.Is(err, storage.ErrStale) {
		t.Errorf("a page recorded after the stage finished = %v, want ErrStale", err)
	}
}

// recordsLastPageRedelivered has every page task delivered twice at once: still exactly one sees
// finished, and a task that comes after the stage finished is stale, nothing worse.
func recordsLastPageRedelivered(t *testing.T, r storage.Records) {
	d := atOCR(t, r, "ff")
	if got := recognizeAll(t, r, d.ID, 6, 2); got != 1 {
		t.Fatalf("%d page tasks finished the stage, want exactly 1", got)
	}
	if d := document(t, r, d.ID); d.Stage != "pdfa" {
		t.Errorf("after the last page: at %s", d.Stage)
	}
}

func recordsCodes(t *testing.T, r storage.Records) {
	ctx := t.Context()
	day := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	format := func(seq int) (string, error) { return fmt.Sprintf("A-%04d", seq), nil }
	var ids []string
	for i := range 40 {
		ids = append(ids, create(t, r, fmt.Sprintf("code%02d", i)).ID)
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
	for c, id := range seen {
		if d := document(t, r, id); d.Code != c {
			t.Errorf("document %s has code %q, AssignCode gave %q", id, d.Code, c)
		}
	}
}

func recordsCodeSequences(t *testing.T, r storage.Records) {
	ctx := t.Context()
	format := func(agency string) func(int) (string, error) {
		return func(seq int) (string, error) { return fmt.Sprintf("%s-%04d", agency, seq), nil }
	}
	assign := func(agency string, day time.Time) string {
		t.Helper()
		c, err := r.AssignCode(ctx, create(t, r, fmt.Sprint(agency, day)).ID, agency, day, format(agency+day.Format("-060102")))
		must(t, err)
		return c
	}
	vn := time.FixedZone("ICT", 7*60*60)
	// 00:30 in Vietnam on the 27th is still the 26th in UTC: the day is taken in its own zone.
	early := time.Date(2026, 11, 27, 0, 30, 0, 0, vn)
	late := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	before := time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC) // the 27th in Vietnam, the 26th in its own zone
	for _, c := range []struct{ got, want string }{
		{assign("A", early), "A-261127-0001"},
		{assign("A", late), "A-261127-0002"},
		{assign("B", late), "B-261127-0001"},
		{assign("A", before), "A-261126-0001"},
		{assign("A", early.AddDate(0, 0, 1)), "A-261128-0001"},
	} {
		if c.got != c.want {
			t.Errorf("code %s, want %s", c.got, c.want)
		}
	}

	// A failing format assigns nothing and draws no number: the next document gets it.
	boom := errors.New("sequence full")
	d := create(t, r, "refused")
	if c, err := r.AssignCode(ctx, d.ID, "C", late, func(int) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("AssignCode with a failing format = %q, %v; want its error", c, err)
	}
	if d := document(t, r, d.ID); d.Code != "" {
		t.Errorf("a refused code was recorded: %q", d.Code)
	}
	if c := assign("C", late); c != "C-261127-0001" {
		t.Errorf("after a refused code the next is %s, want C-261127-0001", c)
	}
}

func recordsFiles(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := create(t, r, "files")
	must(t, r.SetPDF(ctx, d.ID, "pdf/x.pdf", "2u"))
	must(t, r.SetSigned(ctx, d.ID, storage.SignedFile{Key: "A-0001.01.pdf", VersionID: "v1", SHA256: "abc123"}))
	must(t, r.MarkSignedOriginal(ctx, d.ID))
	got := document(t, r, d.ID)
	if got.PDFKey != "pdf/x.pdf" || got.Conformance != "2u" || got.SignedKey != "A-0001.01.pdf" || got.SignedVersion != "v1" || got.SignedSHA256 != "abc123" || !got.SignedOriginal {
		t.Errorf("Document = %+v; want the PDF, the signed file and a signed original recorded", got)
	}
	if other := document(t, r, create(t, r, "other").ID); other.PDFKey != "" || other.SignedOriginal {
		t.Errorf("another document got them too: %+v", other)
	}
}

func recordsSigned(t *testing.T, r storage.Records) {
	ctx := t.Context()
	var signed []string
	for i := range 5 {
		d := create(t, r, fmt.Sprint("signed", i))
		if i == 2 {
			continue // not signed (yet): not in the walk
		}
		must(t, r.SetSigned(ctx, d.ID, storage.SignedFile{Key: d.ID + "/x.01.pdf", VersionID: "v", SHA256: "ff"}))
		signed = append(signed, d.ID)
	}
	slices.Sort(signed)
	var walked []string
	for after := ""; ; {
		page, err := r.Signed(ctx, after, 3)
		must(t, err)
		if len(page) > 3 {
			t.Fatalf("Signed(limit 3) gave %d", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, d := range page {
			if d.SignedKey != d.ID+"/x.01.pdf" || d.SignedSHA256 != "ff" {
				t.Errorf("Signed gives %+v, without its signed file", d)
			}
			walked = append(walked, d.ID)
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(walked, signed) {
		t.Errorf("walking Signed gave %v, want the signed documents in ID order %v", walked, signed)
	}
}

func recordsIndex(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := create(t, r, "idx")
	must(t, r.Index(ctx, d.ID, "Đơn xin việc", "nộp tại phường Lê Chân"))
	if got := document(t, r, d.ID); got.Title != "Đơn xin việc" {
		t.Errorf("Title = %q after Index", got.Title)
	}
	must(t, r.Index(ctx, d.ID, "Biên bản", "họp tổ dân phố"))
	if got := document(t, r, d.ID); got.Title != "Biên bản" {
		t.Errorf("Title = %q after a second Index", got.Title)
	}
	if total, hits, err := search(ctx, r, storage.Query{Text: "Lê Chân"}); err != nil || total != 0 || len(hits) != 0 {
		t.Errorf("the replaced text is still found: %d %+v %v", total, hits, err)
	}
	if total, hits, err := search(ctx, r, storage.Query{Text: "tổ dân phố"}); err != nil || total != 1 || hits[0].Title != "Biên bản" {
		t.Errorf("the new text: %d %+v %v", total, hits, err)
	}
}
