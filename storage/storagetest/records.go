package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/storage"
)

// Records runs the conformance suite of storage.Records. open returns a new, empty store for each
// subtest and arranges its closing with t.Cleanup.
func Records(t *testing.T, open func(t *testing.T) storage.Records) {
	for _, c := range []struct {
		name string
		test func(*testing.T, storage.Records)
	}{
		{"ping", func(t *testing.T, r storage.Records) { must(t, r.Ping(t.Context())) }},
		{"create is idempotent by SHA-256", recordsCreate},
		{"missing documents give ErrNotFound", recordsNotFound},
		{"stage state machine", recordsStages},
		{"stale writes are refused and change nothing", recordsStale},
		{"retry of a document that is not failed returns it unchanged", recordsRetryNotFailed},
		{"pending", recordsPending},
		{"pages and text", recordsPages},
		{"the last page finishes the stage exactly once", recordsLastPage},
		{"redelivered pages still finish the stage exactly once", recordsLastPageRedelivered},
		{"codes never repeat and stay", recordsCodes},
		{"code sequences per agency and day", recordsCodeSequences},
		{"files of a document", recordsFiles},
		{"signed documents, page by page", recordsSigned},
		{"index replaces the text", recordsIndex},
		{"search", recordsSearch},
		{"search folds diacritics and ranks exact ones first", recordsSearchRanking},
		{"search words, phrases and exclusions", recordsSearchSyntax},
		{"search filters", recordsSearchFilters},
		{"search pages", recordsSearchPages},
		{"list", recordsList},
		{"documents by status", recordsByStatus},
		{"generations: a takeover supersedes the attempts before it", recordsGenerations},
		{"failures carry a code and whether a retry can help", recordsFailures},
		{"page generations", recordsPageGenerations},
		{"take over the work of dead workers", recordsTakeOver},
		{"concurrent takeovers give each piece of work once", recordsTakeOverConcurrent},
		{"identity", recordsIdentity},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, open(t)) })
	}
}

func recordsCreate(t *testing.T, r storage.Records) {
	ctx := t.Context()
	n := newDoc("aa")
	d, created, err := r.CreateDocument(ctx, n)
	if err != nil || !created || d.Status != storage.StatusReceived || d.Stage != "ingest" || d.Run != 1 {
		t.Fatalf("CreateDocument = %+v, %v, %v", d, created, err)
	}
	if d.ID != n.ID || d.SHA256 != n.SHA256 || d.OriginalKey != n.OriginalKey || d.Filename != n.Filename ||
		d.Source != n.Source || d.Size != n.Size || d.MediaType != n.MediaType || d.CreatedAt.IsZero() || d.UpdatedAt.IsZero() ||
		d.Error != "" || d.Code != "" || d.Pages != 0 || d.SignedOriginal {
		t.Errorf("CreateDocument(%+v) = %+v", n, d)
	}
	if got := document(t, r, d.ID); !reflectEqualDoc(got, d) {
		t.Errorf("Document = %+v, want %+v", got, d)
	}
	d2, created, err := r.CreateDocument(ctx, newDoc("aa"))
	if err != nil || created || d2.ID != d.ID {
		t.Fatalf("second CreateDocument = %s, %v, %v; want %s, false", d2.ID, created, err, d.ID)
	}
	if d.Lane != "counter" {
		t.Errorf("a document created with no lane has lane %q, want counter", d.Lane)
	}
	bulk := newDoc("cc")
	bulk.Lane = "bulk"
	if d, _, err := r.CreateDocument(ctx, bulk); err != nil || d.Lane != "bulk" || document(t, r, d.ID).Lane != "bulk" {
		t.Errorf("CreateDocument with lane bulk = lane %q, %v; want bulk, kept", d.Lane, err)
	}

	// The same bytes arriving at once from several places still make one document.
	const n2 = 8
	var wg sync.WaitGroup
	ids := make(chan string, n2)
	creators := make(chan bool, n2)
	for range n2 {
		wg.Go(func() {
			d, created, err := r.CreateDocument(ctx, newDoc("bb"))
			if err != nil {
				t.Error(err)
				return
			}
			ids <- d.ID
			creators <- created
		})
	}
	wg.Wait()
	close(ids)
	close(creators)
	distinct := map[string]bool{}
	for id := range ids {
		distinct[id] = true
	}
	created2 := 0
	for c := range creators {
		if c {
			created2++
		}
	}
	if len(distinct) != 1 || created2 != 1 {
		t.Errorf("concurrent creations of one SHA-256: %d documents, %d created; want 1 and 1", len(distinct), created2)
	}
}

