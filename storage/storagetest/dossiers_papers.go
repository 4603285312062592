package storagetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

func dossiersAttach(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	ds := openDossier(t, d, citizen)
	a, b, res := create(t, r, "a"), create(t, r, "b"), create(t, r, "result")
	first := attach(t, d, ds.ID, a.ID, "component", false)
	second := attach(t, d, ds.ID, b.ID, "component", false)
	result := attach(t, d, ds.ID, res.ID, "result", false)
	for _, c := range []struct {
		got       storage.Attachment
		doc, role string
		code      string
	}{
		{first, a.ID, "component", agency + "-TP000001"},
		{second, b.ID, "component", agency + "-TP000002"},
		{result, res.ID, "result", agency + "-KQ000001"},
	} {
		if c.got.DossierID != ds.ID || c.got.DocumentID != c.doc || c.got.Role != c.role || c.got.ComponentCode != c.code ||
			c.got.Reused || c.got.AttachedAt.IsZero() || c.got.Document.ID != c.doc {
			t.Errorf("Attach = %+v; want %s as %s, code %s", c.got, c.doc, c.role, c.code)
		}
	}
	// Attaching again, even in another role, returns the first attachment and logs nothing.
	before, _ := d.History(ctx, ds.ID, "")
	if again, err := d.Attach(ctx, ds.ID, a.ID, "result", false, storage.Actor{Name: "cán bộ 2"}, componentCode); err != nil ||
		again.ComponentCode != first.ComponentCode || again.Role != "component" {
		t.Errorf("attaching twice = %+v, %v; want the first attachment", again, err)
	}
	if after, _ := d.History(ctx, ds.ID, ""); len(after) != len(before) {
		t.Errorf("attaching twice logged %d events", len(after)-len(before))
	}
	atts, err := d.Attachments(ctx, ds.ID)
	if err != nil || len(atts) != 3 || atts[0].DocumentID != a.ID || atts[1].DocumentID != b.ID || atts[2].DocumentID != res.ID {
		t.Errorf("Attachments = %+v, %v; want a, b, result in the order attached", atts, err)
	} else if atts[2].Document.SHA256 != "result" || atts[2].ComponentCode != result.ComponentCode {
		t.Errorf("Attachments[2] = %+v", atts[2])
	}
	// A paper handed in with a dossier is its owner's.
	if p, err := d.Paper(ctx, a.ID); err != nil || p.OwnerID != citizen || len(p.Dossiers) != 1 || p.Dossiers[0] != ds.Code {
		t.Errorf("Paper = %+v, %v; want it %s's, in %s", p, err, citizen, ds.Code)
	}
	// A failing format attaches nothing.
	boom := errors.New("series full")
	c := create(t, r, "c")
	if _, err := d.Attach(ctx, ds.ID, c.ID, "component", false, storage.Actor{}, func(string, int) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("Attach with a failing format = %v; want its error", err)
	}
	if atts, _ := d.Attachments(ctx, ds.ID); len(atts) != 3 {
		t.Errorf("a refused attachment was recorded: %+v", atts)
	}
	if next := attach(t, d, ds.ID, c.ID, "component", false); next.ComponentCode != agency+"-TP000003" {
		t.Errorf("after a refused attachment the next code is %s", next.ComponentCode)
	}
}

func dossiersAttachConcurrent(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	ds := openDossier(t, d, citizen)
	const n = 10
	docs := make([]storage.Document, n)
	for i := range docs {
		docs[i] = create(t, r, fmt.Sprint("doc", i))
	}
	var mu sync.Mutex
	codes := map[string]map[string]bool{} // document → codes it was given
	var wg sync.WaitGroup
	for _, doc := range docs {
		for range 2 { // each paper attached twice at once
			wg.Go(func() {
				a, err := d.Attach(ctx, ds.ID, doc.ID, "component", false, storage.Actor{}, componentCode)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if codes[doc.ID] == nil {
					codes[doc.ID] = map[string]bool{}
				}
				codes[doc.ID][a.ComponentCode] = true
			})
		}
	}
	wg.Wait()
	seen := map[string]bool{}
	for id, cs := range codes {
		if len(cs) != 1 {
			t.Errorf("document %s attached under %d codes: %v", id, len(cs), cs)
		}
		for c := range cs {
			seen[c] = true
		}
	}
	for i := 1; i <= n; i++ {
		if c, _ := componentCode("TP", i); !seen[c] {
			t.Errorf("no paper has %s: %v", c, seen)
		}
	}
	if atts, _ := d.Attachments(ctx, ds.ID); len(atts) != n {
		t.Errorf("%d attachments, want %d", len(atts), n)
	}
	if h, _ := d.History(ctx, ds.ID, ""); len(h) != n+1 {
		t.Errorf("%d events, want the dossier's and one per paper: %d", len(h), n+1)
	}
}

