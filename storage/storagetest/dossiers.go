package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

const (
	agency  = "000.00.53.H26"
	citizen = "031085012345"
)

// day is the day the suite's dossiers are received. Papers are checked against it; Attach checks
// expiry against the wall clock, so the suite's valid papers run to 2100 and its expired one ended
// in 2001.
var day = time.Date(2026, 11, 27, 10, 0, 0, 0, code.Vietnam)

var (
	farFuture = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	longAgo   = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
)

func dossierCode(seq int) (string, error) { return code.Dossier(agency, day, seq) }

func componentCode(series string, seq int) (string, error) {
	return fmt.Sprintf("%s-%s%06d", agency, series, seq), nil
}

func newDossier(owner string) storage.NewDossier {
	return storage.NewDossier{ID: uuid.NewString(), ProcedureCode: "1.001193", ProcedureName: "Đăng ký khai sinh",
		Agency: agency, AgencyName: "UBND quận Lê Chân", Owner: storage.Owner{ID: owner, Kind: "citizen", Name: "Nguyễn Văn A"},
		Staff: "cán bộ 1", ReceivedAt: day}
}

func openDossier(t *testing.T, d storage.Dossiers, owner string) storage.Dossier {
	t.Helper()
	ds, err := d.CreateDossier(t.Context(), newDossier(owner), day, dossierCode)
	must(t, err)
	return ds
}

func attach(t *testing.T, d storage.Dossiers, dossierID, documentID, role string, reused bool) storage.Attachment {
	t.Helper()
	a, err := d.Attach(t.Context(), dossierID, documentID, role, reused, storage.Actor{Name: "cán bộ 1"}, componentCode)
	must(t, err)
	return a
}

// Dossiers runs the conformance suite of storage.Dossiers. open returns, for each subtest, a new and
// empty store whose Records and Dossiers share their documents, and arranges its closing with
// t.Cleanup.
func Dossiers(t *testing.T, open func(t *testing.T) (storage.Records, storage.Dossiers)) {
	for _, c := range []struct {
		name string
		test func(*testing.T, storage.Records, storage.Dossiers)
	}{
		{"a paper handed in and reused", dossiersLifecycle},
		{"missing dossiers and documents give ErrNotFound", dossiersNotFound},
		{"create dossier", dossiersCreate},
		{"concurrent dossiers never share a code", dossiersConcurrent},
		{"attach", dossiersAttach},
		{"attaching at once", dossiersAttachConcurrent},
		{"reuse rules", dossiersReuse},
		{"another owner's paper", dossiersOtherOwnersPaper},
		{"papers", dossiersPapers},
		{"set paper", dossiersSetPaper},
		{"review a page", dossiersReviewPage},
		{"extracted fields", dossiersExtracted},
		{"history", dossiersHistory},
		{"search filters of papers and dossiers", dossiersSearch},
		{"a stack split into papers, one in a dossier found by its code", dossiersStack},
		{"dossiers received in a period, page by page", dossiersReceived},
		{"the procedures named, and return appointments", dossiersCatalogue},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, d := open(t)
			c.test(t, r, d)
		})
	}
}

