package main

import (
	"bytes"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
)

// A dossier's stack scanned in one go at 200 dpi — the cover sheet sohoa printed for it, then four
// papers of two pages with a separator sheet between each two, one separator fed upside down, every
// page a little skewed and soiled — is 12 pages in one PDF. sohoa splits it into the 4 papers, each
// in the dossier, each signed; every page image of a paper is in its paper's archived file, and no
// sheet's page is in any archived file (scanner JPEGs are archived as they are, so a sheet in an
// archive copy would be its very bytes).
func TestStackWithSheetsBecomesTheDossiersPapers(t *testing.T) {
	sys := startSystem(t)
	dossier := sys.createDossier(t, "001090000001")
	const dpi = 200
	printed := func(path string) []byte {
		code, pdf := sys.get(t, path)
		if code != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("GET %s: %d", path, code)
		}
		return pdf
	}
	cover := sheettest.Rasterize(t, printed("/api/v1/dossiers/"+dossier.ID+"/cover"), dpi)
	separator := sheettest.Rasterize(t, printed("/api/v1/separator"), dpi)

	soiled := func(skew float64) sheettest.Options {
		return sheettest.Options{SkewDegrees: skew, Noise: 0.002, Quality: 80}
	}
	var pages, sheets [][]byte
	papers := make([][][]byte, 4) // each paper's page JPEGs
	sheetPage := func(b []byte) { pages, sheets = append(pages, b), append(sheets, b) }
	sheetPage(sheettest.Scan(cover, soiled(1.2)))
	for i := range papers {
		if i > 0 {
			o := soiled(-0.8)
			o.UpsideDown = i == 2
			sheetPage(sheettest.Scan(separator, o))
		}
		for j := range 2 {
			jpg := sheettest.Scan(sheettest.Paper(t, 10*i+j, dpi), soiled(0.5*float64(j)))
			papers[i], pages = append(papers[i], jpg), append(pages, jpg)
		}
	}
	if len(pages) != 12 {
		t.Fatalf("the stack has %d pages, want 12", len(pages))
	}
	code, body := sys.uploadTo(t, "/api/v1/documents", "ho-so-quet.pdf", sheettest.StackPDF(pages))
	if code != http.StatusCreated {
		t.Fatalf("upload the stack: %d %s", code, body)
	}
	stack := sys.wait(t, decode[api.Document](t, body).ID, 3*time.Minute)
	if stack.Status != "split" || len(stack.Parts) != 4 {
		t.Fatalf("the stack is %s (%s) with %d parts, want split into 4", stack.Status, stack.Error, len(stack.Parts))
	}

	for i, part := range stack.Parts {
		if part.DossierID != dossier.ID || part.LastPage-part.FirstPage != 1 {
			t.Errorf("part %d: %+v, want 2 pages in dossier %s", i+1, part, dossier.ID)
		}
		doc := sys.wait(t, part.DocumentID, 4*time.Minute)
		if doc.Status != "done" || doc.Pages != 2 || doc.PartOf != stack.ID {
			t.Fatalf("paper %d: %s (%s), %d pages, part of %q", i+1, doc.Status, doc.Error, doc.Pages, doc.PartOf)
		}
		code, signed := sys.get(t, "/api/v1/documents/"+part.DocumentID+"/file")
		if code != http.StatusOK {
			t.Fatalf("paper %d's signed file: %d", i+1, code)
		}
		for j, jpg := range papers[i] {
			if !bytes.Contains(signed, jpg) {
				t.Errorf("paper %d's archived file lacks its page %d", i+1, j+1)
			}
		}
		for j, s := range sheets {
			if bytes.Contains(signed, s) {
				t.Errorf("paper %d's archived file holds sheet %d", i+1, j+1)
			}
		}
	}

	code, body = sys.get(t, "/api/v1/dossiers/"+dossier.ID)
	got := decode[api.DossierJSON](t, body)
	var in []string
	for _, a := range got.Documents {
		in = append(in, a.Document.ID)
	}
	want := fmt.Sprint([]string{stack.Parts[0].DocumentID, stack.Parts[1].DocumentID, stack.Parts[2].DocumentID, stack.Parts[3].DocumentID})
	if code != http.StatusOK || fmt.Sprint(in) != want {
		t.Errorf("the dossier holds %v, want the 4 papers %v", in, want)
	}
}
