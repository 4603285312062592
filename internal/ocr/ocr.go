// Package ocr recognizes the text of one page image with Tesseract,
// returning words and lines with their boxes and confidences as well as
// the plain text that indexing and coding work from.
//
// Tesseract parallelises inside a page with OpenMP, which only fights with
// our own one-page-per-worker parallelism: the process running workers
// must set OMP_THREAD_LIMIT=1 in its environment before the first page
// (Tesseract reads it once, so setting it from Go later has no effect).
//
// Known defects of gosseract v2.4.1, to be replaced by our own cgo layer:
//   - HOCRText never frees the C string Tesseract returns, so every page
//     leaks its hOCR (tens of kilobytes).
//   - Loading the model redirects the process's stderr into a 512-byte
//     buffer via setbuf (which assumes BUFSIZ bytes) for the duration of
//     Init; anything another goroutine writes to stderr meanwhile is lost.
//   - Recognition cannot be interrupted: a context cancelled mid-page is
//     only noticed before the next page.
package ocr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // page images are JPEG or PNG
	_ "image/png"
	"slices"

	"github.com/otiai10/gosseract/v2"
)

// Word is one recognized word.
type Word struct {
	Text string
	Box  image.Rectangle // pixels, origin top-left
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
	Width, Height int
	Lines         []Line
	// Text is the lines joined with \n, paragraphs and blocks separated by
	// a blank line, NFC normalised.
	Text       string
	Confidence float64 // mean word confidence, 0..100
}

// Engine wraps one Tesseract instance. It is not safe for concurrent use:
// a worker keeps one per goroutine and reuses it across pages, because
// loading the vie model costs a large part of a page's time.
type Engine struct {
	client *gosseract.Client
}

// NewEngine prepares an engine for the given Tesseract languages
// (default "vie", "eng": our documents quote English names and terms often
// enough to be worth the second model). The models load on the first page.
func NewEngine(languages ...string) (*Engine, error) {
	if len(languages) == 0 {
		languages = []string{"vie", "eng"}
	}
	// gosseract only notices a missing model when it first recognizes;
	// failing here points at the deployment instead of at some page.
	avail, err := gosseract.GetAvailableLanguages()
	if err != nil {
		return nil, fmt.Errorf("list tesseract languages: %w", err)
	}
	for _, l := range languages {
		if !slices.Contains(avail, l) {
			return nil, fmt.Errorf("tesseract language %q not installed (have %v)", l, avail)
		}
	}
	c := gosseract.NewClient()
	if err := c.SetLanguage(languages...); err != nil {
		c.Close()
		return nil, fmt.Errorf("set tesseract languages %v: %w", languages, err)
	}
	if err := c.SetPageSegMode(gosseract.PSM_AUTO); err != nil {
		c.Close()
		return nil, fmt.Errorf("set tesseract page segmentation mode: %w", err)
	}
	return &Engine{client: c}, nil
}

// Recognize runs OCR on one page image (PNG or JPEG bytes). ctx is only
// checked before starting: Tesseract cannot be interrupted through
// gosseract.
func (e *Engine) Recognize(ctx context.Context, img []byte) (*Page, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.client == nil {
		return nil, errors.New("ocr engine is closed")
	}
	// Leptonica would accept more formats and fail on bad data with a null
	// image that Tesseract does not check for; validate first.
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		return nil, fmt.Errorf("read page image header: %w", err)
	}
	if format != "png" && format != "jpeg" {
		return nil, fmt.Errorf("page image is %s, want png or jpeg", format)
	}
	if err := e.client.SetImageFromBytes(img); err != nil {
		return nil, fmt.Errorf("load page image into tesseract: %w", err)
	}
	// One recognition pass: Text() and GetBoundingBoxes() would each run
	// recognition again, while hOCR carries text, boxes and confidences.
	hocr, err := e.client.HOCRText()
	if err != nil {
		return nil, fmt.Errorf("tesseract recognition: %w", err)
	}
	page, err := parseHOCR(hocr)
	if err != nil {
		return nil, fmt.Errorf("parse tesseract hocr: %w", err)
	}
	page.Width, page.Height = cfg.Width, cfg.Height
	return page, nil
}

// Close releases the Tesseract instance. The engine is unusable after.
func (e *Engine) Close() error {
	if e.client == nil {
		return nil
	}
	err := e.client.Close()
	e.client = nil
	return err
}
