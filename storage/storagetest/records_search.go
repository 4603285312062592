package storagetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

func indexed(t *testing.T, r storage.Records, sha, title, text string) storage.Document {
	t.Helper()
	d := create(t, r, sha)
	must(t, r.Index(t.Context(), d.ID, title, text))
	return d
}

func recordsSearch(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := indexed(t, r, "ee", "TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi Ủy ban nhân dân phường Máy Chai")
	total, hits, err := search(ctx, r, storage.Query{Text: "Máy Chai"})
	if err != nil || total != 1 || len(hits) != 1 || hits[0].ID != d.ID || !strings.Contains(hits[0].Snippet, "«Máy»") {
		t.Errorf("Search = %d %+v %v", total, hits, err)
	} else if hits[0].Title != "TỜ KHAI ĐĂNG KÝ KHAI SINH" || hits[0].Code != "" {
		t.Errorf("hit = %+v; want the title and no code yet", hits[0])
	}
	if total, _, _ := search(ctx, r, storage.Query{Text: "khai -sinh"}); total != 0 {
		t.Errorf("an excluded word still matched")
	}
	if total, hits, err := search(ctx, r, storage.Query{Text: "không có từ này"}); err != nil || total != 0 || len(hits) != 0 {
		t.Errorf("Search(nothing) = %d %v %v", total, hits, err)
	}
	format := func(int) (string, error) { return "000.00.53.H26-261127-0001", nil }
	if _, err := r.AssignCode(ctx, d.ID, "000.00.53.H26", time.Now(), format); err != nil {
		t.Fatal(err)
	}
	if _, hits, _ := search(ctx, r, storage.Query{Text: "Máy Chai"}); len(hits) != 1 || hits[0].Code != "000.00.53.H26-261127-0001" {
		t.Errorf("hit after AssignCode = %+v; want its code", hits)
	}
}

func recordsSearchRanking(t *testing.T, r storage.Records) {
	ctx := t.Context()
	exact := create(t, r, "s1")
	near := create(t, r, "s2")
	// near is indexed last, so a ranking by date alone would put it first.
	must(t, r.Index(ctx, exact.ID, "Giấy khai sinh", "Đăng ký hộ tịch tại phường. Số: 110/KH-UBND"))
	must(t, r.Index(ctx, near.ID, "Biên bản", "Lưu hồ tịch của xã"))
	_, hits, err := search(ctx, r, storage.Query{Text: "ho tich"})
	if err != nil || !hitIDs(hits)[exact.ID] || !hitIDs(hits)[near.ID] {
		t.Errorf(`"ho tich" = %+v, %v; want both`, hits, err)
	}
	_, hits, err = search(ctx, r, storage.Query{Text: "hộ tịch"})
	if err != nil || len(hits) < 2 || hits[0].ID != exact.ID {
		t.Errorf(`"hộ tịch" = %+v, %v; want the exact match first`, hits, err)
	} else if !strings.Contains(hits[0].Snippet, "«hộ» «tịch»") {
		t.Errorf("snippet %q does not mark the original words", hits[0].Snippet)
	} else if !strings.Contains(hits[1].Snippet, "«hồ» «tịch»") {
		t.Errorf("snippet %q does not mark the words found without diacritics", hits[1].Snippet)
	}
	_, hits, err = search(ctx, r, storage.Query{Text: "110/KH-UBND"})
	if err != nil || len(hits) != 1 || hits[0].ID != exact.ID {
		t.Errorf(`"110/KH-UBND" = %+v, %v`, hits, err)
	}

	// bán, bạn and ban fold to one word; whichever is typed comes first, whatever the dates.
	docs := map[string]storage.Document{}
	for _, w := range []string{"bán", "bạn", "ban"} {
		docs[w] = indexed(t, r, "w "+w, "", "chuyện "+w+" hàng xóm")
	}
	for _, w := range []string{"bán", "bạn", "ban", "BẠN"} {
		_, hits, err := search(ctx, r, storage.Query{Text: w})
		found := hitIDs(hits)
		if err != nil || !found[docs["bán"].ID] || !found[docs["bạn"].ID] || !found[docs["ban"].ID] || hits[0].ID != docs[strings.ToLower(w)].ID {
			t.Errorf("Search(%q) = %+v %v; want all three, %q first", w, hits, err, strings.ToLower(w))
		}
	}
}

