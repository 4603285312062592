package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"time"

	"github.com/otiai10/gosseract/v2"
)

// Word is one recognized word.
type Word struct {
	Text string
	Box  image.Rectangle // pixels of the original page image, origin top-left
	Conf float64         // 0..100
}

// Line is one text line, words left to right.
type Line struct {
	Words []Word
	Box   image.Rectangle
	// Paragraph numbers the paragraphs of the page from 0 in reading
	// order; Text separates consecutive paragraphs with a blank line.
	Paragraph int
}

// Page is the recognized content of one page image.
type Page struct {
	Width, Height int // of the original page image
	Lines         []Line
	// Text is the lines joined with \n, paragraphs and blocks separated by
	// a blank line, NFC normalised.
	Text       string
	Confidence float64 // mean word confidence, 0..100
	// Rotation is the clockwise turn (0, 90, 180, 270 degrees) and Skew the
	// further clockwise rotation in degrees that made the recognition copy
	// upright; boxes are nevertheless in the original image's coordinates.
	Rotation int
	Skew     float64
	DPI      int // resolution Tesseract was told, after any scaling
	Prep     Prep
}

// Prep tells how the recognition copy was made: what each step's detector
// measured and which steps were applied (Rotation, Skew and DPI above say
// the rest).
type Prep struct {
	// ColourInk is the share of pixels (0..1) that are coloured ink;
	// InkDropped says it was enough for the ink to be dropped.
	ColourInk  float64
	InkDropped bool
	Scaled     bool    // the page was over 400 dpi and read at 300
	FoundSkew  float64 // degrees Leptonica measured; Skew is what was applied
	// Marks counts what is too large to be print (pen strokes joined to
	// the glyphs they cross, pictures), where it was counted: colour pages,
	// pages over 400 dpi and skewed ones. Lines are the text lines
	// Tesseract's layout found on the unrotated and on the deskewed copy
	// of a marked page skewed enough for the two to be compared.
	Marks int
	Lines [2]int
}

// Options tune an Engine; the zero value of each field means its default.
type Options struct {
	// Languages for Tesseract, default "vie" alone: with "vie+eng" the eng
	// model wins some capitalised Vietnamese lines and drops their
	// diacritics ("CONG HOA XA HOI CHU NGHIA" on testdata/scans/dkdn.jpg),
	// while vie reads the Latin letters of English names well enough.
	Languages []string
	// PageTimeout bounds recognition of one page (default 3 minutes, some
	// 50 times a normal page) so a pathological image cannot hold a worker.
	PageTimeout time.Duration
	// MaxPixels refuses larger images before decoding (default 150 million,
	// as internal/scan).
	MaxPixels int64
}

const (
	defaultLanguage  = "vie"
	defaultTimeout   = 3 * time.Minute
	defaultMaxPixels = 150_000_000
)

// ErrTimeout is returned (wrapped) when a page exceeds PageTimeout.
var ErrTimeout = errors.New("ocr: page timed out")

// Engine holds one Tesseract instance for text and one for orientation.
// It is not safe for concurrent use: a worker keeps one per goroutine and
// reuses it across pages, because loading the vie model costs a large
// part of a page's time.
type Engine struct {
	text, osd tess
	opts      Options
	cancel    cancelFlag
}

// NewEngine loads the given Tesseract languages (default "vie", see
// Options.Languages) with default options.
func NewEngine(languages ...string) (*Engine, error) {
	return NewEngineWith(Options{Languages: languages})
}

// NewEngineWith loads the models now, so that a missing one points at the
// deployment rather than at some page.
func NewEngineWith(o Options) (*Engine, error) {
	if len(o.Languages) == 0 {
		o.Languages = []string{defaultLanguage}
	}
	if o.PageTimeout <= 0 {
		o.PageTimeout = defaultTimeout
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = defaultMaxPixels
	}
	langs := strings.Join(o.Languages, "+")
	text, err := newTess(langs, oemDefault)
	if err != nil {
		avail, _ := gosseract.GetAvailableLanguages()
		return nil, fmt.Errorf("ocr: load %s (installed: %v): %w", langs, avail, err)
	}
	configure(text)
	osd, err := newTess("osd", oemDefault)
	if err != nil {
		text.end()
		return nil, fmt.Errorf("ocr: load orientation model: %w", err)
	}
	return &Engine{text: text, osd: osd, opts: o, cancel: newFlag()}, nil
}

// Recognize runs OCR on one page image (PNG, JPEG or TIFF bytes), taking
// the resolution from the image header or, when absent, estimating it.
func (e *Engine) Recognize(ctx context.Context, img []byte) (*Page, error) {
	return e.RecognizeDPI(ctx, img, 0)
}

// RecognizeDPI is Recognize with the resolution known to the caller
// (scan.Page.DPIX); dpi ≤ 0 means unknown. Cancelling ctx stops Tesseract
// within a word or so.
func (e *Engine) RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.text.api == nil {
		return nil, errors.New("ocr: engine is closed")
	}
	rc, err := e.prepare(img, dpi)
	if err != nil {
		return nil, err
	}
	defer rc.pix.destroy()

	defer e.text.clear()
	if !rc.laidOut {
		e.text.setImage(rc.pix, rc.dpi)
	}
	if err := e.run(ctx); err != nil {
		return nil, err
	}
	page := collect(e.text, rc.geom)
	page.Rotation, page.Skew, page.DPI, page.Prep = rc.geom.quads*90, rc.geom.skew, rc.dpi, rc.prep
	return page, nil
}

// run recognises the image set, within the page timeout and until ctx is
// cancelled.
func (e *Engine) run(ctx context.Context) error {
	e.cancel.set(false)
	m := newMonitor(e.cancel, int(e.opts.PageTimeout/time.Millisecond))
	defer m.delete()
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		e.cancel.set(true)
		close(fired)
	})
	start := time.Now()
	ok := e.text.recognize(m)
	if !stop() {
		<-fired // the flag must not be set late, on the next page
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ocr: recognition interrupted: %w", err)
	}
	if d := time.Since(start); d >= e.opts.PageTimeout {
		return fmt.Errorf("%w after %v", ErrTimeout, d.Round(time.Millisecond))
	}
	if !ok {
		return errors.New("ocr: tesseract recognition failed")
	}
	return nil
}

// Close releases the Tesseract instances. The engine is unusable after.
func (e *Engine) Close() error {
	e.text.end()
	e.osd.end()
	e.cancel.free()
	return nil
}
