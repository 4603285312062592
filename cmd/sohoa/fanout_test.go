package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/pipeline"
)

// TestPagesInParallel sends a 10-page scanner PDF to sohoa with 2 workers: its pages must be read by
// both workers at once, and the stage after OCR must start exactly once, after the last page.
func TestPagesInParallel(t *testing.T) {
	sys := startSystem(t, "SOHOA_CONCURRENCY", "2")
	img, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "xay-dung-skewed.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	split, err := scan.Split(t.Context(), img, scan.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	p := split[0]
	pages := make([]pdfa.Page, 10)
	for i := range pages {
		pages[i] = pdfa.Page{Image: p.Image, Format: string(p.Format), Width: p.Width, Height: p.Height, DPIX: p.DPIX, DPIY: p.DPIY}
	}
	var dossier bytes.Buffer
	if _, err := pdfa.Build(&dossier, pages, pdfa.Metadata{Title: "hồ sơ 10 trang"}); err != nil {
		t.Fatal(err)
	}
	code, body := sys.upload(t, "ho-so-10-trang.pdf", dossier.Bytes())
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	d := sys.wait(t, decode[api.Document](t, body).ID, 5*time.Minute)
	if d.Status != "done" || d.Pages != 10 {
		t.Fatalf("%s with %d pages: %s", d.Status, d.Pages, d.Error)
	}

	_, body = sys.get(t, "/api/v1/documents/"+d.ID+"/pages")
	read := decode[[]api.Page](t, body)
	if len(read) != 10 {
		t.Fatalf("%d pages listed", len(read))
	}
	// Pages run in parallel when some page started before another had finished.
	sort.Slice(read, func(i, j int) bool { return read[i].OCRStartedAt.Before(*read[j].OCRStartedAt) })
	overlaps, last := 0, *read[0].OCRFinishedAt
	for _, pg := range read[1:] {
		if pg.OCRStartedAt.Before(last) {
			overlaps++
		}
		if pg.OCRFinishedAt.After(last) {
			last = *pg.OCRFinishedAt
		}
	}
	t.Logf("%d of 9 later pages started while an earlier one was being read", overlaps)
	if overlaps < 4 {
		t.Errorf("pages were read one after another (%d overlaps): %+v", overlaps, read)
	}
	next, _ := pipeline.OCR.Next()
	for _, st := range d.Stages {
		switch st.Name {
		case string(pipeline.OCR):
			if st.Attempts != 1 {
				t.Errorf("the ocr stage ran %d times", st.Attempts)
			}
		case string(next):
			if st.Attempts != 1 || st.StartedAt.Before(last) {
				t.Errorf("%s: %d attempts, started %v, last page read at %v", next, st.Attempts, st.StartedAt, last)
			}
		}
	}
}