// reusable returns a done paper of owner, handed in with a first dossier, with f set.
func reusable(t *testing.T, r storage.Records, d storage.Dossiers, sha, owner string, f storage.PaperFields) storage.Document {
	t.Helper()
	doc := create(t, r, sha)
	attach(t, d, openDossier(t, d, owner).ID, doc.ID, "component", false)
	finish(t, r, doc.ID)
	must(t, d.SetPaper(t.Context(), doc.ID, f, storage.Actor{}))
	return doc
}

func dossiersReuse(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	for _, c := range []struct {
		name   string
		paper  func() storage.Document
		refuse error // the reason, which wraps ErrNotReusable; nil: reused
	}{
		{"valid with no end", func() storage.Document { return reusable(t, r, d, "no end", citizen, storage.PaperFields{}) }, nil},
		{"valid until 2100", func() storage.Document {
			return reusable(t, r, d, "2100", citizen, storage.PaperFields{ValidUntil: ptr(farFuture)})
		}, nil},
		{"another owner's", func() storage.Document { return reusable(t, r, d, "other", "001090000001", storage.PaperFields{}) }, storage.ErrOtherOwner},
		{"nobody's", func() storage.Document {
			doc := create(t, r, "nobody")
			finish(t, r, doc.ID)
			return doc
		}, storage.ErrOtherOwner},
		{"not done", func() storage.Document {
			doc := create(t, r, "processing")
			attach(t, d, openDossier(t, d, citizen).ID, doc.ID, "component", false)
			walk(t, r, doc.ID, 1, "ingest", "ocr")
			return doc
		}, storage.ErrNotReady},
		{"failed", func() storage.Document {
			doc := create(t, r, "failed")
			attach(t, d, openDossier(t, d, citizen).ID, doc.ID, "component", false)
			walk(t, r, doc.ID, 1, "ingest")
			must(t, r.FailStage(ctx, storage.Claim{Document: doc.ID, Run: 1, Stage: "ingest"}, storage.Failure{Reason: "hỏng"}, true))
			return doc
		}, storage.ErrNotReady},
		{"marked not reusable", func() storage.Document {
			return reusable(t, r, d, "not reusable", citizen, storage.PaperFields{Reusable: ptr(false)})
		}, storage.ErrNotReady},
		{"expired", func() storage.Document {
			return reusable(t, r, d, "expired", citizen, storage.PaperFields{ValidUntil: ptr(longAgo)})
		}, storage.ErrExpired},
	} {
		doc := c.paper()
		ds := openDossier(t, d, citizen)
		before, _ := d.Paper(ctx, doc.ID)
		a, err := d.Attach(ctx, ds.ID, doc.ID, "component", true, storage.Actor{Name: "cán bộ 2"}, componentCode)
		if c.refuse != nil {
			if !errors.Is(err, storage.ErrNotReusable) || !errors.Is(err, c.refuse) {
				t.Errorf("reusing a paper %s = %+v, %v; want %v, an ErrNotReusable", c.name, a, err, c.refuse)
			}
			if atts, _ := d.Attachments(ctx, ds.ID); len(atts) != 0 {
				t.Errorf("a refused reuse of a paper %s was attached: %+v", c.name, atts)
			}
			if h, _ := d.History(ctx, ds.ID, ""); len(h) != 1 {
				t.Errorf("a refused reuse of a paper %s was logged: %+v", c.name, h)
			}
			if after, _ := d.Paper(ctx, doc.ID); after.OwnerID != before.OwnerID {
				t.Errorf("a refused reuse of a paper %s changed its owner to %q", c.name, after.OwnerID)
			}
			continue
		}
		if err != nil || !a.Reused || a.DocumentID != doc.ID || a.ComponentCode == "" {
			t.Errorf("reusing a paper %s = %+v, %v", c.name, a, err)
		}
		if h, _ := d.History(ctx, ds.ID, ""); len(h) != 2 || h[1].Action != "document.reused" || h[1].Actor != "cán bộ 2" || h[1].DocumentID != doc.ID {
			t.Errorf("the history of a reuse = %+v", h)
		}
	}
}

