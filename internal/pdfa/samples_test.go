package pdfa

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	ocrcer "github.com/sohoa-vn/sohoa/internal/ocr/cer"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// sample is one scan of testdata/scans split and recognised the way the
// ingest and ocr stages do it.
type sample struct {
	name  string // file name
	gt    string // ground truth, pages separated by \f
	pages []scan.Page
	ocr   []*ocr.Page
}

// TestMain runs the tests as the workers run: Tesseract must not spawn
// OpenMP threads, which on a small machine only fight with the samples'
// one-engine-per-page parallelism. libgomp reads OMP_THREAD_LIMIT when it
// is loaded, before main, so the test binary re-executes itself with it.
func TestMain(m *testing.M) {
	testenv.SingleThreadedTesseract()
	code := m.Run()
	devSigner.cleanup()
	os.Exit(code)
}

// loadSamples recognises every sample page once, as many pages at a time
// as there are CPUs (one single-threaded Tesseract engine each), since OCR
// is by far the slowest part.
func loadSamples(t *testing.T) []*sample {
	t.Helper()
	entries, err := os.ReadDir(scans)
	if err != nil {
		t.Fatal(err)
	}
	var out []*sample
	type job struct {
		s *sample
		i int
	}
	var jobs []job
	for _, e := range entries {
		name := e.Name()
		if strings.HasSuffix(name, ".gt.txt") {
			continue
		}
		base := strings.TrimSuffix(name, filepath.Ext(name))
		gt, err := os.ReadFile(filepath.Join(scans, base+".gt.txt"))
		if err != nil {
			continue
		}
		pages, err := scan.Split(context.Background(), readScan(t, name), scan.DefaultLimits())
		if err != nil {
			t.Fatalf("split %s: %v", name, err)
		}
		s := &sample{name: name, gt: string(gt), pages: pages, ocr: make([]*ocr.Page, len(pages))}
		out = append(out, s)
		for i := range pages {
			jobs = append(jobs, job{s, i})
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	next := make(chan int, len(jobs))
	for j := range jobs {
		next <- j
	}
	close(next)
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			e, err := ocr.NewEngine()
			if err != nil {
				errs[0] = err
				return
			}
			defer e.Close()
			for j := range next {
				jb := jobs[j]
				jb.s.ocr[jb.i], errs[j] = e.Recognize(context.Background(), jb.s.pages[jb.i].Image)
			}
		})
	}
	wg.Wait()
	for j, err := range errs {
		if err != nil {
			t.Fatalf("ocr %s page %d: %v", jobs[j].s.name, jobs[j].i+1, err)
		}
	}
	return out
}

func (s *sample) build(t *testing.T) ([]byte, int) {
	pages := make([]Page, len(s.pages))
	total := 0
	for i, p := range s.pages {
		var lines [][]Word
		for _, l := range s.ocr[i].Lines {
			var ws []Word
			for _, w := range l.Words {
				ws = append(ws, Word{Text: w.Text, Box: w.Box})
			}
			lines = append(lines, ws)
		}
		pages[i] = Page{Image: p.Image, Format: string(p.Format), Width: p.Width, Height: p.Height,
			DPIX: p.DPIX, DPIY: p.DPIY, Lines: lines}
		total += len(p.Image)
	}
	meta := testMeta()
	meta.Title = s.name
	return buildBytes(t, pages, meta), total
}

func (s *sample) ocrText() string {
	var ps []string
	for _, p := range s.ocr {
		ps = append(ps, p.Text)
	}
	return strings.Join(ps, "\f")
}

