package ocr

import (
	"fmt"
	"math"
	"slices"
)

const (
	// Leptonica searches ±skewSearch degrees, a little over the ±maxSkew we
	// correct, so that a page skewed by 10° is not at the edge of the
	// search, where Leptonica finds no maximum; below minSkewConf its
	// measurement is noise (Leptonica's own deskew uses the same limit),
	// and below minSkew a rotation would only blur.
	maxSkew     = 10.0
	skewSearch  = 12.0
	minSkewConf = 3.0
	minSkew     = 0.1
	// On a page with hand marks across the text a rotation changes how
	// Tesseract segments the marks and the lines they cross, for better or
	// worse page by page, so it must be shown to help. Below markedSkew it
	// cannot be (a rotation helped 9 of 21 marked samples, hurt 4, and
	// plain Tesseract lost no lines on any); from there on the copy is
	// rotated only when Tesseract's layout of the unrotated page has fewer
	// than collapsed of the deskewed copy's text lines: it has merged
	// lines, which costs 17–87 % CER.
	markedSkew = 1.5
	collapsed  = 0.85
)

// Marks: a connected component of dark pixels at least markSize times the
// page's median glyph height in both directions is no printed glyph (the
// tallest Vietnamese capitals with their diacritics reach twice the
// median); glyphs are components at least glyphInches tall; straight runs
// of ruleInches or more are ruled lines and are taken out first.
const (
	markSize    = 2.5
	glyphInches = 0.02
	ruleInches  = 0.4
)

// deskew measures the skew of the upright copy and rotates it when that
// helps. laidOut says the text engine holds the copy to read with its
// layout analysed.
func (e *Engine) deskew(c *copyInProgress) (laidOut bool, err error) {
	angle, conf, err := findSkew(c.measured(), skewSearch)
	a := math.Abs(angle)
	if err != nil || conf < minSkewConf || a < minSkew || a > maxSkew {
		return false, nil
	}
	c.prep.FoundSkew = angle
	marked := c.marked()
	if marked && a < markedSkew {
		return false, nil
	}
	rot, err := rotate(c.measured(), angle) // a grey copy either way
	if err != nil {
		return false, fmt.Errorf("ocr: deskew by %.2f°: %w", angle, err)
	}
	if marked {
		// The unrotated copy is laid out last: it is read more often.
		dpi := int(math.Round(c.dpi))
		c.prep.Lines[1] = e.lines(rot, dpi)
		c.prep.Lines[0] = e.lines(c.cur, dpi)
		if float64(c.prep.Lines[0]) >= collapsed*float64(c.prep.Lines[1]) {
			rot.destroy()
			return true, nil
		}
	}
	c.geom.skew = angle
	return false, c.replace(rot, nil)
}

// lines leaves p in the text engine with its layout analysed and returns
// the number of text lines found.
func (e *Engine) lines(p pix, dpi int) int {
	e.text.clear()
	e.text.setImage(p, dpi)
	return e.text.layoutLines()
}

// marks counts the components of p too large, in both directions, to be
// printed glyphs: pen strokes that join the glyphs they cross, pictures.
func marks(p pix, dpi int) int {
	comps := components(p, int(ruleInches*float64(dpi)))
	minH := max(int(glyphInches*float64(dpi)), 2)
	var hs []int
	for _, c := range comps {
		if c[1] >= minH {
			hs = append(hs, c[1])
		}
	}
	if len(hs) == 0 {
		return 0
	}
	slices.Sort(hs)
	size := markSize * float64(hs[len(hs)/2])
	n := 0
	for _, c := range comps {
		if float64(c[0]) >= size && float64(c[1]) >= size {
			n++
		}
	}
	return n
}
