package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"github.com/sohoa-vn/sohoa/internal/ocr/cer"
	"github.com/sohoa-vn/sohoa/internal/ocr/scribble"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// plainSlack is how many characters more than plain Tesseract sohoa may
// get wrong on a page: where no step applies both read the same layout
// and recognition, and sohoa's text differs only where its stray-mark
// filter (text.go) drops a low-confidence ":" or "-" plain keeps, which
// the ground truth sometimes has.
const plainSlack = 3

// samplePage is one page of a sample scan as the workers get it.
type samplePage struct {
	name string
	file []byte // the page image as internal/scan gives it
	ext  string
	img  *image.RGBA
	dpi  float64
	gt   string
}

// samplePages splits the sample scans with internal/scan, as the workers
// do, and pairs each page with its ground truth.
func samplePages(t *testing.T) map[string]samplePage {
	t.Helper()
	pages := map[string]samplePage{}
	for _, file := range []string{"khai-sinh.png", "dkdn.jpg", "xay-dung-skewed.jpg", "ke-hoach.tiff"} {
		data, err := os.ReadFile(scans + file)
		if err != nil {
			t.Fatal(err)
		}
		split, err := scan.Split(t.Context(), data, scan.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		gt, err := os.ReadFile(scans + strings.TrimSuffix(file, filepath.Ext(file)) + ".gt.txt")
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(file, filepath.Ext(file))
		for i, p := range split {
			src, _, err := image.Decode(bytes.NewReader(p.Image))
			if err != nil {
				t.Fatalf("%s page %d: %v", file, i+1, err)
			}
			name := fmt.Sprintf("%s-p%d", base, i+1)
			pages[name] = samplePage{name, p.Image, string(p.Format), scribble.RGBA(src), p.DPIX, cer.Pages(string(gt))[i]}
		}
	}
	return pages
}

// readImage is readBoth on an image, given to both as a PNG.
func readImage(t *testing.T, e *Engine, img image.Image, dpi float64, gt string) (sohoa, plain int, p *Page) {
	t.Helper()
	data, err := scribble.PNG(img, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return readBoth(t, e, data, "png", dpi, gt)
}

// readBoth reads one page image with sohoa and, at the same time, with
// plain `tesseract FILE - -l vie`, and returns both edit distances to the
// ground truth and sohoa's page.
func readBoth(t *testing.T, e *Engine, data []byte, ext string, dpi float64, gt string) (sohoa, plain int, p *Page) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "page."+ext)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	testenv.Need(t, "tesseract")
	cmd := exec.Command("tesseract", file, "-", "-l", "vie")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p, recErr := e.RecognizeDPI(context.Background(), data, dpi)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tesseract: %v\n%s", err, stderr.Bytes())
	}
	if recErr != nil {
		t.Fatal(recErr)
	}
	want := []rune(cer.Fold(gt))
	return cer.Levenshtein([]rune(cer.Fold(p.Text)), want), cer.Levenshtein([]rune(cer.Fold(out.String())), want), p
}

