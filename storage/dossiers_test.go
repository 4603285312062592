package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/schemas"
	"github.com/sohoa-vn/sohoa/storage"
)

const agency = "000.00.53.H26"

// TestMain lets the test binary act as a second counter process: with SOHOA_TEST_CODES set it
// receives that many dossiers and prints their codes.
func TestMain(m *testing.M) {
	if n := os.Getenv("SOHOA_TEST_CODES"); n != "" {
		if err := receive(os.Getenv("SOHOA_TEST_DB"), n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func open(t testing.TB, url string) *storage.Postgres {
	migrations, _ := fs.Sub(schemas.Migrations, "migrations")
	p, err := storage.OpenPostgres(context.Background(), url, migrations)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var day = time.Date(2026, 11, 27, 10, 0, 0, 0, code.Vietnam)

func dossierCode(seq int) (string, error) { return code.Dossier(agency, day, seq) }

func componentCode(series string, seq int) (string, error) {
	return fmt.Sprintf("%s-%s%06d", agency, series, seq), nil
}

func newDossier(owner string) storage.NewDossier {
	return storage.NewDossier{ID: uuid.NewString(), ProcedureCode: "1.001193", ProcedureName: "Đăng ký khai sinh",
		Agency: agency, AgencyName: "UBND quận Lê Chân", Owner: storage.Owner{ID: owner, Kind: "citizen", Name: "Nguyễn Văn A"},
		Staff: "cán bộ 1", ReceivedAt: day}
}

func receive(url, n string) error {
	migrations, _ := fs.Sub(schemas.Migrations, "migrations")
	p, err := storage.OpenPostgres(context.Background(), url, migrations)
	if err != nil {
		return err
	}
	defer p.Close()
	var count int
	fmt.Sscan(n, &count)
	var wg sync.WaitGroup
	codes := make(chan string, count)
	errs := make(chan error, count)
	for range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := p.CreateDossier(context.Background(), newDossier("031085012345"), day, dossierCode)
			if err != nil {
				errs <- err
				return
			}
			codes <- d.Code
		}()
	}
	wg.Wait()
	close(codes)
	close(errs)
	for err := range errs {
		return err
	}
	for c := range codes {
		fmt.Println(c)
	}
	return nil
}

// TestDossierCodesFromTwoProcesses has two processes receive 100 dossiers each, at once, for one
// agency and day: the 200 codes must be distinct, consecutive, and of the Thông tư 01/2018 form.
func TestDossierCodesFromTwoProcesses(t *testing.T) {
	url := testenv.Postgres(t)
	open(t, url).Close() // migrate once, before the two processes race
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SOHOA_TEST_CODES=100", "SOHOA_TEST_DB="+url)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("counter process %d: %v", i, err)
			}
			outs[i] = out
		}()
	}
	wg.Wait()
	var codes []string
	for _, out := range outs {
		codes = append(codes, strings.Fields(string(out))...)
	}
	sort.Strings(codes)
	if len(codes) != 200 {
		t.Fatalf("%d codes, want 200", len(codes))
	}
	for i, c := range codes {
		p, err := code.ParseDossier(c)
		if err != nil {
			t.Fatal(err)
		}
		if p.Seq != i+1 || p.Agency != agency || p.Day.Format("060102") != "261127" {
			t.Fatalf("code %d is %s: want sequence %d of %s on 261127", i, c, i+1, agency)
		}
	}
}

func TestDossiersConformance(t *testing.T) {
	p := open(t, testenv.Postgres(t))
	defer p.Close()
	testDossiers(t, p, p)
}

// testDossiers checks the Dossiers contract; every backend runs it.
func testDossiers(t *testing.T, d storage.Dossiers, r storage.Records) {
	ctx := context.Background()
	const citizen = "031085012345"
	first, err := d.CreateDossier(ctx, newDossier(citizen), day, dossierCode)
	if err != nil {
		t.Fatal(err)
	}
	if first.Code != "000.00.53.H26-261127-0001" || first.Owner.Name != "Nguyễn Văn A" || first.ProcedureName != "Đăng ký khai sinh" {
		t.Errorf("CreateDossier = %+v", first)
	}
	if _, err := d.Dossier(ctx, uuid.NewString()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Dossier(unknown) = %v", err)
	}

	// A paper handed in with the first dossier, processed to done.
	doc, _, _ := r.CreateDocument(ctx, newDoc("paper1"))
	att, err := d.Attach(ctx, first.ID, doc.ID, "component", false, "cán bộ 1", componentCode)
	if err != nil || att.ComponentCode != agency+"-TP000001" || att.Reused {
		t.Fatalf("Attach = %+v, %v", att, err)
	}
	if again, err := d.Attach(ctx, first.ID, doc.ID, "component", false, "cán bộ 1", componentCode); err != nil || again.ComponentCode != att.ComponentCode {
		t.Errorf("attaching twice = %+v, %v", again, err)
	}
	if c, err := r.AssignCode(ctx, doc.ID, agency, day, dossierCode); err != nil || c != att.ComponentCode {
		t.Errorf("a component's code = %q, %v; want its component code", c, err)
	}
	valid := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	must(t, d.SetPaper(ctx, doc.ID, storage.PaperFields{Kind: ptr("Giấy khai sinh"), ValidUntil: &valid}, "cán bộ 1"))

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
	reuse, err := d.Attach(ctx, second.ID, doc.ID, "component", true, "cán bộ 2", componentCode)
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
	if _, err := d.Attach(ctx, other.ID, doc.ID, "component", true, "", componentCode); !errors.Is(err, storage.ErrNotReusable) {
		t.Errorf("reusing another owner's paper = %v", err)
	}
	must(t, d.SetPaper(ctx, doc.ID, storage.PaperFields{Reusable: ptr(false)}, ""))
	third, _ := d.CreateDossier(ctx, newDossier(citizen), day, dossierCode)
	if _, err := d.Attach(ctx, third.ID, doc.ID, "component", true, "", componentCode); !errors.Is(err, storage.ErrNotReusable) {
		t.Errorf("reusing a paper marked not reusable = %v", err)
	}
	if err := d.Log(ctx, storage.Event{Action: "owner.viewed", OwnerID: citizen, Actor: "lưu trữ viên"}); err != nil {
		t.Error(err)
	}
}

func finish(t *testing.T, r storage.Records, id string) {
	ctx := context.Background()
	prev := "ingest"
	must(t, r.StartStage(ctx, storage.Claim{Document: id, Run: 1, Stage: prev}))
	for _, s := range []string{"ocr", "code", "pdfa", "sign", "index", ""} {
		must(t, r.FinishStage(ctx, storage.Claim{Document: id, Run: 1, Stage: prev}, s))
		if s != "" {
			must(t, r.StartStage(ctx, storage.Claim{Document: id, Run: 1, Stage: s}))
		}
		prev = s
	}
}

func ptr[T any](v T) *T { return &v }
