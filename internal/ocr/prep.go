package ocr

import (
	"fmt"
	"math"
)

const (
	oemDefault = 3 // OEM_DEFAULT: LSTM for vie/eng, legacy for osd
	psmAuto    = 3 // PSM_AUTO: layout analysis without Tesseract's own OSD
	// Ink dropout: a pixel is coloured ink when its channels differ by
	// inkChroma or more (paper tints and JPEG fringes of black text stay
	// under 32 on the samples, seal and ballpoint ink is over 100); the
	// page's ink is dropped when such pixels are minInkShare of it or more
	// (a 5 cm signature at 0.5 mm is 0.05 % of an A4 page). Dropping
	// paints over every pixel from inkEdge on (not the paper's tint) and
	// those within inkHaloInches of one, the ink's blurred edges;
	// chromaShare is how much of a pixel's chroma counts as light when
	// telling ink over paper from ink over print.
	inkChroma     = 64
	minInkShare   = 0.0002
	inkEdge       = 32
	inkHaloInches = 0.01
	chromaShare   = 50
	// Above maxDPI the copy is scaled to scaledDPI: Tesseract reads 300 dpi
	// text as well as 600 dpi, at a quarter of the pixels and memory.
	maxDPI    = 400
	scaledDPI = 300
	// minOrientConf is the OSD confidence needed to turn a page; upright
	// pages score far above it, and a wrong turn costs the whole page.
	minOrientConf = 2.0
	// a4ShortInches estimates the resolution of a page that declares none.
	a4ShortInches = 8.27
)

// configure sets what every page needs: full layout analysis. Everything
// else stays at Tesseract's defaults, so that a page no step applies to is
// read exactly as `tesseract IMG - -l vie` reads it.
func configure(t tess) {
	t.setPageSegMode(psmAuto)
}

// recCopy is the image Tesseract reads and how it was made.
type recCopy struct {
	pix  pix
	dpi  int
	geom geometry
	prep Prep
	// laidOut: the text engine already holds pix with its layout analysed
	// (the deskew decision left it so), and recognition reuses that layout.
	laidOut bool
}

// copyInProgress is the recognition copy as the steps make it: cur is the
// latest copy and the only one alive, but for probe: the grey twin of a
// colour cur, which orientation and skew are measured on (OSD takes a
// fifth less time on grey), nil when cur is grey itself.
type copyInProgress struct {
	cur, probe pix
	dpi        float64
	geom       geometry
	prep       Prep
	marksKnown bool
}

// measured is the copy to measure orientation, skew and marks on.
func (c *copyInProgress) measured() pix {
	if c.probe.p != nil {
		return c.probe
	}
	return c.cur
}

// replace makes p the current copy.
func (c *copyInProgress) replace(p pix, err error) error {
	if err != nil {
		return err
	}
	c.cur.destroy()
	c.cur = p
	return nil
}

// marked tells whether the current copy carries hand marks across its
// text, counting them the first time it is asked.
func (c *copyInProgress) marked() bool {
	if !c.marksKnown {
		c.prep.Marks, c.marksKnown = marks(c.measured(), int(math.Round(c.dpi))), true
	}
	return c.prep.Marks > 0
}