// TestMarkedNoWorseThanPlain puts pen strokes across the text of the sample
// pages — black signatures and notes above all, which used to read worse
// than with plain Tesseract — and holds sohoa to plain Tesseract's errors
// plus plainSlack on every page, both read in the test.
//
// Tuning and held out: the thresholds of prep.go and skew.go were set on
// the "tuned" pages (the seeds and skews of the experiments, reproduced
// here; a first exploratory run also marked xay-dung and ke-hoach at seeds
// 1000…, which showed the failures). The "held-out-1" pages were chosen
// after a first rule (deskew a marked page from 3° on) was fixed, and
// failed it once: xay-dung marked and skewed to 3.16°, which plain
// Tesseract still read well. The rule became the layout comparison of
// skew.go, and the "held-out-2" pages were chosen after that and first
// read by this test with the rule as it is; "held-out-3" likewise after
// the rule that a marked page over 400 dpi is not scaled.
func TestMarkedNoWorseThanPlain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Tesseract twice on many full pages")
	}
	pages := samplePages(t)
	variant := map[string]int{}
	for i, v := range scribble.Variants() {
		variant[v.Name] = i
	}
	type marked struct {
		set, page, variant string
		skew               float64 // degrees clockwise applied before marking
		turns              int     // quarter turns clockwise applied after marking
		seed               uint64
		dpi                float64 // resampled to this resolution before marking; 0: as scanned
	}
	var cases []marked
	// The first experiments' pages: seed 1000 + 10·variant + page index.
	for _, v := range []string{"signature", "note", "signed-note", "blue", "seal"} {
		cases = append(cases, marked{"tuned", "khai-sinh-p1", v, 0, 0, uint64(1000 + 10*variant[v]), 0})
	}
	for _, v := range []string{"signature", "signed-note"} {
		cases = append(cases, marked{"tuned", "dkdn-p1", v, 0, 0, uint64(1000 + 10*variant[v]), 0})
	}
	// The skew experiments: seed 7000 + 100·variant + 10·skew + page index.
	cases = append(cases,
		marked{"tuned", "khai-sinh-p1", "signed-note", -2.5, 0, 7000 + 200 - 25, 0},
		marked{"tuned", "dkdn-p1", "signature", 1.5, 0, 7000 + 15, 0},
		marked{"tuned", "ke-hoach-p1", "signed-note", 3.5, 0, 7000 + 200 + 35, 0},
	)
	for i, v := range []string{"signature", "note", "signed-note", "blue", "seal"} {
		cases = append(cases,
			marked{"held-out-1", "xay-dung-skewed-p1", v, 0, 0, uint64(31 + i), 0},
			marked{"held-out-1", "ke-hoach-p1", v, 0, 0, uint64(41 + i), 0})
	}
	cases = append(cases,
		marked{"held-out-1", "ke-hoach-p2", "signature", 0, 0, 51, 0},
		marked{"held-out-1", "ke-hoach-p2", "blue", 0, 0, 52, 0},
		marked{"held-out-1", "ke-hoach-p1", "note", 1.2, 0, 53, 0},
		marked{"held-out-1", "dkdn-p1", "signed-note", -2.2, 0, 54, 0},
		marked{"held-out-1", "xay-dung-skewed-p1", "signature", -0.7, 0, 55, 0}, // skewed 3.16° in all
		marked{"held-out-1", "khai-sinh-p1", "note", 4.5, 0, 56, 0},
		marked{"held-out-1", "khai-sinh-p1", "signature", 0, 2, 57, 0},
		marked{"held-out-1", "dkdn-p1", "seal", 0, 1, 58, 0},
	)
	cases = append(cases,
		marked{"held-out-2", "xay-dung-skewed-p1", "signature", 0.5, 0, 101, 0},
		marked{"held-out-2", "xay-dung-skewed-p1", "signed-note", -1.0, 0, 102, 0},
		marked{"held-out-2", "khai-sinh-p1", "signature", 2.8, 0, 103, 0},
		marked{"held-out-2", "khai-sinh-p1", "signed-note", -3.2, 0, 104, 0},
		marked{"held-out-2", "dkdn-p1", "note", 1.8, 0, 105, 0},
		marked{"held-out-2", "dkdn-p1", "signature", -2.7, 0, 106, 0},
		marked{"held-out-2", "ke-hoach-p1", "signature", 2.3, 0, 107, 0},
		marked{"held-out-2", "ke-hoach-p1", "signed-note", -1.6, 0, 108, 0},
		marked{"held-out-2", "ke-hoach-p1", "seal", 3.0, 0, 109, 0},
		marked{"held-out-2", "khai-sinh-p1", "blue", -2.0, 0, 110, 0},
		marked{"held-out-2", "dkdn-p1", "signed-note", 0, 2, 111, 0},
		marked{"held-out-2", "ke-hoach-p2", "signed-note", 2.5, 0, 112, 0},
		// Over 400 dpi, where marks decide whether the page is scaled: the
		// tuned page read 22.3 % scaled and 11.5 % unscaled.
		marked{"tuned", "khai-sinh-p1", "signature", 0, 0, 501, 600},
		marked{"held-out-3", "ke-hoach-p2", "signature", 0, 0, 601, 600},
		marked{"held-out-3", "xay-dung-skewed-p1", "signed-note", 0, 0, 602, 600},
	)
	e := newEngine(t, Options{})
	for _, c := range cases {
		name := fmt.Sprintf("%s/%s-%s-skew%+.1f-turn%d-seed%d-dpi%.0f", c.set, c.page, c.variant, c.skew, 90*c.turns, c.seed, c.dpi)
		t.Run(name, func(t *testing.T) {
			sp, ok := pages[c.page]
			if !ok {
				t.Fatalf("no sample page %s", c.page)
			}
			img, dpi := sp.img, sp.dpi
			if c.dpi != 0 {
				img, dpi = resample(img, c.dpi/sp.dpi), c.dpi
			}
			if c.skew != 0 {
				img = skewCW(img, c.skew)
			}
			img = scribble.Mark(img, dpi, scribble.Variants()[variant[c.variant]], c.seed)
			for range c.turns {
				img = turnCW(img)
			}
			got, plain, p := readImage(t, e, img, dpi, sp.gt)
			n := float64(len([]rune(cer.Fold(sp.gt))))
			t.Logf("sohoa CER %.2f%% (%d), plain %.2f%% (%d); %+v, rotation %d, skew %.2f°",
				100*float64(got)/n, got, 100*float64(plain)/n, plain, p.Prep, p.Rotation, p.Skew)
			if got > plain+plainSlack {
				t.Errorf("sohoa got %d characters wrong, plain tesseract %d", got, plain)
			}
			coloured := c.variant == "blue" || c.variant == "seal"
			if p.Prep.InkDropped != coloured {
				t.Errorf("ink dropped %v on a page marked %s", p.Prep.InkDropped, c.variant)
			}
		})
	}
}

