package sign

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// A page shown turned (/Rotate) gets the block at the top right of the
// page as shown, reading upright there, clear of words given in the
// page's own unturned space.
func TestBlockTopRightRotated(t *testing.T) {
	s, _ := devSigner(t)
	dir := t.TempDir()
	plain := writeTemp(t, "plain.pdf", testPDF(0))
	for _, tc := range []struct {
		rotate int
		avoid  []Rect     // in the page's own space
		clear  [4]float64 // the same region on the page as shown, pdftotext's top-left origin
	}{
		{rotate: 90},
		{rotate: 180},
		{rotate: 270},
		// The title band at the top right as shown is the left edge's top
		// of the unturned page.
		{rotate: 90, avoid: []Rect{{0, 742, 60, 842}}, clear: [4]float64{742, 0, 842, 60}},
		{rotate: 270, avoid: []Rect{{535, 0, 595, 100}}, clear: [4]float64{742, 0, 842, 60}},
	} {
		t.Run(fmt.Sprint(tc.rotate, len(tc.avoid)), func(t *testing.T) {
			turned := filepath.Join(dir, fmt.Sprintf("turned%d-%d.pdf", tc.rotate, len(tc.avoid)))
			testenv.Run(t, "qpdf", plain, turned, fmt.Sprintf("--rotate=+%d:1", tc.rotate))
			signer := *s
			signer.Block, signer.Clock = &Block{Avoid: tc.avoid}, fixedClock
			path := writeTemp(t, "signed.pdf", sign(t, &signer, readFile(t, turned)))

			shownW, shownH := 595.0, 842.0
			if tc.rotate%180 != 0 {
				shownW, shownH = shownH, shownW
			}
			words := map[string][4]float64{}
			var order []string
			for _, m := range wordRE.FindAllStringSubmatch(testenv.Run(t, "pdftotext", "-bbox", path, "-"), -1) {
				var box [4]float64
				for i := range box {
					box[i], _ = strconv.ParseFloat(m[i+1], 64)
				}
				words[m[5]] = box
				order = append(order, m[5])
			}
			// Upright text: the form's words come out whole and in order.
			if got := strings.Join(order, " "); !strings.Contains(got, "BẢN SAO ĐIỆN TỬ") || !strings.Contains(got, "2026-11-27T16:20:00+07:00") {
				t.Errorf("pdftotext reads %q", got)
			}
			for _, w := range []string{"BẢN", "ĐIỆN", "2026-11-27T16:20:00+07:00"} {
				box, ok := words[w]
				if !ok {
					t.Fatalf("%q not found", w)
				}
				if box[0] < shownW/2 || box[3] > shownH/4 {
					t.Errorf("%q at %v, not in the top right quarter of the %gx%g page as shown", w, box, shownW, shownH)
				}
				if h := box[3] - box[1]; h < 9 || h > 13 {
					t.Errorf("%q is %.1f pt high: not upright size 10", w, h)
				}
				if c := tc.clear; c != [4]float64{} && box[0] < c[2] && c[0] < box[2] && box[1] < c[3] && c[1] < box[3] {
					t.Errorf("%q at %v covers the words at %v", w, box, c)
				}
			}
			if d := words["2026-11-27T16:20:00+07:00"]; math.Abs(shownW-DefaultMargin-blockPad-d[2]) > 3 && tc.avoid == nil {
				t.Errorf("time ends at %.1f, want the right margin at %.1f", d[2], shownW-DefaultMargin-blockPad)
			}
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