func reflectEqualDoc(a, b storage.Document) bool {
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return a == b
}

func recordsNotFound(t *testing.T, r storage.Records) {
	id := uuid.NewString()
	page := []storage.Page{{N: 1, ImageKey: "p1", Format: "png", Width: 1, Height: 1, DPIX: 200, DPIY: 200}}
	day := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	format := func(seq int) (string, error) { return fmt.Sprintf("A-%04d", seq), nil }
	notFound(t, map[string]func(context.Context) error{
		"Document": func(ctx context.Context) error { _, err := r.Document(ctx, id); return err },
		"Stages":   func(ctx context.Context) error { _, err := r.Stages(ctx, id); return err },
		"StartStage": func(ctx context.Context) error {
			return r.StartStage(ctx, storage.Claim{Document: id, Run: 1, Stage: "ingest"})
		},
		"FinishStage": func(ctx context.Context) error {
			return r.FinishStage(ctx, storage.Claim{Document: id, Run: 1, Stage: "ingest"}, "ocr")
		},
		"FailStage": func(ctx context.Context) error {
			return r.FailStage(ctx, storage.Claim{Document: id, Run: 1, Stage: "ingest"}, storage.Failure{Reason: "x"}, false)
		},
		"FailStage(final)": func(ctx context.Context) error {
			return r.FailStage(ctx, storage.Claim{Document: id, Run: 1, Stage: "ingest"}, storage.Failure{Reason: "x"}, true)
		},
		"Retry":          func(ctx context.Context) error { _, err := r.Retry(ctx, id); return err },
		"SetPages":       func(ctx context.Context) error { return r.SetPages(ctx, id, page) },
		"SetPages(none)": func(ctx context.Context) error { return r.SetPages(ctx, id, nil) },
		"Pages":          func(ctx context.Context) error { _, err := r.Pages(ctx, id); return err },
		"StartPage": func(ctx context.Context) error {
			return r.StartPage(ctx, storage.Claim{Document: id, Run: 1, Stage: "ocr", Page: 1})
		},
		"PageRecognized": func(ctx context.Context) error {
			_, err := r.PageRecognized(ctx, storage.Claim{Document: id, Run: 1, Stage: "ocr", Page: 1}, storage.PageResult{OCRKey: "o", Text: "x", Confidence: 1}, "pdfa")
			return err
		},
		"MarkSignedOriginal": func(ctx context.Context) error { return r.MarkSignedOriginal(ctx, id) },
		"SetPDF":             func(ctx context.Context) error { return r.SetPDF(ctx, id, "pdf/x.pdf", "2u") },
		"AssignCode":         func(ctx context.Context) error { _, err := r.AssignCode(ctx, id, "A", day, format); return err },
		"SetSigned": func(ctx context.Context) error {
			return r.SetSigned(ctx, id, storage.SignedFile{Key: "x.01.pdf", SHA256: "ff"})
		},
		"Index": func(ctx context.Context) error { return r.Index(ctx, id, "t", "x") },
		"Text":  func(ctx context.Context) error { _, err := r.Text(ctx, id); return err },
	})

	// A page the document does not have is missing too.
	d := atOCR(t, r, "dd")
	must(t, r.SetPages(t.Context(), d.ID, page))
	notFound(t, map[string]func(context.Context) error{
		"StartPage(missing page)": func(ctx context.Context) error {
			return r.StartPage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 2})
		},
		"PageRecognized(missing page)": func(ctx context.Context) error {
			_, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 2}, storage.PageResult{OCRKey: "o2", Text: "x", Confidence: 1}, "pdfa")
			return err
		},
	})
}

