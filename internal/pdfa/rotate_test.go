package pdfa

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/pdfa/pdfatest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestBuildRotated archives khai-sinh.png scanned a quarter turn, a half
// turn and three quarters off, as the OCR reports it: the scan's own
// pixels, its word boxes on the scan, and the turn that makes it upright.
// On the page as shown, the text must read as on the upright page, the
// words sit where the upright page has them, and the page look like the
// upright one. The resolution differs across and down the page, so a
// quarter turn that forgot to swap them would show.
func TestBuildRotated(t *testing.T) {
	upright, err := png.Decode(bytes.NewReader(readScan(t, "khai-sinh.png")))
	if err != nil {
		t.Fatal(err)
	}
	const dpiX, dpiY = 200, 150 // of the upright page
	size := upright.Bounds().Size()
	lines := gridLines(testLines, 150, 200, 80, 60, 28, 30)
	page := func(quads int) Page {
		// The scan is the upright page turned back by quads.
		back := (4 - quads) % 4
		turned := textSpace{quads: back, size: size}
		scan := Page{Format: "png", DPIX: dpiX, DPIY: dpiY, Rotate: 90 * quads}
		if quads%2 == 1 {
			scan.DPIX, scan.DPIY = dpiY, dpiX
		}
		img := upright
		if quads != 0 {
			img = pdfatest.Turn(upright, back)
		}
		scan.Image = encodePNG(t, img)
		for _, l := range lines {
			var ws []Word
			for _, w := range l {
				ws = append(ws, Word{Text: w.Text, Box: turned.box(w.Box)})
			}
			scan.Lines = append(scan.Lines, ws)
		}
		return scan
	}
	dir := t.TempDir()
	write := func(name string, p Page) string {
		data := buildBytes(t, []Page{p}, testMeta())
		if err := Check(data); err != nil {
			t.Fatalf("%s: Check: %v", name, err)
		}
		path := filepath.Join(dir, name+".pdf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	reference := render(t, write("upright", page(0)))
	shownW, shownH := float64(size.X)/dpiX*72, float64(size.Y)/dpiY*72

	for _, quads := range []int{1, 2, 3} {
		t.Run(fmt.Sprint(90*quads), func(t *testing.T) {
			p := page(quads)
			path := write(fmt.Sprint(90*quads), p)
			verapdf(t, path)

			info := testenv.Run(t, "pdfinfo", "-f", "1", "-l", "1", path)
			if !regexp.MustCompile(fmt.Sprintf(`Page\s+1 rot:\s+%d\b`, 90*quads)).MatchString(info) {
				t.Errorf("pdfinfo does not show /Rotate %d:\n%s", 90*quads, info)
			}
			// The MediaBox is the scan's; the page as shown is the upright one.
			w, h := pageSize(t, info, 1)
			bw, bh := shownW, shownH
			if quads%2 == 1 {
				bw, bh = shownH, shownW
			}
			if math.Abs(w-bw) > 0.01 || math.Abs(h-bh) > 0.01 {
				t.Errorf("MediaBox %gx%g pt, want the scan's %gx%g", w, h, bw, bh)
			}

			text := testenv.Run(t, "pdftotext", path, "-")
			var got []string
			for _, l := range strings.Split(strings.Trim(text, "\f\n "), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					got = append(got, l)
				}
			}
			if want := wantLines(Page{Lines: lines}); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("pdftotext:\n%q\nwant\n%q", got, want)
			}

			words := parseBBox(t, testenv.Run(t, "pdftotext", "-bbox", path, "-"))[0]
			var want []Word
			for _, l := range lines {
				want = append(want, l...)
			}
			if len(words) != len(want) {
				t.Fatalf("%d words, want %d", len(words), len(want))
			}
			for i, w := range want {
				r := [4]float64{float64(w.Box.Min.X) / dpiX * 72, float64(w.Box.Min.Y) / dpiY * 72,
					float64(w.Box.Max.X) / dpiX * 72, float64(w.Box.Max.Y) / dpiY * 72}
				for k := range r {
					if math.Abs(words[i].box[k]-r[k]) > 2 {
						t.Errorf("word %q at %v on the page as shown, want %v", words[i].text, words[i].box, r)
						break
					}
				}
			}

			shown := render(t, path)
			// Resampling a scan at 20 dpi from another corner moves edges by
			// a fraction of a pixel (about 3 grey levels on average); the
			// same page upside down is off by about 18.
			same, flipped := meanDiff(shown, reference), meanDiff(pdfatest.Turn(shown, 2), reference)
			if same > 6 || flipped < 3*same {
				t.Errorf("rendered page differs from the upright one by %.1f grey levels on average, upside down by %.1f", same, flipped)
			}

			cfg, err := png.DecodeConfig(bytes.NewReader(p.Image))
			if err != nil {
				t.Fatal(err)
			}
			list := testenv.Run(t, "pdfimages", "-list", path)
			if rows := imageRows(list); len(rows) != 1 || rows[0][3] != fmt.Sprint(cfg.Width) || rows[0][4] != fmt.Sprint(cfg.Height) {
				t.Errorf("page image is not the scan as it is (%dx%d):\n%s", cfg.Width, cfg.Height, list)
			}
		})
	}
}

// render rasterises page 1 in grey at 20 dpi.
func render(t *testing.T, path string) *image.Gray {
	t.Helper()
	out := filepath.Join(t.TempDir(), "page")
	testenv.Run(t, "pdftoppm", "-r", "20", "-gray", "-png", "-singlefile", path, out)
	f, err := os.ReadFile(out + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

// meanDiff is the mean absolute difference of two grey images over the
// area they share (pdftoppm may round a page's size either way).
func meanDiff(a image.Image, b *image.Gray) float64 {
	r := a.Bounds().Intersect(b.Bounds())
	if r.Empty() || r.Dx() < b.Bounds().Dx()-1 || r.Dy() < b.Bounds().Dy()-1 {
		return math.Inf(1)
	}
	var sum float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			ga, _, _, _ := a.At(x, y).RGBA()
			sum += math.Abs(float64(ga>>8) - float64(b.GrayAt(x, y).Y))
		}
	}
	return sum / float64(r.Dx()*r.Dy())
}