func dossiersPapers(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	ds := openDossier(t, d, citizen)
	old := create(t, r, "old")
	attach(t, d, ds.ID, old.ID, "component", false)
	finish(t, r, old.ID)
	must(t, d.SetPaper(ctx, old.ID, storage.PaperFields{ValidUntil: ptr(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))}, storage.Actor{}))
	mid := create(t, r, "mid")
	attach(t, d, ds.ID, mid.ID, "component", false) // not done
	recent := create(t, r, "recent")
	attach(t, d, ds.ID, recent.ID, "result", false)
	finish(t, r, recent.ID)
	reused := openDossier(t, d, citizen)
	attach(t, d, reused.ID, recent.ID, "component", true)
	attach(t, d, openDossier(t, d, "001090000001").ID, create(t, r, "theirs").ID, "component", false)

	ids := func(papers []storage.Paper) string {
		var s []string
		for _, p := range papers {
			s = append(s, p.ID)
		}
		return fmt.Sprint(s)
	}
	onDay := func(y int, m time.Month, dd int) *time.Time { return ptr(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)) }
	for _, c := range []struct {
		validOn *time.Time
		want    []string
	}{
		{nil, []string{recent.ID, mid.ID, old.ID}}, // every paper of the owner, newest first
		{onDay(2026, 11, 27), []string{recent.ID, old.ID}},
		{onDay(2026, 11, 28), []string{recent.ID}},                                             // old is valid until the 27th, inclusive
		{ptr(time.Date(2026, 11, 27, 23, 0, 0, 0, code.Vietnam)), []string{recent.ID, old.ID}}, // the day in its own zone
	} {
		papers, err := d.Papers(ctx, citizen, c.validOn)
		if got := ids(papers); err != nil || got != fmt.Sprint(c.want) {
			t.Errorf("Papers(%v) = %v, %v; want %v", c.validOn, got, err, c.want)
		}
	}
	p, err := d.Paper(ctx, recent.ID)
	if err != nil || p.OwnerID != citizen || !p.Reusable || p.ValidUntil != nil || fmt.Sprint(p.Dossiers) != fmt.Sprint([]string{ds.Code, reused.Code}) {
		t.Errorf("Paper = %+v, %v; want the owner's, reusable, no end, in %s then %s", p, err, ds.Code, reused.Code)
	}
	if p.Status != storage.StatusDone || p.SHA256 != "recent" {
		t.Errorf("Paper's document = %+v", p.Document)
	}
	var fields []any
	if err := json.Unmarshal(p.Extracted, &fields); err != nil || len(fields) != 0 {
		t.Errorf("a new paper's extracted fields = %s, %v; want an empty JSON array", p.Extracted, err)
	}
	if p, err := d.Paper(ctx, create(t, r, "alone").ID); err != nil || p.OwnerID != "" || len(p.Dossiers) != 0 || !p.Reusable {
		t.Errorf("Paper of a document in no dossier = %+v, %v", p, err)
	}
}

