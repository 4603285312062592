package ocr

import (
	"fmt"
	"math"
)

const (
	oemDefault  = 3 // OEM_DEFAULT: LSTM for vie/eng, legacy for osd
	psmAuto     = 3 // PSM_AUTO: layout analysis without Tesseract's own OSD
	chromaShare = 50
	// Above maxDPI the copy is scaled to scaledDPI: Tesseract reads 300 dpi
	// text as well as 600 dpi, at a quarter of the pixels and memory.
	maxDPI    = 400
	scaledDPI = 300
	// Skew: Leptonica searches ±maxSkew degrees; below minSkew a rotation
	// would only blur, and below minSkewConf its measurement is noise
	// (Leptonica's own deskew uses the same two limits).
	maxSkew     = 10.0
	minSkew     = 0.1
	minSkewConf = 3.0
	// minOrientConf is the OSD confidence needed to turn a page; upright
	// pages score far above it, and a wrong turn costs the whole page.
	minOrientConf = 2.0
	// a4ShortInches estimates the resolution of a page that declares none.
	a4ShortInches = 8.27
)

// configure sets what every page needs: full layout analysis, and no
// second pass over inverted lines (white on black does not occur on our
// papers, and that pass costs time on every line Tesseract doubts).
func configure(t tess) error {
	t.setPageSegMode(psmAuto)
	return t.setVariable("tessedit_do_invert", "0")
}

// recCopy is the image Tesseract reads and how it was made.
type recCopy struct {
	pix  pix
	dpi  int
	geom geometry
}

// prepare makes the recognition copy of a page: grey without coloured
// ink, at most maxDPI, upright, deskewed.
func (e *Engine) prepare(img []byte, dpi float64) (rc recCopy, err error) {
	w, h, err := readHeader(img)
	if err != nil {
		return rc, fmt.Errorf("ocr: read page image header: %w", err)
	}
	if int64(w)*int64(h) > e.opts.MaxPixels {
		return rc, fmt.Errorf("ocr: page image %d×%d has more than %d pixels", w, h, e.opts.MaxPixels)
	}
	src, err := readPix(img)
	if err != nil {
		return rc, fmt.Errorf("ocr: read %d×%d page image: %w", w, h, err)
	}
	grey, err := inkless(src, chromaShare)
	res := src.xres()
	src.destroy()
	if err != nil {
		return rc, fmt.Errorf("ocr: drop coloured ink: %w", err)
	}
	// From here on grey is always the latest copy and the only one alive.
	defer func() {
		if err != nil {
			grey.destroy()
		}
	}()
	replace := func(p pix, err error) error {
		if err != nil {
			return err
		}
		grey.destroy()
		grey = p
		return nil
	}

	g := geometry{w0: w, h0: h, scale: 1}
	d := resolution(dpi, res, w, h)
	if d > maxDPI {
		if err := replace(scaleDown(grey, scaledDPI/d)); err != nil {
			return rc, fmt.Errorf("ocr: scale %.0f dpi page: %w", d, err)
		}
		w1, _ := grey.size()
		g.scale = float64(w1) / float64(w)
		d *= g.scale
	}
	g.w1, g.h1 = grey.size()
	dpiInt := int(math.Round(d))

	g.quads = e.upright(grey, dpiInt)
	if g.quads != 0 {
		if err := replace(rotateOrth(grey, g.quads)); err != nil {
			return rc, fmt.Errorf("ocr: turn page upright: %w", err)
		}
	}
	g.w2, g.h2 = grey.size()

	if angle, conf, err := findSkew(grey, maxSkew); err == nil && conf >= minSkewConf && math.Abs(angle) >= minSkew {
		if err := replace(rotate(grey, angle)); err != nil {
			return rc, fmt.Errorf("ocr: deskew by %.2f°: %w", angle, err)
		}
		g.skew = angle
	}
	g.w3, g.h3 = grey.size()
	return recCopy{pix: grey, dpi: dpiInt, geom: g}, nil
}

// upright returns the clockwise quarter turns that make the page upright,
// 0 when orientation detection is unsure or finds too little text.
func (e *Engine) upright(grey pix, dpi int) int {
	e.osd.setImage(grey, dpi)
	defer e.osd.clear()
	deg, conf, ok := e.osd.orientation()
	if !ok || conf < minOrientConf {
		return 0
	}
	// Tesseract reports the page's own rotation clockwise; undoing it
	// takes the remaining quarter turns clockwise.
	return (4 - deg/90%4) % 4
}

// resolution prefers the caller's value, then the file's, then an
// estimate from the pixel size assuming A4.
func resolution(given float64, fromFile, w, h int) float64 {
	plausible := func(d float64) bool { return d >= 70 && d <= 1200 }
	switch {
	case plausible(given):
		return given
	case plausible(float64(fromFile)):
		return float64(fromFile)
	}
	return math.Min(math.Max(float64(min(w, h))/a4ShortInches, 70), 1200)
}