func dossiersLifecycle(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	first, err := d.CreateDossier(ctx, newDossier(citizen), day, dossierCode)
	if err != nil {
		t.Fatal(err)
	}
	if first.Code != "000.00.53.H26-261127-0001" || first.Owner.Name != "Nguyễn Văn A" || first.ProcedureName != "Đăng ký khai sinh" {
		t.Errorf("CreateDossier = %+v", first)
	}

	// A paper handed in with the first dossier, processed to done.
	doc := create(t, r, "paper1")
	att, err := d.Attach(ctx, first.ID, doc.ID, "component", false, storage.Actor{Name: "cán bộ 1"}, componentCode)
	if err != nil || att.ComponentCode != agency+"-TP000001" || att.Reused {
		t.Fatalf("Attach = %+v, %v", att, err)
	}
	if again, err := d.Attach(ctx, first.ID, doc.ID, "component", false, storage.Actor{Name: "cán bộ 1"}, componentCode); err != nil || again.ComponentCode != att.ComponentCode {
		t.Errorf("attaching twice = %+v, %v", again, err)
	}
	if c, err := r.AssignCode(ctx, doc.ID, agency, day, dossierCode); err != nil || c != att.ComponentCode {
		t.Errorf("a component's code = %q, %v; want its component code", c, err)
	}
	valid := farFuture
	must(t, d.SetPaper(ctx, doc.ID, storage.PaperFields{Kind: ptr("Giấy khai sinh"), ValidUntil: &valid}, storage.Actor{Name: "cán bộ 1"}))

	today := day
	if papers, _ := d.Papers(ctx, citizen, &today); len(papers) != 0 {
		t.Errorf("a paper not yet done is offered for reuse: %+v", papers)
	}
	finish(t, r, doc.ID)
	papers, err := d.Papers(ctx, citizen, &today)
	if err != nil || len(papers) != 1 || papers[0].Kind != "Giấy khai sinh" || papers[0].Dossiers[0] != first.Code {
		t.Fatalf("Papers(valid) = %+v, %v", papers, err)
	}
	later := valid.AddDate(0, 0, 1)
	if papers, _ := d.Papers(ctx, citizen, &later); len(papers) != 0 {
		t.Errorf("an expired paper is offered for reuse")
	}

	// A second dossier reuses it.
	second, err := d.CreateDossier(ctx, newDossier(citizen), day, dossierCode)
	if err != nil || second.Code != "000.00.53.H26-261127-0002" {
		t.Fatalf("second dossier %+v, %v", second, err)
	}
	reuse, err := d.Attach(ctx, second.ID, doc.ID, "component", true, storage.Actor{Name: "cán bộ 2"}, componentCode)
	if err != nil || !reuse.Reused || reuse.Document.ID != doc.ID {
		t.Fatalf("reuse = %+v, %v", reuse, err)
	}
	if p, _ := d.Paper(ctx, doc.ID); len(p.Dossiers) != 2 {
		t.Errorf("the paper lists dossiers %v", p.Dossiers)
	}
	hist, err := d.History(ctx, second.ID, "")
	if err != nil || len(hist) != 2 || hist[1].Action != "document.reused" || hist[1].Actor != "cán bộ 2" {
		t.Errorf("second dossier's history = %+v, %v", hist, err)
	}
	if h, _ := d.History(ctx, "", doc.ID); len(h) < 3 {
		t.Errorf("the paper's history = %+v", h)
	}

	// Another owner's paper, or one marked not reusable, is refused.
	other, _ := d.CreateDossier(ctx, newDossier("001090000001"), day, dossierCode)
	if _, err := d.Attach(ctx, other.ID, doc.ID, "component", true, storage.Actor{}, componentCode); !errors.Is(err, storage.ErrNotReusable) {
		t.Errorf("reusing another owner's paper = %v", err)
	}
	must(t, d.SetPaper(ctx, doc.ID, storage.PaperFields{Reusable: ptr(false)}, storage.Actor{}))
	third, _ := d.CreateDossier(ctx, newDossier(citizen), day, dossierCode)
	if _, err := d.Attach(ctx, third.ID, doc.ID, "component", true, storage.Actor{}, componentCode); !errors.Is(err, storage.ErrNotReusable) {
		t.Errorf("reusing a paper marked not reusable = %v", err)
	}
	if err := d.Log(ctx, storage.Event{Action: "owner.viewed", OwnerID: citizen, Actor: "lưu trữ viên"}); err != nil {
		t.Error(err)
	}
}

func dossiersNotFound(t *testing.T, r storage.Records, d storage.Dossiers) {
	missing := uuid.NewString()
	ds := openDossier(t, d, citizen)
	doc := create(t, r, "paper")
	notFound(t, map[string]func(context.Context) error{
		"Dossier": func(ctx context.Context) error { _, err := d.Dossier(ctx, missing); return err },
		"Attach(missing dossier)": func(ctx context.Context) error {
			_, err := d.Attach(ctx, missing, doc.ID, "component", false, storage.Actor{}, componentCode)
			return err
		},
		"Attach(missing document)": func(ctx context.Context) error {
			_, err := d.Attach(ctx, ds.ID, missing, "component", false, storage.Actor{}, componentCode)
			return err
		},
		"Attach(missing document, reused)": func(ctx context.Context) error {
			_, err := d.Attach(ctx, ds.ID, missing, "component", true, storage.Actor{}, componentCode)
			return err
		},
		"Attachments":  func(ctx context.Context) error { _, err := d.Attachments(ctx, missing); return err },
		"Paper":        func(ctx context.Context) error { _, err := d.Paper(ctx, missing); return err },
		"SetExtracted": func(ctx context.Context) error { return d.SetExtracted(ctx, missing, []byte(`[]`)) },
		"SetPaper": func(ctx context.Context) error {
			return d.SetPaper(ctx, missing, storage.PaperFields{Kind: ptr("x")}, storage.Actor{})
		},
		"History(dossier)": func(ctx context.Context) error {
			_, err := d.History(ctx, missing, "")
			return err
		},
		"History(document)": func(ctx context.Context) error {
			_, err := d.History(ctx, "", missing)
			return err
		},
	})
	if atts, err := d.Attachments(t.Context(), ds.ID); err != nil || len(atts) != 0 {
		t.Errorf("Attachments of a dossier refused a missing document = %+v, %v; want none", atts, err)
	}
	if papers, err := d.Papers(t.Context(), "079000000000", nil); err != nil || len(papers) != 0 {
		t.Errorf("Papers of an owner the store does not know = %+v, %v; want none and no error", papers, err)
	}
}

