package pdfa

import (
	"fmt"
	"image"
	"math"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// rotatedLines lays lines out as the OCR of a page scanned turned by deg
// degrees (clockwise on screen for positive deg) reports them: each word's
// true rectangle turned about the page centre, then the axis-aligned box
// around it, in whole pixels. centres are the true word centres.
func rotatedLines(lines []string, deg float64) (out [][]Word, centres [][]image.Point) {
	const (
		x0, y0, step, height, charW, gap = 60, 300, 50, 34, 22, 26
		cx, cy                           = 1653 / 2, 2338 / 2
	)
	s, c := math.Sincos(deg * math.Pi / 180)
	turn := func(x, y float64) (float64, float64) {
		dx, dy := x-cx, y-cy
		return cx + c*dx - s*dy, cy + s*dx + c*dy
	}
	for i, l := range lines {
		x, y := float64(x0), float64(y0+i*step)
		var ws []Word
		var cs []image.Point
		for _, t := range strings.Fields(l) {
			w := float64(len([]rune(t)) * charW)
			minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
			for _, p := range [4][2]float64{{x, y}, {x + w, y}, {x, y + height}, {x + w, y + height}} {
				px, py := turn(p[0], p[1])
				minX, maxX = min(minX, px), max(maxX, px)
				minY, maxY = min(minY, py), max(maxY, py)
			}
			ws = append(ws, Word{Text: t, Box: image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY)))})
			mx, my := turn(x+w/2, y+height/2)
			cs = append(cs, image.Pt(int(mx), int(my)))
			x += w + gap
		}
		out = append(out, ws)
		centres = append(centres, cs)
	}
	return out, centres
}

func extent(ws []Word) image.Rectangle {
	r := ws[0].Box
	for _, w := range ws[1:] {
		r = r.Union(w.Box)
	}
	return r
}

func TestTrueSize(t *testing.T) {
	for _, deg := range []float64{-8, -3, -0.5, 0.5, 3, 8} {
		lines, _ := rotatedLines([]string{"Giấy chứng nhận đăng ký doanh nghiệp"}, deg)
		g := geometry{sx: 1, sy: 1, height: 2338}
		fs := frames(g, lineWords(textSpace{}, lines[0]))
		slope, ok := fitSlope(fs)
		if !ok {
			t.Fatalf("%g°: no fit", deg)
		}
		a := math.Atan(slope)
		// Image y runs down, PDF y up: a clockwise turn on screen is a
		// negative angle in PDF space.
		if want := -deg * math.Pi / 180; math.Abs(a-want) > 0.002 {
			t.Errorf("%g°: fitted %.4f rad, want %.4f", deg, a, want)
		}
		for i, f := range fs {
			W, H := trueSize(f, a)
			wantW := float64(len([]rune(lines[0][i].Text)) * 22)
			if math.Abs(W-wantW) > 2.5 || math.Abs(H-34) > 2.5 {
				t.Errorf("%g° word %d: true size %.1fx%.1f, want %gx34", deg, i, W, H, wantW)
			}
		}
	}
}

// TestSkewedLines: on a page turned by 3°, each line's axis-aligned boxes
// overlap the next line's, yet pdftotext must give the lines back in
// order, each word whole, with each word box at its true horizontal place
// and vertically within its line's drift (lines are drawn level, see
// skewedLayout).
func TestSkewedLines(t *testing.T) {
	text := []string{
		"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Độc lập - Tự do - Hạnh phúc",
		"Kính gửi: Ủy ban nhân dân phường Máy Chai",
		"Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn An",
		"Nơi cư trú: số 12 đường Lê Lợi, phường Máy Chai",
		"Số",
		"Giấy tờ tùy thân: Căn cước công dân số 031085012345 do Cục",
		"Quan hệ với người được khai sinh: cha; bản sao: 02 bản",
	}
	for _, deg := range []float64{3, -3, 1.2} {
		t.Run(fmt.Sprint(deg), func(t *testing.T) {
			lines, centres := rotatedLines(text, deg)
			if math.Abs(deg) >= 3 && extent(lines[0]).Max.Y <= extent(lines[1]).Min.Y {
				t.Fatal("test layout: line boxes do not overlap")
			}
			page := Page{Image: readScan(t, "khai-sinh.png"), Format: "png", DPIX: 200, DPIY: 200, Lines: lines}
			path := buildFile(t, []Page{page}, Metadata{})

			// Blank lines between blocks do not matter to a reader.
			var out []string
			for _, l := range strings.Split(testenv.Run(t, "pdftotext", path, "-"), "\n") {
				if l = strings.TrimSpace(strings.Trim(l, "\f")); l != "" {
					out = append(out, l)
				}
			}
			if got, want := strings.Join(out, "\n"), strings.Join(wantLines(page), "\n"); got != want {
				t.Errorf("pdftotext:\n%s\nwant\n%s", got, want)
			}
			got := parseBBox(t, testenv.Run(t, "pdftotext", "-bbox", path, "-"))
			var want []image.Point
			var band [][2]float64 // per word: its line's range of true centre y
			for _, cs := range centres {
				lo, hi := cs[0].Y, cs[0].Y
				for _, c := range cs {
					lo, hi = min(lo, c.Y), max(hi, c.Y)
				}
				for range cs {
					band = append(band, [2]float64{float64(lo) * 72 / 200, float64(hi) * 72 / 200})
				}
				want = append(want, cs...)
			}
			if len(got) != 1 || len(got[0]) != len(want) {
				t.Fatalf("bbox: %d words, want %d", len(got[0]), len(want))
			}
			const tol = 3.0 // points
			for i, w := range got[0] {
				x, y := (w.box[0]+w.box[2])/2, (w.box[1]+w.box[3])/2
				wx := float64(want[i].X) * 72 / 200
				if math.Abs(x-wx) > tol || y < band[i][0]-tol || y > band[i][1]+tol {
					t.Errorf("word %q centred at %.1f,%.1f pt, want x %.1f and y in %.1f..%.1f", w.text, x, y, wx, band[i][0], band[i][1])
				}
			}
		})
	}
}