func recordsStages(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := create(t, r, "bb")
	if err := r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}); !errors.Is(err, storage.ErrStale) {
		t.Errorf("starting a stage the document is not at = %v, want ErrStale", err)
	}
	if err := r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 2, Stage: "ingest"}); !errors.Is(err, storage.ErrStale) {
		t.Errorf("starting another run = %v, want ErrStale", err)
	}
	must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}))
	must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"})) // a redelivered task counts a second attempt
	must(t, r.FailStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}, storage.Failure{Reason: "mạng chập chờn"}, false))
	d = document(t, r, d.ID)
	if d.Status != storage.StatusProcessing || d.Error != "mạng chập chờn" {
		t.Errorf("after a transient failure: %s %q", d.Status, d.Error)
	}
	if stages, err := r.Stages(ctx, d.ID); err != nil || len(stages) != 1 || stages[0].Status != "running" ||
		stages[0].Error != "mạng chập chờn" || stages[0].FinishedAt != nil {
		t.Errorf("Stages after a transient failure = %+v, %v", stages, err)
	}
	must(t, r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}, "ocr"))
	d = document(t, r, d.ID)
	if d.Status != storage.StatusProcessing || d.Stage != "ocr" || d.Error != "" {
		t.Errorf("after ingest: %s at %s, %q", d.Status, d.Stage, d.Error)
	}
	if err := r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}, "ocr"); !errors.Is(err, storage.ErrStale) {
		t.Errorf("finishing a stage twice = %v, want ErrStale", err)
	}
	stages, err := r.Stages(ctx, d.ID)
	if err != nil || len(stages) != 1 || stages[0].Attempts != 2 || stages[0].Status != "done" || stages[0].FinishedAt == nil {
		t.Errorf("Stages = %+v, %v", stages, err)
	} else if stages[0].Name != "ingest" || stages[0].Run != 1 || stages[0].Error != "" || stages[0].StartedAt.IsZero() {
		t.Errorf("Stages = %+v", stages)
	}

	must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}))
	must(t, r.FailStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ocr"}, storage.Failure{Reason: "hỏng"}, true))
	d = document(t, r, d.ID)
	if d.Status != storage.StatusFailed || d.Stage != "ocr" || d.Error != "hỏng" {
		t.Errorf("after a final failure: %s at %s, %q", d.Status, d.Stage, d.Error)
	}
	if stages, _ := r.Stages(ctx, d.ID); len(stages) != 2 || stages[0].Name != "ingest" || stages[1].Name != "ocr" ||
		stages[1].Status != "failed" || stages[1].Error != "hỏng" || stages[1].FinishedAt == nil {
		t.Errorf("Stages after a final failure = %+v, want ingest then ocr failed", stages)
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
	d = document(t, r, d.ID)
	if d.Status != storage.StatusDone || d.Stage != "index" {
		t.Errorf("after the last stage: %s at %s", d.Status, d.Stage)
	}
	if stages, _ := r.Stages(ctx, d.ID); len(stages) != 5 || stages[0].Name != "ocr" || stages[4].Name != "index" || stages[4].Run != 2 {
		t.Errorf("Stages of run 2 = %+v, want ocr to index in the order they started", stages)
	}
}

// recordsStale puts documents in every state where a stage or page write is stale, and checks that
// each such write gives ErrStale and leaves the document, its stages and its pages as they were.
func recordsStale(t *testing.T, r storage.Records) {
	ctx := t.Context()
	pages := []storage.Page{{N: 1, ImageKey: "p1", Format: "png", Width: 1, Height: 1, DPIX: 200, DPIY: 200},
		{N: 2, ImageKey: "p2", Format: "png", Width: 1, Height: 1, DPIX: 200, DPIY: 200}}
	for _, c := range []struct {
		name  string
		setup func(id string)
		run   int    // the run the stale writes name
		stage string // the stage the stale stage writes name
	}{
		{"at another stage", func(string) {}, 1, "ocr"},
		{"in another run", func(id string) { walk(t, r, id, 1, "ingest", "ocr") }, 2, "ocr"},
		{"done", func(id string) { finish(t, r, id) }, 1, "index"},
		{"failed", func(id string) {
			walk(t, r, id, 1, "ingest", "ocr")
			must(t, r.FailStage(ctx, storage.Claim{Document: id, Run: 1, Stage: "ocr"}, storage.Failure{Reason: "hỏng"}, true))
		}, 1, "ocr"},
		{"retried", func(id string) {
			walk(t, r, id, 1, "ingest", "ocr")
			must(t, r.FailStage(ctx, storage.Claim{Document: id, Run: 1, Stage: "ocr"}, storage.Failure{Reason: "hỏng"}, true))
			if _, err := r.Retry(ctx, id); err != nil {
				t.Fatal(err)
			}
		}, 1, "ocr"},
	} {
		d := create(t, r, "stale "+c.name)
		must(t, r.SetPages(ctx, d.ID, pages))
		c.setup(d.ID)
		before := stateOf(t, r, d.ID)
		for op, call := range map[string]func() error{
			"StartStage": func() error { return r.StartStage(ctx, storage.Claim{Document: d.ID, Run: c.run, Stage: c.stage}) },
			"FinishStage": func() error {
				return r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: c.run, Stage: c.stage}, "next")
			},
			"FinishStage(end)": func() error { return r.FinishStage(ctx, storage.Claim{Document: d.ID, Run: c.run, Stage: c.stage}, "") },
			"FailStage": func() error {
				return r.FailStage(ctx, storage.Claim{Document: d.ID, Run: c.run, Stage: c.stage}, storage.Failure{Reason: "muộn"}, false)
			},
			"FailStage(final)": func() error {
				return r.FailStage(ctx, storage.Claim{Document: d.ID, Run: c.run, Stage: c.stage}, storage.Failure{Reason: "muộn"}, true)
			},
			"StartPage": func() error {
				return r.StartPage(ctx, storage.Claim{Document: d.ID, Run: c.run, Stage: "ocr", Page: 1})
			},
			"PageRecognized": func() error {
				finished, err := r.PageRecognized(ctx, storage.Claim{Document: d.ID, Run: c.run, Stage: "ocr", Page: 1}, storage.PageResult{OCRKey: "o1", Text: "muộn", Confidence: 50}, "pdfa")
				if finished {
					t.Errorf("%s: a stale PageRecognized reported finished", c.name)
				}
				return err
			},
		} {
			if err := call(); !errors.Is(err, storage.ErrStale) {
				t.Errorf("%s of a document %s = %v, want ErrStale", op, c.name, err)
			}
			if after := stateOf(t, r, d.ID); !after.equal(before) {
				t.Errorf("%s of a document %s changed it:\n%+v\nwas\n%+v", op, c.name, after, before)
			}
		}
	}
}