func dossiersSetPaper(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	ds := openDossier(t, d, citizen)
	doc := create(t, r, "paper")
	attach(t, d, ds.ID, doc.ID, "component", false)
	issued := time.Date(2026, 3, 2, 0, 0, 0, 0, code.Vietnam) // the 1st in UTC: the date is taken in its own zone
	valid := time.Date(2031, 3, 1, 0, 0, 0, 0, time.UTC)
	all := storage.PaperFields{Kind: ptr("Giấy khai sinh"), Notation: ptr("110/KH-UBND"), IssuedOn: &issued,
		IssuingBody: ptr("UBND phường Máy Chai"), ValidUntil: &valid, ValidityScope: ptr("toàn quốc"), Reusable: ptr(false)}
	must(t, d.SetPaper(ctx, doc.ID, all, storage.Actor{Name: "cán bộ 1"}))
	want := func(p storage.Paper) bool {
		return p.Kind == "Giấy khai sinh" && p.Notation == "110/KH-UBND" && p.IssuedOn != nil && p.IssuedOn.Format(time.DateOnly) == "2026-03-02" &&
			p.IssuingBody == "UBND phường Máy Chai" && p.ValidUntil != nil && p.ValidUntil.Format(time.DateOnly) == "2031-03-01" &&
			p.ValidityScope == "toàn quốc" && !p.Reusable && p.OwnerID == citizen
	}
	if p, err := d.Paper(ctx, doc.ID); err != nil || !want(p) {
		t.Errorf("Paper after SetPaper(%+v) = %+v, %v", all, p, err)
	}
	must(t, d.SetPaper(ctx, doc.ID, storage.PaperFields{}, storage.Actor{Name: "cán bộ 2"})) // nil fields leave everything
	if p, _ := d.Paper(ctx, doc.ID); !want(p) {
		t.Errorf("Paper after an empty SetPaper = %+v", p)
	}
	must(t, d.SetPaper(ctx, doc.ID, storage.PaperFields{Kind: ptr("Trích lục khai sinh"), Reusable: ptr(true)}, storage.Actor{Name: "cán bộ 2"}))
	if p, _ := d.Paper(ctx, doc.ID); p.Kind != "Trích lục khai sinh" || !p.Reusable || p.Notation != "110/KH-UBND" {
		t.Errorf("Paper after setting two fields = %+v", p)
	}
	// Another owner the store knows.
	openDossier(t, d, "001090000001")
	must(t, d.SetPaper(ctx, doc.ID, storage.PaperFields{OwnerID: ptr("001090000001")}, storage.Actor{}))
	if p, _ := d.Paper(ctx, doc.ID); p.OwnerID != "001090000001" {
		t.Errorf("owner after SetPaper = %q", p.OwnerID)
	}
	h, err := d.History(ctx, "", doc.ID)
	if err != nil || len(h) != 5 || h[1].Action != "paper.updated" || h[1].Actor != "cán bộ 1" || h[1].DocumentID != doc.ID || h[3].Actor != "cán bộ 2" {
		t.Errorf("the paper's history = %+v, %v; want attached then four updates", h, err)
	} else if k, _ := h[3].Detail["kind"].(map[string]any); k["old"] != "Giấy khai sinh" || k["new"] != "Trích lục khai sinh" {
		t.Errorf("an update's detail = %v; want the kind's old and new values", h[3].Detail)
	}
}

func dossiersExtracted(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	doc := create(t, r, "paper")
	decode := func() any {
		t.Helper()
		p, err := d.Paper(ctx, doc.ID)
		must(t, err)
		var v any
		must(t, json.Unmarshal(p.Extracted, &v))
		return v
	}
	first := `[{"name": "citizen_id", "value": "031085012345", "line": 3}]`
	must(t, d.SetExtracted(ctx, doc.ID, json.RawMessage(first)))
	var want any
	must(t, json.Unmarshal([]byte(first), &want))
	if got := decode(); !reflect.DeepEqual(got, want) {
		t.Errorf("Extracted = %v, want %v", got, want)
	}
	must(t, d.SetExtracted(ctx, doc.ID, json.RawMessage(`[{"name":"notation","value":"110/KH-UBND"}]`)))
	if got := fmt.Sprint(decode()); got != "[map[name:notation value:110/KH-UBND]]" {
		t.Errorf("Extracted after replacing = %s", got)
	}
	if err := d.SetExtracted(ctx, doc.ID, json.RawMessage(`[{"name":`)); err == nil {
		t.Error("SetExtracted accepted broken JSON")
	}
	if got := fmt.Sprint(decode()); got != "[map[name:notation value:110/KH-UBND]]" {
		t.Errorf("Extracted after broken JSON = %s; want the fields before", got)
	}
}

