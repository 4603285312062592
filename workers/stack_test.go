package workers

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
)

func TestPlanStack(t *testing.T) {
	cover := func(d string) *sheet.Sheet { return &sheet.Sheet{Kind: sheet.Cover, Dossier: d} }
	sep := func(d string) *sheet.Sheet { return &sheet.Sheet{Kind: sheet.Separator, Dossier: d} }
	const a, b = "000.00.53.H26-261201-0001", "000.00.53.H26-261201-0002"
	for _, c := range []struct {
		name  string
		pages []*sheet.Sheet // nil: a page of a paper
		want  []stackPart
	}{
		{"no sheets: one paper as before", []*sheet.Sheet{nil, nil, nil}, nil},
		{"a cover and separators", []*sheet.Sheet{cover(a), nil, nil, sep(""), nil, sep(""), nil, nil},
			[]stackPart{{2, 3, a}, {5, 5, a}, {7, 8, a}}},
		{"two dossiers in one stack", []*sheet.Sheet{cover(a), nil, cover(b), nil, sep(""), nil},
			[]stackPart{{2, 2, a}, {4, 4, b}, {6, 6, b}}},
		{"pages before the first sheet have no dossier", []*sheet.Sheet{nil, sep(""), nil},
			[]stackPart{{1, 1, ""}, {3, 3, ""}}},
		{"a separator naming a dossier", []*sheet.Sheet{nil, sep(b), nil}, []stackPart{{1, 1, ""}, {3, 3, b}}},
		{"sheets back to back make no empty paper", []*sheet.Sheet{cover(a), sep(""), sep(""), nil, sep("")},
			[]stackPart{{4, 4, a}}},
		{"only sheets", []*sheet.Sheet{cover(a), sep("")}, []stackPart{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pages := make([]scan.Page, len(c.pages))
			for i, s := range c.pages {
				pages[i].Sheet = s
			}
			if got := planStack(pages); !reflect.DeepEqual(got, c.want) {
				t.Errorf("planStack = %+v, want %+v", got, c.want)
			}
		})
	}
}

// sheetParser is the in-process parser with the sheets of one stack marked on its pages, as the
// scan gate reads them off the page images: page n of stack is sheets[n] when there is one.
type sheetParser struct {
	scan.InProcess
	stack  []byte
	sheets map[int]sheet.Sheet
}

func (p sheetParser) Split(ctx context.Context, data []byte, lim scan.Limits) ([]scan.Page, error) {
	pages, err := p.InProcess.Split(ctx, data, lim)
	for i := range pages {
		if !bytes.Equal(data, p.stack) {
			break
		}
		if s, ok := p.sheets[i+1]; ok {
			pages[i].Sheet = &s
		}
	}
	return pages, err
}