// TestSamples is the acceptance test on the repository's scans.
// The samples run in parallel and so do the tools on each of them: the
// test is mostly waiting for Tesseract, qpdf and poppler.
func TestSamples(t *testing.T) {
	testenv.Need(t, "pdftotext", "pdfimages", "qpdf")
	if testing.Short() {
		t.Skip("OCR of every sample page")
	}
	for _, s := range loadSamples(t) {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			data, images := s.build(t)
			signed := signDev(t, data)
			dir := t.TempDir()
			path, sp := filepath.Join(dir, "out.pdf"), filepath.Join(dir, "signed.pdf")
			for f, b := range map[string][]byte{path: data, sp: signed} {
				if err := os.WriteFile(f, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}

			cmds := [][]string{
				{"pdftotext", path, "-"},
				{"pdftotext", "-bbox", path, "-"},
				{"pdfimages", "-list", path},
				{"qpdf", "--check", path},
				{"qpdf", "--check", sp},
			}
			// Only the JPEG pages are extracted: -all would also write
			// every other page as a full-size raster nobody looks at.
			jpegs := map[int]string{}
			for i, p := range s.pages {
				if p.Format == scan.JPEG {
					n := strconv.Itoa(i + 1)
					jpegs[i] = filepath.Join(dir, "p"+n)
					cmds = append(cmds, []string{"pdfimages", "-j", "-f", n, "-l", n, path, jpegs[i]})
				}
			}
			out := runTools(t, cmds...)

			ocrCER := cer(s.ocrText(), s.gt)
			pdfCER := cer(out[0], s.gt)
			t.Logf("CER ocr %.2f %% pdf %.2f %%; size %d / images %d = %.4f", ocrCER, pdfCER, len(data), images, float64(len(data))/float64(images))
			if pdfCER > ocrCER+0.2 {
				t.Errorf("pdftotext CER %.2f points, OCR text %.2f: the layer loses text", pdfCER, ocrCER)
			}
			if len(data)*100 > images*105 {
				t.Errorf("PDF is %d bytes, page images %d: more than 5 %% overhead", len(data), images)
			}
			if err := Check(data); err != nil {
				t.Errorf("Check: %v", err)
			}
			if err := Check(signed); err != nil {
				t.Errorf("Check after signing: %v", err)
			}
			for _, o := range out[3:5] {
				if !strings.Contains(o, "No syntax or stream encoding errors") {
					t.Errorf("qpdf --check:\n%s", o)
				}
			}
			wordsInsidePages(t, out[1], s.pages)
			jpegsUntouched(t, out[2], jpegs, s.pages)
			verapdf(t, path)
			verapdf(t, sp)
		})
	}
}

// runTools runs the commands concurrently and returns their outputs in
// order, failing the test if any of them fails.
func runTools(t *testing.T, cmds ...[]string) []string {
	t.Helper()
	outs := make([]string, len(cmds))
	errs := make([]error, len(cmds))
	var wg sync.WaitGroup
	for i, c := range cmds {
		wg.Go(func() {
			b, err := exec.Command(c[0], c[1:]...).CombinedOutput()
			outs[i], errs[i] = string(b), err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(cmds[i], " "), err, outs[i])
		}
	}
	return outs
}

// wordsInsidePages: every word pdftotext -bbox finds lies on its page
// image, which covers the whole page.
func wordsInsidePages(t *testing.T, bbox string, pages []scan.Page) {
	t.Helper()
	got := parseBBox(t, bbox)
	if len(got) != len(pages) {
		t.Fatalf("bbox: %d pages, want %d", len(got), len(pages))
	}
	const tol = 1.0 // points
	for i, p := range pages {
		w, h := float64(p.Width)/p.DPIX*72, float64(p.Height)/p.DPIY*72
		if len(got[i]) == 0 {
			t.Errorf("page %d: no words", i+1)
		}
		for _, wd := range got[i] {
			b := wd.box
			if b[0] < -tol || b[1] < -tol || b[2] > w+tol || b[3] > h+tol || b[0] > b[2] || b[1] > b[3] {
				t.Errorf("page %d word %q at %v outside the %gx%g pt image", i+1, wd.text, b, w, h)
				return
			}
		}
	}
}

// jpegsUntouched: JPEG pages are listed as jpeg and extract byte for byte
// (jpegs maps a page index to the prefix its image was extracted under).
func jpegsUntouched(t *testing.T, list string, jpegs map[int]string, pages []scan.Page) {
	t.Helper()
	rows := imageRows(list)
	if len(rows) != len(pages) {
		t.Fatalf("pdfimages: %d images, want %d", len(rows), len(pages))
	}
	for i, prefix := range jpegs {
		if rows[i][8] != "jpeg" {
			t.Errorf("page %d image encoded %s, want jpeg", i+1, rows[i][8])
		}
		got, err := os.ReadFile(prefix + "-000.jpg")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, pages[i].Image) {
			t.Errorf("page %d JPEG changed: %d bytes, original %d", i+1, len(got), len(pages[i].Image))
		}
	}
}

// cer is the character error rate in percent of hyp against ref (NFC, whitespace folded), the
// measure the OCR engine's own tests use.
func cer(hyp, ref string) float64 { return 100 * ocrcer.Rate(hyp, ref) }