func dossiersHistory(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	ds := openDossier(t, d, citizen)
	doc := create(t, r, "paper")
	attach(t, d, ds.ID, doc.ID, "component", false)
	must(t, d.Log(ctx, storage.Event{Actor: "lưu trữ viên", Action: "owner.viewed", DossierID: ds.ID, OwnerID: citizen,
		Detail: map[string]any{"papers": 2, "valid": true}}))
	must(t, d.Log(ctx, storage.Event{Action: "owner.viewed", OwnerID: citizen})) // neither dossier nor document
	h, err := d.History(ctx, ds.ID, "")
	if err != nil || len(h) != 3 {
		t.Fatalf("History = %+v, %v; want three events", h, err)
	}
	for i, want := range []storage.Event{
		{Actor: "cán bộ 1", Action: "dossier.received", DossierID: ds.ID, OwnerID: citizen},
		{Actor: "cán bộ 1", Action: "document.attached", DossierID: ds.ID, DocumentID: doc.ID, OwnerID: citizen},
		{Actor: "lưu trữ viên", Action: "owner.viewed", DossierID: ds.ID, OwnerID: citizen},
	} {
		e := h[i]
		if e.Actor != want.Actor || e.Action != want.Action || e.DossierID != want.DossierID || e.DocumentID != want.DocumentID ||
			e.OwnerID != want.OwnerID || e.At.IsZero() || (i > 0 && e.ID <= h[i-1].ID) {
			t.Errorf("event %d = %+v; want %+v, after %d", i, e, want, h[max(i-1, 0)].ID)
		}
	}
	if h[0].Detail["code"] != ds.Code || h[0].Detail["procedure"] != "1.001193" {
		t.Errorf("the dossier's first event's detail = %v", h[0].Detail)
	}
	if h[1].Detail["role"] != "component" || h[1].Detail["component_code"] != agency+"-TP000001" {
		t.Errorf("the attachment's detail = %v", h[1].Detail)
	}
	if h[2].Detail["papers"] != 2.0 || h[2].Detail["valid"] != true { // JSON numbers come back as float64
		t.Errorf("a logged detail = %#v", h[2].Detail)
	}
	if dh, err := d.History(ctx, "", doc.ID); err != nil || len(dh) != 1 || dh[0].ID != h[1].ID {
		t.Errorf("the document's history = %+v, %v; want its attachment", dh, err)
	}

	// What History returns is the caller's: changing it changes no record.
	h[0].Actor, h[0].Detail["code"] = "kẻ gian", "sửa"
	if again, _ := d.History(ctx, ds.ID, ""); again[0].Actor != "cán bộ 1" || again[0].Detail["code"] != ds.Code {
		t.Errorf("the history changed with its copy: %+v", again[0])
	}
	if empty, err := d.History(ctx, "", create(t, r, "quiet").ID); err != nil || len(empty) != 0 {
		t.Errorf("History of a document with no events = %+v, %v", empty, err)
	}
}

func dossiersSearch(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	ds := openDossier(t, d, citizen)
	a := indexed(t, r, "a", "", "giấy khai sinh của con")
	b := indexed(t, r, "b", "", "giấy khai sinh bản sao")
	c := indexed(t, r, "c", "", "giấy khai sinh của người khác")
	att := attach(t, d, ds.ID, a.ID, "component", false)
	attach(t, d, ds.ID, b.ID, "result", false)
	attach(t, d, openDossier(t, d, "001090000001").ID, c.ID, "component", false)
	must(t, d.SetPaper(ctx, a.ID, storage.PaperFields{Kind: ptr("Giấy khai sinh"), IssuedOn: ptr(time.Date(2020, 5, 1, 0, 0, 0, 0, time.UTC))}, storage.Actor{}))
	must(t, d.SetPaper(ctx, b.ID, storage.PaperFields{Kind: ptr("Bản sao"), IssuedOn: ptr(time.Date(2020, 5, 3, 0, 0, 0, 0, time.UTC))}, storage.Actor{}))
	onDay := func(dd int) *time.Time { return ptr(time.Date(2020, 5, dd, 0, 0, 0, 0, time.UTC)) }
	for _, q := range []struct {
		q    storage.Query
		want map[string]bool
	}{
		{storage.Query{Text: "khai sinh"}, map[string]bool{a.ID: true, b.ID: true, c.ID: true}},
		{storage.Query{Text: "khai sinh", Owner: citizen}, map[string]bool{a.ID: true, b.ID: true}},
		{storage.Query{Text: "khai sinh", Owner: "001090000001"}, map[string]bool{c.ID: true}},
		{storage.Query{Text: "khai sinh", Kind: "Bản sao"}, map[string]bool{b.ID: true}},
		{storage.Query{Text: "khai sinh", Code: ds.Code}, map[string]bool{a.ID: true, b.ID: true}},
		{storage.Query{Text: "khai sinh", Code: att.ComponentCode}, map[string]bool{a.ID: true}},
		{storage.Query{Text: "khai sinh", From: onDay(1), To: onDay(1)}, map[string]bool{a.ID: true}}, // inclusive
		{storage.Query{Text: "khai sinh", From: onDay(2), To: onDay(3)}, map[string]bool{b.ID: true}},
		{storage.Query{Text: "khai sinh", From: onDay(2), To: onDay(2)}, map[string]bool{}},
		{storage.Query{Text: "khai sinh", Owner: citizen, Kind: "Giấy khai sinh", Code: ds.Code, To: onDay(1)}, map[string]bool{a.ID: true}},
		{storage.Query{Text: "khai sinh", Owner: citizen, Kind: "Bản sao", To: onDay(1)}, map[string]bool{}},
	} {
		total, hits, err := search(ctx, r, q.q)
		got := hitIDs(hits)
		if err != nil || total != len(q.want) || !reflect.DeepEqual(got, q.want) {
			t.Errorf("Search(%+v) = %d %v %v; want %v", q.q, total, got, err, q.want)
		}
	}
}