func recordsSearchSyntax(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := indexed(t, r, "ee", "TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi Ủy ban nhân dân phường Máy Chai, quận Ngô Quyền")
	other := indexed(t, r, "ff", "Giấy phép", "cấp cho hộ kinh doanh")
	create(t, r, "never indexed")
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"Máy Chai", []string{d.ID}},
		{"may chai", []string{d.ID}},
		{"MÁY CHAI", []string{d.ID}},
		{"Chai Máy", []string{d.ID}},              // words in any order
		{"tờ khai", []string{d.ID}},               // the title is searched too
		{"Cha", nil},                              // words, not prefixes
		{`"phường Máy Chai"`, []string{d.ID}},     // a phrase
		{`"phuong may chai"`, []string{d.ID}},     // a phrase without diacritics
		{`"Chai Máy"`, nil},                       // a phrase is in order
		{`"phường Chai"`, nil},                    // and its words adjacent
		{`"nhân dân" -sinh`, nil},                 // excluded by a word of the title
		{`"nhân dân" -sính`, nil},                 // exclusions fold too
		{`"nhân dân" -"khai tử"`, []string{d.ID}}, // an excluded phrase that is not there
		{`"nhân dân" -"khai sinh"`, nil},          // an excluded phrase that is
		{"-sinh", []string{other.ID}},             // exclusions alone: the indexed documents without the word
		{"kinh doanh -sinh", []string{other.ID}},  //
		{"", nil},                                 // nothing asked, nothing found
		{"!!! ... ---", nil},                      // nor with punctuation only
	} {
		total, hits, err := search(ctx, r, storage.Query{Text: c.q})
		var got []string
		for _, h := range hits {
			got = append(got, h.ID)
		}
		if err != nil || total != len(c.want) || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("Search(%q) = %d %v %v; want %v", c.q, total, got, err, c.want)
		}
	}
}

