// Package storagetest holds the conformance suites of storage's interfaces, after Perkeep's
// pkg/index/indextest: every backend runs them — PostgreSQL and MinIO in storage's own tests, the
// in-memory stores of storage/memory in theirs — so code above the interfaces can be unit-tested
// on a memory store that behaves as the real ones do.
//
// Each suite opens a fresh, empty store for every subtest, so assertions are exact. Nothing waits on
// the wall clock: where a method takes a day the suite passes one, and where a backend reads the
// clock itself (Pending, the expiry check of Attach) the suite picks durations and dates far from now.
package storagetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/storage"
)

func newDoc(sha string) storage.NewDocument {
	return storage.NewDocument{ID: uuid.NewString(), SHA256: sha, OriginalKey: "originals/" + sha,
		Filename: "quét.jpg", Source: "api", Size: 10, MediaType: "image/jpeg"}
}

func create(t *testing.T, r storage.Records, sha string) storage.Document {
	t.Helper()
	d, _, err := r.CreateDocument(t.Context(), newDoc(sha))
	must(t, err)
	return d
}

// walk starts stage from in run, then finishes each stage and starts the next of stages; a last ""
// finishes the document.
func walk(t *testing.T, r storage.Records, id string, run int, from string, stages ...string) {
	t.Helper()
	ctx := t.Context()
	must(t, r.StartStage(ctx, storage.Claim{Document: id, Run: run, Stage: from}))
	prev := from
	for _, s := range stages {
		must(t, r.FinishStage(ctx, storage.Claim{Document: id, Run: run, Stage: prev}, s))
		if s != "" {
			must(t, r.StartStage(ctx, storage.Claim{Document: id, Run: run, Stage: s}))
		}
		prev = s
	}
}

// atOCR returns a new document whose run 1 is at stage ocr.
func atOCR(t *testing.T, r storage.Records, sha string) storage.Document {
	t.Helper()
	d := create(t, r, sha)
	walk(t, r, d.ID, 1, "ingest", "ocr")
	return d
}

// finish takes a new document through every stage of run 1 to done.
func finish(t *testing.T, r storage.Records, id string) {
	t.Helper()
	walk(t, r, id, 1, "ingest", "ocr", "code", "pdfa", "sign", "index", "")
}

func document(t *testing.T, r storage.Records, id string) storage.Document {
	t.Helper()
	d, err := r.Document(t.Context(), id)
	must(t, err)
	return d
}

// state is what Records holds about one document, for checking that a refused write changed nothing.
type state struct {
	Doc    storage.Document
	Stages []storage.StageRun
	Pages  []storage.Page
}

func stateOf(t *testing.T, r storage.Records, id string) state {
	t.Helper()
	ctx := t.Context()
	s := state{Doc: document(t, r, id)}
	var err error
	s.Stages, err = r.Stages(ctx, id)
	must(t, err)
	s.Pages, err = r.Pages(ctx, id)
	must(t, err)
	return s
}

func (s state) equal(o state) bool { return reflect.DeepEqual(s, o) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

func hitIDs(hits []storage.Hit) map[string]bool {
	m := map[string]bool{}
	for _, h := range hits {
		m[h.ID] = true
	}
	return m
}

func docIDs(docs []storage.Document) []string {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

func contains(docs []storage.Document, id string) bool {
	for _, d := range docs {
		if d.ID == id {
			return true
		}
	}
	return false
}

// notFound checks that each call fails with ErrNotFound.
func notFound(t *testing.T, calls map[string]func(ctx context.Context) error) {
	t.Helper()
	for name, call := range calls {
		if err := call(t.Context()); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s = %v, want ErrNotFound", name, err)
		}
	}
}