// prepare makes the recognition copy of a page, applying each step only
// where its detector says it helps (see the package doc): coloured ink
// dropped, at most maxDPI, upright, deskewed.
func (e *Engine) prepare(img []byte, dpi float64) (rc recCopy, err error) {
	if img, err = readable(img); err != nil {
		return rc, fmt.Errorf("ocr: %w", err)
	}
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
	c := copyInProgress{cur: src, dpi: resolution(dpi, src.xres(), w, h), geom: geometry{w0: w, h0: h, scale: 1}}
	defer func() {
		c.probe.destroy()
		if err != nil {
			c.cur.destroy()
		}
	}()
	// Tesseract removes a colour map itself; doing it first lets the ink
	// be measured and leaves what Tesseract gets unchanged.
	if err := c.replace(uncolourmapped(c.cur)); err != nil {
		return rc, fmt.Errorf("ocr: decode colour map: %w", err)
	}
	if err := c.dropInk(); err != nil {
		return rc, err
	}
	if err := c.scale(); err != nil {
		return rc, err
	}
	if err := c.greyUnlessMarked(); err != nil {
		return rc, err
	}
	c.geom.w1, c.geom.h1 = c.cur.size()
	dpiInt := int(math.Round(c.dpi))

	c.geom.quads = e.upright(c.measured(), dpiInt)
	if c.geom.quads != 0 {
		if err := c.turn(c.geom.quads); err != nil {
			return rc, fmt.Errorf("ocr: turn page upright: %w", err)
		}
	}
	c.geom.w2, c.geom.h2 = c.cur.size()

	laidOut, err := e.deskew(&c)
	if err != nil {
		return rc, err
	}
	c.geom.w3, c.geom.h3 = c.cur.size()
	return recCopy{pix: c.cur, dpi: dpiInt, geom: c.geom, prep: c.prep, laidOut: laidOut}, nil
}

// dropInk paints over coloured ink when there is enough of it to be a
// seal, a signature or a note.
func (c *copyInProgress) dropInk() error {
	c.prep.ColourInk = colouredShare(c.cur, inkChroma)
	if c.prep.ColourInk < minInkShare {
		return nil
	}
	halo := max(int(math.Round(inkHaloInches*c.dpi)), 1)
	if err := dropInk(c.cur, inkEdge, halo, chromaShare); err != nil {
		return fmt.Errorf("ocr: drop coloured ink: %w", err)
	}
	c.prep.InkDropped = true
	return nil
}

// scale brings a page over maxDPI down to scaledDPI, unless it carries
// hand marks: resampling changes how Tesseract segments them, for better
// or worse page by page, so a marked page is read as scanned.
func (c *copyInProgress) scale() error {
	if c.dpi <= maxDPI {
		return nil
	}
	small, err := scaleDown(c.cur, scaledDPI/c.dpi)
	if err != nil {
		return fmt.Errorf("ocr: scale %.0f dpi page: %w", c.dpi, err)
	}
	w0, _ := c.cur.size()
	w1, _ := small.size()
	f := float64(w1) / float64(w0)
	// Marks are counted on the small copy, at a fraction of the cost.
	prev, prevDPI := c.cur, c.dpi
	c.cur, c.dpi = small, c.dpi*f
	if c.marked() {
		c.cur, c.dpi = prev, prevDPI
		small.destroy()
		return nil
	}
	prev.destroy()
	c.geom.scale = f
	c.prep.Scaled = true
	return nil
}

// greyUnlessMarked makes the copy grey unless it carries hand marks. On
// an unmarked page grey reads as well as colour (every sample, turned,
// skewed or not, has the same CER either way) for 10 % less CPU and
// 100 MB less peak memory in the bench, and it is what scaling and
// rotation need: a resampled colour page loses characters to Tesseract's
// colour thresholding (dkdn skewed by 6°: 0.63 % CER against 0.14 %). A
// marked page stays in colour, which is what plain Tesseract reads.
func (c *copyInProgress) greyUnlessMarked() error {
	if c.cur.depth() != 32 {
		return nil
	}
	g, err := grey(c.cur)
	if err != nil {
		return fmt.Errorf("ocr: grey copy: %w", err)
	}
	c.probe = g
	if c.marked() {
		return nil
	}
	c.cur.destroy()
	c.cur, c.probe = g, pix{}
	return nil
}

// turn turns the copy (and its probe) by clockwise quarter turns.
func (c *copyInProgress) turn(quads int) error {
	if c.probe.p != nil {
		p, err := rotateOrth(c.probe, quads)
		if err != nil {
			return err
		}
		c.probe.destroy()
		c.probe = p
	}
	return c.replace(rotateOrth(c.cur, quads))
}

// upright returns the clockwise quarter turns that make the page upright,
// 0 when orientation detection is unsure or finds too little text.
func (e *Engine) upright(p pix, dpi int) int {
	e.osd.setImage(p, dpi)
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