func recordsSearchFilters(t *testing.T, r storage.Records) {
	ctx := t.Context()
	a := indexed(t, r, "f1", "", "giấy phép xây dựng")
	b := indexed(t, r, "f2", "", "giấy phép kinh doanh")
	must(t, r.StartStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ingest"}))
	must(t, r.FinishStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ingest"}, "ocr"))
	must(t, r.StartStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ocr"}))
	must(t, r.FinishStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "ocr"}, "code"))
	must(t, r.StartStage(ctx, storage.Claim{Document: a.ID, Run: 1, Stage: "code"}))
	if _, err := r.AssignCode(ctx, a.ID, "000.00.53.H26", time.Now(), func(int) (string, error) { return "000.00.53.H26-261127-0777", nil }); err != nil {
		t.Fatal(err)
	}
	// A document without an issue date is dated by the day it was received, in whatever zone: a
	// day either side of its creation holds it, two days away do not.
	created := a.CreatedAt
	dayBefore, dayAfter := created.AddDate(0, 0, -1), created.AddDate(0, 0, 1)
	twoBefore, twoAfter := created.AddDate(0, 0, -2), created.AddDate(0, 0, 2)
	for _, c := range []struct {
		q    storage.Query
		want map[string]bool
	}{
		{storage.Query{Text: "giấy phép"}, map[string]bool{a.ID: true, b.ID: true}},
		{storage.Query{Text: "giấy phép", Agency: "000.00.53.H26"}, map[string]bool{a.ID: true}},
		{storage.Query{Text: "giấy phép", Code: "000.00.53.H26-261127-0777"}, map[string]bool{a.ID: true}},
		{storage.Query{Text: "giấy phép", Agency: "000.00.00.H99"}, map[string]bool{}},
		{storage.Query{Text: "giấy phép", Agency: "000.00.53"}, map[string]bool{}}, // the whole agency part, not a prefix
		{storage.Query{Text: "giấy phép", Code: "000.00.53.H26-261127-0778"}, map[string]bool{}},
		{storage.Query{Text: "giấy phép", From: &dayBefore, To: &dayAfter}, map[string]bool{a.ID: true, b.ID: true}},
		{storage.Query{Text: "giấy phép", From: &dayBefore}, map[string]bool{a.ID: true, b.ID: true}},
		{storage.Query{Text: "giấy phép", From: &twoAfter}, map[string]bool{}},
		{storage.Query{Text: "giấy phép", To: &twoBefore}, map[string]bool{}},
		{storage.Query{Text: "giấy phép", Agency: "000.00.53.H26", To: &dayAfter}, map[string]bool{a.ID: true}},
	} {
		total, hits, err := search(ctx, r, c.q)
		got := hitIDs(hits)
		if err != nil || len(got) != len(c.want) || total != len(c.want) {
			t.Errorf("Search(%+v) = %d %v, %v; want %v", c.q, total, got, err, c.want)
		}
		for id := range c.want {
			if !got[id] {
				t.Errorf("Search(%+v) lacks %s", c.q, id)
			}
		}
	}
}

func recordsSearchPages(t *testing.T, r storage.Records) {
	ctx := t.Context()
	const n = 25
	for i := range n {
		indexed(t, r, fmt.Sprint("p", i), "", fmt.Sprintf("biên nhận số %d", i))
	}
	seen := map[string]bool{}
	for _, c := range []struct{ limit, offset, hits int }{{0, 0, 20}, {0, 20, 5}, {10, 0, 10}, {10, 10, 10}, {10, 30, 0}} {
		total, hits, err := search(ctx, r, storage.Query{Text: "biên nhận", Limit: c.limit, Offset: c.offset})
		if err != nil || total != n || len(hits) != c.hits {
			t.Errorf("Search(limit %d, offset %d) = %d, %d hits, %v; want %d, %d", c.limit, c.offset, total, len(hits), err, n, c.hits)
		}
		if c.limit == 0 {
			for _, h := range hits {
				if seen[h.ID] {
					t.Errorf("%s on two pages", h.ID)
				}
				seen[h.ID] = true
			}
		}
	}
	if len(seen) != n {
		t.Errorf("the default pages hold %d documents, want %d", len(seen), n)
	}
}

func recordsList(t *testing.T, r storage.Records) {
	ctx := t.Context()
	ee := create(t, r, "ee")
	done := create(t, r, "done")
	finish(t, r, done.ID)
	failed := atOCR(t, r, "failed")
	must(t, r.FailStage(ctx, storage.Claim{Document: failed.ID, Run: 1, Stage: "ocr"}, storage.Failure{Reason: "hỏng"}, true))

	docs, total, err := r.List(ctx, storage.Filter{SHA256: "ee"})
	if err != nil || total != 1 || len(docs) != 1 || docs[0].SHA256 != "ee" {
		t.Errorf("List(sha ee) = %d %v %v", total, docs, err)
	}
	docs, total, err = r.List(ctx, storage.Filter{Status: storage.StatusDone, Limit: 1})
	if err != nil || total < 1 || len(docs) != 1 || docs[0].Status != storage.StatusDone {
		t.Errorf("List(done) = %d %v %v", total, docs, err)
	}
	for _, c := range []struct {
		f    storage.Filter
		want []string
	}{
		{storage.Filter{}, []string{failed.ID, done.ID, ee.ID}}, // newest first
		{storage.Filter{Status: storage.StatusFailed}, []string{failed.ID}},
		{storage.Filter{Status: storage.StatusReceived}, []string{ee.ID}},
		{storage.Filter{Status: storage.StatusProcessing}, nil},
		{storage.Filter{SHA256: "done", Status: storage.StatusDone}, []string{done.ID}},
		{storage.Filter{SHA256: "done", Status: storage.StatusFailed}, nil},
		{storage.Filter{SHA256: "nope"}, nil},
		{storage.Filter{Limit: 2}, []string{failed.ID, done.ID}},
		{storage.Filter{Limit: 2, Offset: 2}, []string{ee.ID}},
	} {
		docs, total, err := r.List(ctx, c.f)
		want := len(c.want)
		if c.f.SHA256 == "" && c.f.Status == "" {
			want = 3
		}
		if got := fmt.Sprint(docIDs(docs)); err != nil || got != fmt.Sprint(c.want) || total != want {
			t.Errorf("List(%+v) = %d %v %v; want %d %v", c.f, total, got, err, want, c.want)
		}
	}

	// Past the end: no documents, and still how many match.
	if docs, total, err := r.List(ctx, storage.Filter{Offset: 10}); err != nil || len(docs) != 0 || total != 3 {
		t.Errorf("List(offset 10) = %d %v %v; want 3 and none", total, docIDs(docs), err)
	}
	for i := range 52 {
		create(t, r, fmt.Sprint("more", i))
	}
	if docs, total, err := r.List(ctx, storage.Filter{}); err != nil || len(docs) != 50 || total != 55 {
		t.Errorf("List() = %d, %d documents, %v; want 55 and the default limit 50", total, len(docs), err)
	}
}

// search is what r.Search answers but its facets.
func search(ctx context.Context, r storage.Records, q storage.Query) (int, []storage.Hit, error) {
	res, err := r.Search(ctx, q)
	return res.Total, res.Hits, err
}