// stackPDF is a scanner's PDF of n pages, each a different page image.
func stackPDF(t *testing.T, n int) []byte {
	t.Helper()
	pages := make([]pdfa.Page, n)
	for i := range pages {
		pages[i] = pdfa.Page{Image: scanPNG(t, 10*i), Format: "png", DPIX: 200, DPIY: 200}
	}
	var b bytes.Buffer
	if _, err := pdfa.Build(&b, pages, pdfa.Metadata{DocumentID: "stack", Created: time.Unix(1e9, 0)}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A stack scanned with a cover of a dossier of the agency, separators and a cover of another
// agency's dossier becomes one document per paper: those under the first cover go into its dossier,
// the one under the other agency's cover into none (the history says why), and the stack ends as
// split, with no page of its own to sign. Splitting it again finds the same papers.
func TestStackIsSplitIntoItsDossier(t *testing.T) {
	r := newRig(t)
	store := r.records.Records.(*memory.Store)
	r.h.Agencies = store
	ctx := t.Context()
	const mine, theirs = "000.00.53.H26", "000.00.54.H26"
	must(t, store.EnsureAgency(ctx, mine, "UBND quận Lê Chân", ""))
	must(t, store.EnsureAgency(ctx, theirs, "UBND quận Ngô Quyền", ""))
	open := func(agency string) storage.Dossier {
		d, err := store.CreateDossier(ctx, storage.NewDossier{ID: uuid.NewString(), ProcedureCode: "1.001234", Agency: agency,
			Owner: storage.Owner{ID: "001090000001", Kind: "citizen"}, ReceivedAt: r.clock.Now()}, r.clock.Now(),
			func(seq int) (string, error) { return code.Dossier(agency, r.clock.Now(), seq) })
		must(t, err)
		return d
	}
	ours, other := open(mine), open(theirs)
	file := stackPDF(t, 7)
	r.h.Scan = sheetParser{stack: file, sheets: map[int]sheet.Sheet{
		1: {Kind: sheet.Cover, Dossier: ours.Code}, 4: {Kind: sheet.Separator}, 6: {Kind: sheet.Cover, Dossier: other.Code}}}

	in := &Intake{Objects: r.objects, Records: r.records, Queue: r.queue, Limits: r.h.Limits, Log: r.h.Log, Agency: mine}
	stack, _, err := in.Receive(ctx, bytes.NewReader(file), "ho-so.pdf", From{Agency: mine})
	must(t, err)
	task, ok := r.queue.pop()
	if !ok {
		t.Fatal("no ingest task queued")
	}
	must(t, r.run(t, task, attempt{maxRetry: r.h.MaxRetry}))

	if d := r.doc(t, stack.ID); d.Status != storage.StatusSplit {
		t.Fatalf("stack %s at %s (%s), want split", d.Status, d.Stage, d.Error)
	}
	parts, err := store.Parts(ctx, stack.ID)
	must(t, err)
	if len(parts) != 3 {
		t.Fatalf("parts %+v, want 3", parts)
	}
	for i, want := range []struct {
		first, last int
		dossier     string
		name        string
	}{{2, 3, ours.ID, "ho-so-1.pdf"}, {5, 5, ours.ID, "ho-so-2.pdf"}, {7, 7, "", "ho-so-3.pdf"}} {
		p := parts[i]
		child := r.doc(t, p.DocumentID)
		if p.FirstPage != want.first || p.LastPage != want.last || p.DossierID != want.dossier ||
			child.Source != StackSource+stack.ID || child.Filename != want.name || child.Agency != mine {
			t.Errorf("part %d: %+v, document %s from %s; want pages %d-%d, dossier %q, %s", i+1, p, child.Filename, child.Source,
				want.first, want.last, want.dossier, want.name)
		}
	}
	atts, err := store.Attachments(ctx, ours.ID)
	must(t, err)
	if len(atts) != 2 || atts[0].DocumentID != parts[0].DocumentID || atts[1].DocumentID != parts[1].DocumentID {
		t.Errorf("the dossier holds %+v, want the first two papers", atts)
	}
	if atts, _ := store.Attachments(ctx, other.ID); len(atts) != 0 {
		t.Errorf("another agency's dossier got %d papers", len(atts))
	}
	hist, err := store.History(ctx, "", stack.ID)
	must(t, err)
	var actions []string
	for _, e := range hist {
		actions = append(actions, e.Action)
	}
	if !strings.Contains(strings.Join(actions, " "), "stack.dossier_refused") || !strings.Contains(strings.Join(actions, " "), "stack.split") {
		t.Errorf("the stack's history %v lacks why its last paper is in no dossier, or the split", actions)
	}

	// Each paper is ingested into the stack's pages it holds, and goes on from there.
	results := r.drain(t)
	for id, err := range results {
		if err != nil {
			t.Errorf("task %s: %v", id, err)
		}
	}
	for i, p := range parts {
		child := r.doc(t, p.DocumentID)
		if child.Pages != p.LastPage-p.FirstPage+1 || child.Status != storage.StatusDone {
			t.Errorf("paper %d: %s with %d pages, want done with %d", i+1, child.Status, child.Pages, p.LastPage-p.FirstPage+1)
		}
	}

	// Splitting again (an attempt that died before recording the split) finds the same papers.
	again := r.doc(t, stack.ID)
	pages, err := r.h.Scan.Split(ctx, mustRead(t, r, again.OriginalKey), r.h.Limits)
	must(t, err)
	err = r.h.splitStack(ctx, again, pages, planStack(pages))
	var split *stackSplit
	if !errors.As(err, &split) || !reflect.DeepEqual(split.parts, parts) {
		t.Errorf("second split: %v, parts %+v; want %+v", err, split.parts, parts)
	}
	if atts, _ := store.Attachments(ctx, ours.ID); len(atts) != 2 {
		t.Errorf("the dossier holds %d papers after a second split, want 2", len(atts))
	}
}

// A stack of sheets and nothing else fails as a bad input, with a reason, not retried.
func TestStackOfOnlySheetsFails(t *testing.T) {
	r := newRig(t)
	file := stackPDF(t, 2)
	r.h.Scan = sheetParser{stack: file, sheets: map[int]sheet.Sheet{1: {Kind: sheet.Separator}, 2: {Kind: sheet.Separator}}}
	doc := r.receive(t, "chi-co-phieu.pdf", file)
	r.drain(t)
	if d := r.doc(t, doc.ID); d.Status != storage.StatusFailed || d.ErrorCode != stackOnlySheets || d.Retryable || d.Error == "" {
		t.Errorf("a stack of sheets only: %s %s retryable %v (%s)", d.Status, d.ErrorCode, d.Retryable, d.Error)
	}
}

func mustRead(t *testing.T, r *rig, key string) []byte {
	t.Helper()
	data, err := r.h.read(t.Context(), storage.Work, key)
	must(t, err)
	return data
}
