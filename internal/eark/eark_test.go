package eark_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/eark"
	"github.com/sohoa-vn/sohoa/internal/eark/earktest"
	"github.com/sohoa-vn/sohoa/storage"
)

func builder(w *world) *eark.Builder {
	return &eark.Builder{Papers: w.store, Stages: w.store, Objects: w.objects, Software: "sohoa", Version: "test"}
}

// write writes a package of dossiers into a file and returns its path.
func write(t *testing.T, b *eark.Builder, id string, dossiers ...storage.Dossier) (string, eark.Summary) {
	t.Helper()
	f := filepath.Join(t.TempDir(), id+".zip")
	out, err := os.Create(f)
	must(t, err)
	defer out.Close()
	sum, err := b.Write(t.Context(), out, eark.Package{ID: id, Created: time.Now(), Dossiers: dossiers})
	must(t, err)
	return f, sum
}

// A package of two dossiers, one of which reuses a paper of the other, passes xmllint against METS
// (with CSIP's extension) and PREMIS 3, the CSIP MUST rules, and its checksums: each signed file
// and original is in its dossier's representation, byte for byte; PREMIS tells the pipeline's
// stages, the archive write and the reuse, each with its agent; a paper not signed yet is left out.
func TestPackage(t *testing.T) {
	w := newWorld(t)
	first := w.dossier()
	birth := w.paper(first, "khai-sinh.png", []byte("\x89PNG khai sinh"), true)
	w.paper(first, "ho-khau.png", []byte("\x89PNG ho khau"), true)
	second := w.dossier()
	w.reuse(second, birth.ID)
	pending := w.paper(second, "don.png", []byte("\x89PNG don"), false)

	file, sum := write(t, builder(w), "uuid-7f0c3a52-1d7e-4b43-9a55-2f3b7d1c0e11", first, second)
	p := earktest.Check(t, file)
	if !slices.Equal(sum.Skipped, []string{pending.ID}) {
		t.Errorf("skipped %v, want the unsigned paper %s", sum.Skipped, pending.ID)
	}
	if len(p.Reps) != 2 {
		t.Errorf("%d representations, want one per dossier", len(p.Reps))
	}
	for _, c := range []struct {
		dossier storage.Dossier
		doc     storage.Document
	}{{first, birth}, {second, birth}} {
		data := "representations/" + c.dossier.Code + "/data/"
		signed, original := w.bytes(storage.Archive, c.doc.SignedKey), w.bytes(storage.Work, c.doc.OriginalKey)
		if got := p.Files[data+c.doc.Code+".01.pdf"]; !bytes.Equal(got, signed) {
			t.Errorf("%s: signed file %q, want the archive's", c.dossier.Code, got)
		}
		if got := p.Files[data+c.doc.Code+".original.png"]; !bytes.Equal(got, original) {
			t.Errorf("%s: original %q, want the one received", c.dossier.Code, got)
		}
	}
	types := map[string]int{}
	agents := map[string]bool{}
	for _, a := range p.PREMIS.All("agent") {
		agents[a.All("agentIdentifier/agentIdentifierValue")[0].Text] = true
	}
	for _, e := range p.PREMIS.All("event") {
		types[e.All("eventType")[0].Text]++
		for _, l := range e.All("linkingAgentIdentifier/linkingAgentIdentifierValue") {
			if !agents[l.Text] {
				t.Errorf("event %s names agent %s, which PREMIS does not describe", e.All("eventType")[0].Text, l.Text)
			}
		}
		if len(e.All("linkingObjectIdentifier")) == 0 {
			t.Errorf("event %s concerns no object", e.All("eventType")[0].Text)
		}
	}
	for typ, n := range map[string]int{"ingestion": 2, "optical character recognition": 2, "digital signature generation": 2,
		"accession": 2, "reuse": 1, "creation": 2, "submission": 2} {
		if types[typ] != n {
			t.Errorf("%d %s events, want %d (all: %v)", types[typ], typ, n, types)
		}
	}
	if !agents["agent-account-hoa"] || !agents["agent-software"] {
		t.Errorf("agents %v; want sohoa and the clerk who reused the paper", agents)
	}
	desc := string(p.Files["metadata/descriptive/"+second.Code+".json"])
	if !strings.Contains(desc, `"docCode": "`+birth.Code+`"`) || !strings.Contains(desc, `"arcFileCode": "`+first.Code+`"`) {
		t.Errorf("descriptive metadata of the second dossier:\n%s", desc)
	}
}

// A signed file that is not what was recorded stops the package with storage.ErrFixity, and what
// was written is no ZIP: never a package that looks whole without it.
func TestPackageRefusesWrongBytes(t *testing.T) {
	w := newWorld(t)
	d := w.dossier()
	doc := w.paper(d, "khai-sinh.png", []byte("\x89PNG khai sinh"), true)
	must(t, w.store.SetSigned(t.Context(), doc.ID, storage.SignedFile{Key: doc.SignedKey, VersionID: doc.SignedVersion,
		SHA256: strings.Repeat("0", 64)}))
	var out bytes.Buffer
	_, err := builder(w).Write(t.Context(), &out, eark.Package{ID: "uuid-x", Created: time.Now(), Dossiers: []storage.Dossier{d}})
	var re *eark.ReadError
	if !errors.Is(err, storage.ErrFixity) || !errors.As(err, &re) || re.Document.ID != doc.ID {
		t.Fatalf("Write = %v; want the fixity error of %s", err, doc.ID)
	}
	if _, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len())); err == nil {
		t.Error("what was written reads as a ZIP")
	}
}

func (w *world) bytes(b storage.Bucket, key string) []byte {
	w.t.Helper()
	r, err := w.objects.Get(w.t.Context(), b, key)
	must(w.t, err)
	defer r.Close()
	var buf bytes.Buffer
	_, err = buf.ReadFrom(r)
	must(w.t, err)
	return buf.Bytes()
}
