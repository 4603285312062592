package pdfa

import (
	"math"
	"slices"
)

const (
	// Below this angle (radians, ~0.3°) a line is drawn level: the drift
	// along even a full-width line stays within a fraction of a text line,
	// and level text is what every extractor handles best.
	minSkew = 0.005

	// A line's own fit is trusted only with enough words spread far
	// enough apart; shorter lines take the page's median angle, since the
	// centres of two short words differ by their ascenders and descenders
	// more than by the skew.
	minFitWords  = 3
	minFitSpread = 4 // times the median box height

	// Un-rotating a box divides by cos 2a; past this angle (~20°) the
	// boxes say too little about the word and the line is drawn level.
	maxSkew = 0.35
)

// wordFrame is a word box in PDF points: centre, width and height.
type wordFrame struct {
	cx, cy, w, h float64
}

func frames(g geometry, words []placedWord) []wordFrame {
	fs := make([]wordFrame, len(words))
	for i, w := range words {
		x0, x1 := g.x(w.box.Min.X), g.x(w.box.Max.X)
		top, bottom := g.y(w.box.Min.Y), g.y(w.box.Max.Y)
		fs[i] = wordFrame{cx: (x0 + x1) / 2, cy: (top + bottom) / 2, w: x1 - x0, h: top - bottom}
	}
	return fs
}

// fitSlope fits the line through the word box centres (least squares,
// dy/dx in points). The centre of an axis-aligned box around a rotated
// word is the word's own centre, so unlike the box edges it does not
// depend on how long the word is. ok is false when the line is too short
// for the fit to mean anything.
func fitSlope(fs []wordFrame) (slope float64, ok bool) {
	if len(fs) < minFitWords {
		return 0, false
	}
	var mx, my float64
	hs := make([]float64, len(fs))
	for i, f := range fs {
		mx += f.cx
		my += f.cy
		hs[i] = f.h
	}
	mx /= float64(len(fs))
	my /= float64(len(fs))
	var sxy, sxx, lo, hi float64 = 0, 0, math.Inf(1), math.Inf(-1)
	for _, f := range fs {
		dx := f.cx - mx
		sxy += dx * (f.cy - my)
		sxx += dx * dx
		lo, hi = min(lo, f.cx), max(hi, f.cx)
	}
	if hi-lo < minFitSpread*median(hs) || sxx == 0 {
		return 0, false
	}
	return sxy / sxx, true
}

// lineAngles returns each line's baseline angle (radians, counter-
// clockwise in PDF space): its own fit where that is reliable, otherwise
// the median of the page's reliable fits, which is the page's skew.
func lineAngles(fs [][]wordFrame) []float64 {
	slopes := make([]float64, len(fs))
	fitted := make([]bool, len(fs))
	var good []float64
	for i, f := range fs {
		slopes[i], fitted[i] = fitSlope(f)
		if fitted[i] {
			good = append(good, slopes[i])
		}
	}
	page := 0.0
	if len(good) > 0 {
		page = median(good)
	}
	angles := make([]float64, len(fs))
	for i := range fs {
		m := page
		if fitted[i] {
			m = slopes[i]
		}
		if a := math.Atan(m); math.Abs(a) >= minSkew && math.Abs(a) <= maxSkew {
			angles[i] = a
		}
	}
	return angles
}

// trueSize un-rotates an axis-aligned box of a word turned by angle a:
// the box has w = W·cos a + H·sin a and h = W·sin a + H·cos a. Boxes are
// whole pixels and OCR boxes are not exact, so the result is kept within
// sensible bounds rather than trusted when it comes out tiny or negative.
func trueSize(f wordFrame, a float64) (W, H float64) {
	s, c := math.Sincos(math.Abs(a))
	c2 := c*c - s*s
	W = (f.w*c - f.h*s) / c2
	H = (f.h*c - f.w*s) / c2
	return max(W, f.w/2), max(H, f.h/4)
}

// skewedLayout lays a skewed line out level, at the height of its fitted
// centre line halfway along it, with the words' true (un-rotated) median
// height as font size and each word's true width about its box centre.
//
// The text is deliberately not drawn along the slope: poppler (pdftotext,
// Evince, Okular) starts a new word whenever a glyph's baseline is more
// than 0.5 pt off the word's first glyph, so at 3° every word longer than
// about 10 pt falls apart and the pieces get sorted into other lines.
// Level lines stay whole and in order; the price is that a word near the
// end of a long line is highlighted up to half the line's drift away from
// where the scan shows it.
func skewedLayout(fs []wordFrame, a float64) lineLayout {
	hs := make([]float64, len(fs))
	spans := make([][2]float64, len(fs))
	var my float64
	for i, f := range fs {
		W, H := trueSize(f, a)
		hs[i] = H
		spans[i] = [2]float64{f.cx - W/2, f.cx + W/2}
		my += f.cy
	}
	my /= float64(len(fs))
	size := max(median(hs), 0.1)
	return lineLayout{baseline: my - size/2, size: size, spans: spans}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
