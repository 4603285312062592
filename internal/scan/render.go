package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// RenderOptions say how Render draws born-digital pages.
type RenderOptions struct {
	// DPI is the resolution; zero means 300, what Tesseract reads best. A page that would come out
	// larger than Limits.MaxSide or MaxPixels is drawn at the highest resolution that fits.
	DPI float64
	// Color draws RGB, for thumbnails and people; the default is 8-bit grey, what OCR reads (and a
	// third of the size).
	Color bool
	// Pages are 1-based page numbers; empty means every page.
	Pages []int
}

const defaultRenderDPI = 300

// Render draws a PDF's pages with poppler's pdftoppm, one process per page, and returns them as
// lossless PNG page images (Page.Index is the page's 0-based number). It is for born-digital pages,
// whose archive copy is the PDF itself: the images only feed OCR and thumbnails.
//
// pdftoppm reads the PDF on stdin and writes a PGM or PPM on stdout (its PNG writer ignores -gray
// in the installed poppler 22.12, so grey PNGs are encoded here). In the worker this runs inside a
// scan child, whose memory limit pdftoppm inherits, and dies with it.
func Render(ctx context.Context, data []byte, lim Limits, opt RenderOptions) ([]Page, error) {
	boxes, err := pdfPageBoxes(ctx, data, lim)
	if err != nil {
		return nil, err
	}
	pages := opt.Pages
	if len(pages) == 0 {
		for n := range boxes {
			pages = append(pages, n+1)
		}
	}
	out := make([]Page, 0, len(pages))
	for _, n := range pages {
		if n < 1 || n > len(boxes) {
			return nil, fmt.Errorf("render page %d of a %d-page pdf", n, len(boxes))
		}
		p, err := renderPage(ctx, data, n, boxes[n-1], fitDPI(boxes[n-1], opt.DPI, lim), opt.Color, lim)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// pdfPageBoxes returns each page's MediaBox, width and height in points, as drawn (after /Rotate).
func pdfPageBoxes(c context.Context, data []byte, lim Limits) (boxes [][2]float64, err error) {
	if f, err := sniffWithin(data, lim); err != nil || f != PDF {
		return nil, fmt.Errorf("not a pdf (%s): %w", f, err)
	}
	defer recoverPDF(&boxes, &err)
	ctx, err := openPDF(c, data, lim)
	if err != nil {
		return nil, err
	}
	for i := range ctx.PageCount {
		_, _, inh, err := ctx.PageDict(i+1, false)
		if err != nil || inh == nil || inh.MediaBox == nil || inh.MediaBox.Width() <= 0 || inh.MediaBox.Height() <= 0 {
			return nil, badPDF(fmt.Errorf("page %d: no usable MediaBox (%v)", i+1, err))
		}
		w, h := inh.MediaBox.Width(), inh.MediaBox.Height()
		if inh.Rotate%180 != 0 {
			w, h = h, w
		}
		boxes = append(boxes, [2]float64{w, h})
	}
	return boxes, nil
}

// fitDPI lowers dpi until a page of box points fits the limits.
func fitDPI(box [2]float64, dpi float64, lim Limits) float64 {
	if dpi <= 0 {
		dpi = defaultRenderDPI
	}
	w, h := box[0]/72, box[1]/72 // inches
	if lim.MaxSide > 0 {
		dpi = min(dpi, float64(lim.MaxSide-1)/max(w, h))
	}
	if lim.MaxPixels > 0 {
		dpi = min(dpi, math.Sqrt(float64(lim.MaxPixels)/(w*h))*0.99)
	}
	return math.Floor(dpi*100) / 100
}

func renderPage(ctx context.Context, data []byte, n int, box [2]float64, dpi float64, color bool, lim Limits) (Page, error) {
	num := strconv.Itoa(n)
	args := []string{"-r", strconv.FormatFloat(dpi, 'f', -1, 64), "-f", num, "-l", num, "-singlefile"}
	if !color {
		args = append(args, "-gray")
	}
	maxOut := int64(64 << 20)
	if lim.MaxPixels > 0 {
		maxOut = 3*lim.MaxPixels + 1<<10 // a PPM of the largest page, and its header
	}
	pnm, err := runTool(ctx, lim, data, maxOut, "pdftoppm", append(args, "-")...)
	if err != nil {
		return Page{}, pageErr(n, err)
	}
	img, err := decodePNM(pnm)
	if err != nil {
		return Page{}, fmt.Errorf("render page %d: pdftoppm output: %w", n, err)
	}
	b := img.Bounds()
	if err := checkPixels(n-1, b.Dx(), b.Dy(), lim); err != nil {
		return Page{}, err
	}
	w, h := int(math.Round(box[0]*dpi/72)), int(math.Round(box[1]*dpi/72))
	if abs(b.Dx()-w) > 2 || abs(b.Dy()-h) > 2 {
		err := fmt.Errorf("pdftoppm drew page %d at %dx%d, not %dx%d", n, b.Dx(), b.Dy(), w, h)
		if b.Dx() == 1 && b.Dy() == 1 {
			// Splash draws a 1×1 page when it cannot allocate the page's bitmap, and exits 0.
			return Page{}, MemoryLimit(lim.Memory, err)
		}
		return Page{}, err
	}
	png, err := encodePNG(img)
	if err != nil {
		return Page{}, fmt.Errorf("encode rendered page %d as png: %w", n, err)
	}
	return Page{Index: n - 1, Image: png, Format: PNG, Width: b.Dx(), Height: b.Dy(), DPIX: dpi, DPIY: dpi}, nil
}

func abs(x int) int { return max(x, -x) }

// pageErr names the page in a tool's error meant for a person.
func pageErr(n int, err error) error {
	if ie, ok := err.(*InputError); ok {
		return &InputError{Code: ie.Code, Message: fmt.Sprintf("Trang %d: %s", n, ie.Message), Err: ie.Err}
	}
	return fmt.Errorf("page %d: %w", n, err)
}

// decodePNM reads the binary PGM (P5) or PPM (P6) with 255 levels that pdftoppm writes.
func decodePNM(b []byte) (image.Image, error) {
	var magic string
	var w, h, maxv int
	fields, rest := pnmHeader(b, 4)
	if len(fields) < 4 {
		return nil, fmt.Errorf("short pnm header")
	}
	magic = fields[0]
	w, _ = strconv.Atoi(fields[1])
	h, _ = strconv.Atoi(fields[2])
	maxv, _ = strconv.Atoi(fields[3])
	if w <= 0 || h <= 0 || maxv != 255 {
		return nil, fmt.Errorf("pnm %s %dx%d max %d", magic, w, h, maxv)
	}
	r := image.Rect(0, 0, w, h)
	switch magic {
	case "P5":
		if len(rest) < w*h {
			return nil, fmt.Errorf("pgm %dx%d has %d bytes", w, h, len(rest))
		}
		return &image.Gray{Pix: rest[:w*h], Stride: w, Rect: r}, nil
	case "P6":
		if len(rest) < 3*w*h {
			return nil, fmt.Errorf("ppm %dx%d has %d bytes", w, h, len(rest))
		}
		m := image.NewRGBA(r)
		for i := range w * h {
			copy(m.Pix[4*i:4*i+3], rest[3*i:3*i+3])
			m.Pix[4*i+3] = 0xff
		}
		return m, nil
	}
	return nil, fmt.Errorf("pnm magic %q", magic)
}

// pnmHeader splits the first n white-space separated header fields off b; the raster follows the
// single white-space byte after the last one.
func pnmHeader(b []byte, n int) (fields []string, rest []byte) {
	i := 0
	for len(fields) < n && i < len(b) {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i < len(b) && b[i] == '#' {
			for i < len(b) && b[i] != '\n' {
				i++
			}
			continue
		}
		start := i
		for i < len(b) && !isSpace(b[i]) {
			i++
		}
		if i > start {
			fields = append(fields, string(b[start:i]))
		}
	}
	return fields, b[min(i+1, len(b)):]
}

// maxText bounds the text pdftotext may give for a document: a million lines of full text, far above
// what 500 pages hold, so only a bomb reaches it.
const maxText = 64 << 20

// Text returns the text of each page of a PDF, from poppler's pdftotext -layout: poppler maps the
// PDF's fonts to Unicode (ToUnicode maps, CID fonts, standard encodings) the way viewers do, which
// Vietnamese with its stacked diacritics needs and no Go PDF library does as well; -layout keeps a
// form's labels and values, and a table's columns, on their lines, which search and field
// extraction read line by line. The text is NFC, so it compares equal to typed Vietnamese.
func Text(ctx context.Context, data []byte, lim Limits) ([]string, error) {
	boxes, err := pdfPageBoxes(ctx, data, lim)
	if err != nil {
		return nil, err
	}
	out, err := runTool(ctx, lim, data, maxText, "pdftotext", "-layout", "-enc", "UTF-8", "-", "-")
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	// pdftotext ends every page with a form feed.
	pages := strings.Split(strings.TrimSuffix(string(out), "\f"), "\f")
	if len(pages) != len(boxes) {
		return nil, fmt.Errorf("pdftotext gave %d pages of text for %d pages", len(pages), len(boxes))
	}
	for i, p := range pages {
		pages[i] = norm.NFC.String(p)
	}
	return pages, nil
}