// TestSamplesNoWorse reads the samples as given and in the forms sohoa
// already read well — turned, skewed, bilevel like a G4 scan — and holds
// every page to the CER it had before steps were chosen page by page
// (measured with `sohoa bench ocr` on the commit before) plus one
// character, and to plain Tesseract plus plainSlack.
func TestSamplesNoWorse(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Tesseract twice on many full pages")
	}
	pages := samplePages(t)
	tests := []struct {
		name, page string
		make       func(*image.RGBA) image.Image
		before     float64 // CER, %
		dpi        float64 // of the image made, when not the page's
	}{
		{"as given", "khai-sinh-p1", nil, 0.21, 0},
		{"as given", "dkdn-p1", nil, 0.21, 0},
		{"as given", "xay-dung-skewed-p1", nil, 0.45, 0},
		{"as given", "ke-hoach-p1", nil, 0.05, 0},
		{"as given", "ke-hoach-p2", nil, 0.00, 0},
		{"G4", "khai-sinh-p1", bilevel, 0.29, 0},
		{"G4", "dkdn-p1", bilevel, 0.28, 0},
		{"G4", "xay-dung-skewed-p1", bilevel, 1.34, 0},
		{"turned 90", "khai-sinh-p1", func(m *image.RGBA) image.Image { return turnCW(m) }, 0.21, 0},
		{"turned 180", "khai-sinh-p1", func(m *image.RGBA) image.Image { return turnCW(turnCW(m)) }, 0.21, 0},
		{"turned 270", "dkdn-p1", func(m *image.RGBA) image.Image { return turnCW(turnCW(turnCW(m))) }, 0.21, 0},
		{"skewed 4", "khai-sinh-p1", func(m *image.RGBA) image.Image { return skewCW(m, 4) }, 0.21, 0},
		{"skewed -6", "dkdn-p1", func(m *image.RGBA) image.Image { return skewCW(m, -6) }, 0.14, 0},
		{"600 dpi", "khai-sinh-p1", func(m *image.RGBA) image.Image { return resample(m, 3) }, 0.21, 600},
	}
	e := newEngine(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.page, func(t *testing.T) {
			sp := pages[tt.page]
			var got, plain int
			var p *Page
			if tt.make == nil {
				got, plain, p = readBoth(t, e, sp.file, sp.ext, sp.dpi, sp.gt)
			} else {
				dpi := sp.dpi
				if tt.dpi != 0 {
					dpi = tt.dpi
				}
				got, plain, p = readImage(t, e, tt.make(sp.img), dpi, sp.gt)
			}
			n := float64(len([]rune(cer.Fold(sp.gt))))
			t.Logf("sohoa CER %.2f%% (before %.2f%%), plain %.2f%%; %+v, rotation %d, skew %.2f°",
				100*float64(got)/n, tt.before, 100*float64(plain)/n, p.Prep, p.Rotation, p.Skew)
			if 100*float64(got-1)/n > tt.before+0.005 {
				t.Errorf("CER %.2f%%, before %.2f%%", 100*float64(got)/n, tt.before)
			}
			if got > plain+plainSlack {
				t.Errorf("sohoa got %d characters wrong, plain tesseract %d", got, plain)
			}
		})
	}
}

// bilevel is the page as a G4 scan holds it: black and white, which
// image/png writes as a 1-bit image, as internal/scan does a G4 TIFF page.
func bilevel(src *image.RGBA) image.Image {
	b := src.Bounds()
	dst := image.NewPaletted(b, color.Palette{color.Black, color.White})
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := src.RGBAAt(x, y)
			if int(c.R)*30+int(c.G)*59+int(c.B)*11 >= 128*100 {
				dst.SetColorIndex(x, y, 1)
			}
		}
	}
	return dst
}

// resample scales img by f with a Catmull-Rom filter, as a scanner set
// to another resolution would see the page.
func resample(img *image.RGBA, f float64) *image.RGBA {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, int(float64(b.Dx())*f), int(float64(b.Dy())*f)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}