func dossiersCreate(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	n := newDossier(citizen)
	first, err := d.CreateDossier(ctx, n, day, dossierCode)
	must(t, err)
	if first.ID != n.ID || first.ProcedureCode != n.ProcedureCode || first.Agency != agency || first.AgencyName != n.AgencyName ||
		first.Owner != n.Owner || !first.ReceivedAt.Equal(day) || first.Status != "received" || first.Staff != n.Staff {
		t.Errorf("CreateDossier(%+v) = %+v", n, first)
	}
	if got, err := d.Dossier(ctx, first.ID); err != nil || got.Code != first.Code || got.Owner != first.Owner {
		t.Errorf("Dossier = %+v, %v; want %+v", got, err, first)
	}

	// Opening a dossier never renames: names left empty keep the known ones, and other names given
	// for a known owner, agency or procedure are not taken (a typo at one counter would rename a
	// citizen everywhere). A name is taken only where none was known.
	n2 := newDossier(citizen)
	n2.Owner.Name, n2.AgencyName, n2.ProcedureName = "", "", ""
	second, err := d.CreateDossier(ctx, n2, day, dossierCode)
	if err != nil || second.Code != "000.00.53.H26-261127-0002" || second.Owner.Name != "Nguyễn Văn A" ||
		second.AgencyName != "UBND quận Lê Chân" || second.ProcedureName != "Đăng ký khai sinh" {
		t.Errorf("a dossier without names = %+v, %v; want the names known", second, err)
	}
	n3 := newDossier(citizen)
	n3.Owner.Name, n3.AgencyName, n3.ProcedureName = "Nguyễn Văn Ánh", "UBND quận Hải An", "Đăng ký khai sinh lưu động"
	if _, err := d.CreateDossier(ctx, n3, day, dossierCode); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Dossier(ctx, first.ID); got.Owner.Name != "Nguyễn Văn A" || got.AgencyName != "UBND quận Lê Chân" ||
		got.ProcedureName != "Đăng ký khai sinh" {
		t.Errorf("the first dossier after other names were given = %+v; want the names unchanged", got)
	}
	unnamed := newDossier("031085099999")
	unnamed.Owner.Name = ""
	must(t, errOnly(d.CreateDossier(ctx, unnamed, day, dossierCode)))
	named := newDossier("031085099999")
	named.Owner.Name = "Trần Thị B"
	if got, err := d.CreateDossier(ctx, named, day, dossierCode); err != nil || got.Owner.Name != "Trần Thị B" {
		t.Errorf("an owner known without a name, then named: %+v, %v; want the name taken", got.Owner, err)
	}

	// A failing format records nothing and draws no number.
	boom := errors.New("sequence full")
	refused := newDossier(citizen)
	if _, err := d.CreateDossier(ctx, refused, day, func(int) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("CreateDossier with a failing format = %v; want its error", err)
	}
	if _, err := d.Dossier(ctx, refused.ID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused dossier was recorded: %v", err)
	}
	if h, err := d.History(ctx, refused.ID, ""); len(h) != 0 {
		t.Errorf("a refused dossier has a history: %+v, %v", h, err)
	}
	if next := openDossier(t, d, citizen); next.Code != "000.00.53.H26-261127-0006" {
		t.Errorf("after a refused dossier the next is %s, want ...-0006", next.Code)
	}

	// Another day, another sequence.
	tomorrow := newDossier(citizen)
	tomorrow.ReceivedAt = day.AddDate(0, 0, 1)
	next, err := d.CreateDossier(ctx, tomorrow, tomorrow.ReceivedAt, func(seq int) (string, error) {
		return code.Dossier(agency, tomorrow.ReceivedAt, seq)
	})
	if err != nil || next.Code != "000.00.53.H26-261128-0001" {
		t.Errorf("the next day's first dossier = %+v, %v", next, err)
	}
}

func dossiersConcurrent(t *testing.T, r storage.Records, d storage.Dossiers) {
	const n = 20
	codes := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			ds, err := d.CreateDossier(t.Context(), newDossier(citizen), day, dossierCode)
			if err != nil {
				t.Error(err)
				return
			}
			codes <- ds.Code
		})
	}
	wg.Wait()
	close(codes)
	seen := map[string]bool{}
	for c := range codes {
		seen[c] = true
	}
	for i := 1; i <= n; i++ {
		if c, _ := dossierCode(i); !seen[c] {
			t.Errorf("no dossier has %s; codes %v", c, seen)
		}
	}
}