// dossiersOtherOwnersPaper: the same bytes handed in for another owner are not attached as a new
// paper of theirs; only the reuse rules may attach another owner's paper, and they refuse it.
func dossiersOtherOwnersPaper(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	doc := create(t, r, "of-a")
	a := openDossier(t, d, citizen)
	attach(t, d, a.ID, doc.ID, "component", false)
	b := openDossier(t, d, "001090000001")
	for _, reused := range []bool{false, true} {
		if _, err := d.Attach(ctx, b.ID, doc.ID, "component", reused, storage.Actor{Name: "cán bộ 2"}, componentCode); !errors.Is(err, storage.ErrOtherOwner) {
			t.Errorf("attaching A's paper to B's dossier (reused %v): %v; want ErrOtherOwner", reused, err)
		}
	}
	if p, _ := d.Paper(ctx, doc.ID); p.OwnerID != citizen || len(p.Dossiers) != 1 {
		t.Errorf("A's paper after the refusals: owner %s, dossiers %v", p.OwnerID, p.Dossiers)
	}
}

func dossiersReviewPage(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	doc := atOCR(t, r, "review")
	pages := []storage.Page{{N: 1, ImageKey: "p1", Format: "png", Width: 1, Height: 1, DPIX: 300, DPIY: 300},
		{N: 2, ImageKey: "p2", Format: "png", Width: 1, Height: 1, DPIX: 300, DPIY: 300}}
	must(t, r.SetPages(ctx, doc.ID, pages))
	if _, err := r.PageRecognized(ctx, storage.Claim{Document: doc.ID, Run: 1, Stage: "ocr", Page: 2},
		storage.PageResult{OCRKey: "o2", Text: "chữ mờ", Confidence: 40, Review: true}, "pdfa"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		doc  string
		n    int
		want error
	}{
		{"a page not read yet", doc.ID, 1, storage.ErrPageNotRead},
		{"a page the document does not have", doc.ID, 3, storage.ErrNotFound},
		{"a missing document", uuid.NewString(), 1, storage.ErrNotFound},
	} {
		if err := d.ReviewPage(ctx, c.doc, c.n, storage.Actor{Name: "lưu trữ 1"}); !errors.Is(err, c.want) {
			t.Errorf("ReviewPage of %s = %v, want %v", c.name, err, c.want)
		}
	}
	must(t, d.ReviewPage(ctx, doc.ID, 2, storage.Actor{Name: "lưu trữ 1"}))
	got, err := r.Pages(ctx, doc.ID)
	if err != nil || len(got) != 2 || got[1].ReviewedBy != "lưu trữ 1" || got[1].ReviewedAt == nil || !got[1].Review ||
		got[0].ReviewedBy != "" || got[0].ReviewedAt != nil {
		t.Errorf("Pages after ReviewPage(2) = %+v, %v; want page 2 still flagged, checked by lưu trữ 1, page 1 unchecked", got, err)
	}
	if progress, err := r.PageProgress(ctx, []string{doc.ID}); err != nil || progress[doc.ID].Read != 1 || len(progress[doc.ID].Waiting) != 0 {
		t.Errorf("PageProgress after ReviewPage(2) = %+v, %v; want 1 page read, none waiting", progress, err)
	}
	events, err := d.History(ctx, "", doc.ID)
	must(t, err)
	var reviewed []storage.Event
	for _, e := range events {
		if e.Action == "page.reviewed" {
			reviewed = append(reviewed, e)
		}
	}
	if len(reviewed) != 1 || reviewed[0].Actor != "lưu trữ 1" || fmt.Sprint(reviewed[0].Detail["page"]) != "2" {
		t.Errorf("page.reviewed events %+v, want one, of lưu trữ 1 on page 2 (refused reviews leave none)", reviewed)
	}
	// Pages split again are read again: their checks go with their text.
	must(t, r.SetPages(ctx, doc.ID, pages))
	if got, _ := r.Pages(ctx, doc.ID); len(got) != 2 || got[1].ReviewedBy != "" || got[1].ReviewedAt != nil {
		t.Errorf("Pages after SetPages again = %+v; want no check left", got)
	}
}