func recordsRetryNotFailed(t *testing.T, r storage.Records) {
	ctx := t.Context()
	received := create(t, r, "received")
	processing := atOCR(t, r, "processing")
	done := create(t, r, "done")
	finish(t, r, done.ID)
	for _, id := range []string{received.ID, processing.ID, done.ID} {
		before := document(t, r, id)
		got, err := r.Retry(ctx, id)
		if err != nil || !reflectEqualDoc(got, before) {
			t.Errorf("Retry of a %s document = %+v, %v; want it unchanged: %+v", before.Status, got, err, before)
		}
		if after := document(t, r, id); !reflectEqualDoc(after, before) {
			t.Errorf("Retry of a %s document changed it to %+v", before.Status, after)
		}
	}
}

// recordsPending uses a negative idle for "changed before now" (every pending document, with no
// wait) and an hour for "changed more than an hour ago" (none, in a test).
func recordsPending(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := create(t, r, "cc")
	if docs, _ := r.Pending(ctx, time.Hour, 100); contains(docs, d.ID) {
		t.Error("a document changed just now is pending for an hour already")
	}
	docs, err := r.Pending(ctx, -time.Hour, 100)
	if err != nil || !contains(docs, d.ID) {
		t.Errorf("Pending = %v, %v; want it to hold %s", docs, err, d.ID)
	}

	b := atOCR(t, r, "processing")
	c := create(t, r, "later")
	done := create(t, r, "done")
	finish(t, r, done.ID)
	failed := atOCR(t, r, "failed")
	must(t, r.FailStage(ctx, storage.Claim{Document: failed.ID, Run: 1, Stage: "ocr"}, storage.Failure{Reason: "hỏng"}, true))
	must(t, r.SetPDF(ctx, d.ID, "pdf/cc.pdf", "2u")) // d changed last: now the newest
	docs, err = r.Pending(ctx, -time.Hour, 100)
	if got, want := fmt.Sprint(docIDs(docs)), fmt.Sprint([]string{b.ID, c.ID, d.ID}); err != nil || got != want {
		t.Errorf("Pending = %v, %v; want received and processing documents, least recently changed first: %v", got, err, want)
	}
	docs, err = r.Pending(ctx, -time.Hour, 2)
	if got, want := fmt.Sprint(docIDs(docs)), fmt.Sprint([]string{b.ID, c.ID}); err != nil || got != want {
		t.Errorf("Pending(limit 2) = %v, %v; want %v", got, err, want)
	}
	if docs, err := r.Pending(ctx, time.Hour, 100); err != nil || len(docs) != 0 {
		t.Errorf("Pending(an hour) = %v, %v; want none", docIDs(docs), err)
	}
}
