package api

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// The counter prints a dossier's cover sheet and separators, each a PDF named after the dossier;
// printing a sheet with the owner's name on it is in the trail. Another agency's dossier is not
// found, and the separator naming no dossier holds nobody's data.
func TestDossierSheetsArePrinted(t *testing.T) {
	r := newRig(t)
	d := r.openDossier(citizen)
	for _, c := range []struct{ path, file, action string }{
		{"/cover", "phieu-bia-", "dossier.cover"},
		{"/separator", "to-phan-cach-", "dossier.separator"},
	} {
		a := r.get("/api/v1/dossiers/" + d.ID + c.path)
		a.wantStatus(t, http.StatusOK)
		if !bytes.HasPrefix(a.body, []byte("%PDF-")) || !strings.Contains(a.header.Get("Content-Disposition"), c.file+d.Code+".pdf") {
			t.Errorf("%s: %d bytes starting %.8q, Content-Disposition %q", c.path, len(a.body), a.body, a.header.Get("Content-Disposition"))
		}
		events, err := r.store.History(t.Context(), d.ID, "")
		must(t, err)
		if last := events[len(events)-1]; last.Action != c.action || last.Actor != "quan-tri" {
			t.Errorf("%s: the last event is %s by %s, want %s", c.path, last.Action, last.Actor, c.action)
		}
	}
	must(t, r.store.EnsureAgency(t.Context(), otherAgency, "UBND quận Ngô Quyền", ""))
	r.as("can-bo-khac", account.Clerk, otherAgency).get("/api/v1/dossiers/"+d.ID+"/cover").wantError(t, http.StatusNotFound, codeNotFound)
	if a := r.get("/api/v1/separator"); a.status != http.StatusOK || !bytes.HasPrefix(a.body, []byte("%PDF-")) {
		t.Errorf("the separator naming no dossier: %d", a.status)
	}
}

// A split stack answers its parts, and each paper names the stack it was cut out of; both fit the
// document schema (the rig checks every answer), and listing by status split finds the stack.
func TestSplitStackAnswersItsParts(t *testing.T) {
	r := newRig(t)
	stack := r.receive("ho-so.pdf", scanPNG(1))
	d := r.openDossier(citizen)
	paper, _, err := r.store.CreateDocument(t.Context(), storage.NewDocument{ID: uuid.NewString(), SHA256: strings.Repeat("a", 64),
		OriginalKey: "originals/x", Filename: "ho-so-1.pdf", Source: workers.StackSource + stack.ID, Agency: testAgency})
	must(t, err)
	c := r.claim(stack.ID)
	must(t, r.store.StartStage(t.Context(), c))
	must(t, r.store.Split(t.Context(), c, []storage.Part{{N: 1, DocumentID: paper.ID, FirstPage: 2, LastPage: 3, DossierID: d.ID}}))

	got := r.get("/api/v1/documents/" + stack.ID).document(t)
	if got.Status != storage.StatusSplit || len(got.Parts) != 1 || got.Parts[0] != (PartJSON{N: 1, DocumentID: paper.ID, FirstPage: 2, LastPage: 3, DossierID: d.ID}) {
		t.Errorf("the stack: %s, parts %+v", got.Status, got.Parts)
	}
	if p := r.get("/api/v1/documents/" + paper.ID).document(t); p.PartOf != stack.ID {
		t.Errorf("the paper is part of %q, want %s", p.PartOf, stack.ID)
	}
	var list DocumentList
	r.get("/api/v1/documents?status=split").decode(t, &list)
	if list.Total != 1 || list.Documents[0].ID != stack.ID {
		t.Errorf("status=split lists %+v", list.Documents)
	}
}
