package storagetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/storage"
)

// dossiersStack splits a stack into two papers, one of them in a dossier found by its code: the
// stack ends as split, at its ingest stage, and keeps its parts in order; a second split is stale.
func dossiersStack(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	x := openDossier(t, d, citizen)
	byCode, err := d.DossierByCode(ctx, x.Code)
	if err != nil || byCode.ID != x.ID {
		t.Fatalf("DossierByCode(%s) = %+v, %v", x.Code, byCode, err)
	}
	if _, err := d.DossierByCode(ctx, "000.00.53.H26-261127-9999"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DossierByCode of no dossier: %v, want ErrNotFound", err)
	}

	stack := create(t, r, "stack")
	one, two := create(t, r, "part1"), create(t, r, "part2")
	c := storage.Claim{Document: stack.ID, Run: 1, Stage: "ingest"}
	must(t, r.StartStage(ctx, c))
	parts := []storage.Part{
		{N: 2, DocumentID: two.ID, FirstPage: 5, LastPage: 7},
		{N: 1, DocumentID: one.ID, FirstPage: 2, LastPage: 3, DossierID: x.ID},
	}
	must(t, r.Split(ctx, c, parts))
	got := document(t, r, stack.ID)
	if got.Status != storage.StatusSplit || got.Stage != "ingest" || !storage.Terminal(got.Status) {
		t.Errorf("stack after Split: status %s stage %s", got.Status, got.Stage)
	}
	stages, err := r.Stages(ctx, stack.ID)
	must(t, err)
	if len(stages) != 1 || stages[0].Status != "done" {
		t.Errorf("stages after Split: %+v", stages)
	}
	back, err := r.Parts(ctx, stack.ID)
	must(t, err)
	if want := []storage.Part{parts[1], parts[0]}; !reflect.DeepEqual(back, want) {
		t.Errorf("Parts = %+v, want %+v", back, want)
	}
	if err := r.Split(ctx, c, parts); !errors.Is(err, storage.ErrStale) {
		t.Errorf("second Split: %v, want ErrStale", err)
	}
	if err := r.StartStage(ctx, c); !errors.Is(err, storage.ErrStale) {
		t.Errorf("StartStage of a split stack: %v, want ErrStale", err)
	}
	if p, err := r.Parts(ctx, one.ID); err != nil || len(p) != 0 {
		t.Errorf("Parts of a plain document = %v, %v; want none", p, err)
	}
	if _, err := r.Parts(ctx, uuid.NewString()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Parts of no document: %v, want ErrNotFound", err)
	}
}
