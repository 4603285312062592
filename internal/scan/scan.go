// Package scan turns an uploaded original (JPEG, PNG, TIFF or PDF) into
// page images ready for OCR and archiving. It is the ingest gate: anything
// the sender got wrong (empty, truncated, oversized, encrypted, not a scan)
// is refused here with an *InputError that explains the problem in
// Vietnamese, so the later, costlier stages only ever see well-formed pages.
//
// Inspect tells, before splitting, what a file is: a scan (one image per
// page, which Split takes apart) or a born-digital PDF (text and vector
// graphics, which Render draws and Text reads), and whether it is signed.
//
// Everything here that parses untrusted bytes beyond header sniffing can be
// made to crash (Leptonica, libtiff, poppler) or to allocate without bound;
// in the worker it runs in child processes (package scan/cage, a Parser),
// and the functions of this package run in process only in tests and
// command-line tools (InProcess).
package scan

import (
	"bytes"
	"context"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/sheet"
)

// Format of an original or a page image.
type Format string

// Formats accepted as originals; only JPEG and PNG are produced as pages.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	TIFF Format = "tiff"
	PDF  Format = "pdf"
)

// Limits bound what ingest accepts. A zero field is no limit.
type Limits struct {
	MaxBytes  int64 // size of the original file
	MaxPixels int64 // per page, checked from headers before decoding
	// MaxSide bounds a page image's width and height, checked from headers:
	// Tesseract 5.3 refuses anything over 32767 ("Image too large").
	MaxSide  int
	MaxPages int
	// MaxDecoded bounds what a PDF's content streams and colour tables may
	// inflate to, all together, and each object stream pdfcpu inflates while
	// reading; page image samples are bounded by MaxPixels, page by page.
	MaxDecoded int64
	// Memory is what the parser may allocate (a scan child's RLIMIT_DATA,
	// which cage sets). A page Go would decode is refused with
	// CodeMemoryLimit, from its header and before a byte of it is decoded,
	// when its pixels would not fit in it beside the file (checkDecode). The
	// kernel's limit does not cover that case on its own: Linux weighs a
	// writable mapping laid over a reservation by how much it grows the
	// address space, nothing, and Go's runtime lays its heap over its own
	// reservations, so one allocation of a whole image can pass the limit.
	// Leptonica's and poppler's mallocs map fresh memory, which the limit
	// does refuse.
	Memory int64
}

// TesseractMaxSide is the longest page side Tesseract 5.3.0 reads: it fails
// pages of 32768 pixels or more with "Image too large" (checked on the
// installed tesseract with a 32767- and a 32768-pixel-wide page).
const TesseractMaxSide = 32767

// DefaultLimits fits the largest real originals (A3 at 600 dpi in colour is
// about 70 megapixels) with room to spare, while keeping a decoded page well
// under a gigabyte of memory.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:   200 << 20,
		MaxPixels:  150_000_000,
		MaxSide:    TesseractMaxSide,
		MaxPages:   500,
		MaxDecoded: 256 << 20,
	}
}

// Splitter splits an original into page images; see Split.
type Splitter interface {
	Split(ctx context.Context, data []byte, lim Limits) ([]Page, error)
}

// Parser is everything ingest asks of an untrusted file. The worker's is a
// pool of child processes (package scan/cage); InProcess runs in process.
type Parser interface {
	Splitter
	Inspect(ctx context.Context, data []byte, lim Limits) (Inspection, error)
	Render(ctx context.Context, data []byte, lim Limits, opt RenderOptions) ([]Page, error)
	Text(ctx context.Context, data []byte, lim Limits) ([]string, error)
}

// InProcess is the Parser that runs in the calling process: a crash in a
// decoder takes the process down, and a cancelled context is noticed only
// between pages. For tests and command-line tools, not for the worker.
type InProcess struct{}

func (InProcess) Split(ctx context.Context, data []byte, lim Limits) ([]Page, error) {
	return Split(ctx, data, lim)
}

func (InProcess) Inspect(ctx context.Context, data []byte, lim Limits) (Inspection, error) {
	return Inspect(ctx, data, lim)
}

func (InProcess) Render(ctx context.Context, data []byte, lim Limits, opt RenderOptions) ([]Page, error) {
	return Render(ctx, data, lim, opt)
}

func (InProcess) Text(ctx context.Context, data []byte, lim Limits) ([]string, error) {
	return Text(ctx, data, lim)
}

// Page is one page image ready for OCR and for the archive PDF.
type Page struct {
	Index int // 0-based
	// Image is the encoded page. JPEG sources (a JPEG file or a PDF page's
	// DCTDecode stream) are passed through byte for byte so the archive
	// never loses quality to a second compression; PNG files are passed
	// through as well; everything else is losslessly re-encoded as PNG.
	Image         []byte
	Format        Format // JPEG or PNG
	Width, Height int    // pixels
	// DPIX, DPIY come from the file (JFIF/EXIF, pHYs, TIFF tags, or image
	// pixels over the PDF MediaBox); when missing or outside 72..1200 they
	// are estimated from the pixel size assuming an A4 page.
	DPIX, DPIY float64
	// Sheet is the sohoa cover or separator sheet the page is (package
	// sheet), which ingest splits the file at and leaves out of the archive;
	// nil for an ordinary page. Split fills it; Render's pages are
	// born-digital, never a scanned sheet, and keep it nil.
	Sheet *sheet.Sheet
}

// Sniff identifies the format from the first bytes (magic numbers, never
// the file name, which senders get wrong all the time).
func Sniff(head []byte) (Format, error) {
	switch {
	case len(head) == 0:
		return "", inputErr(CodeEmpty, "Tệp rỗng (0 byte).", nil)
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF, nil
	}
	// The PDF header may legally be preceded by junk within the first KB.
	if i := bytes.Index(head[:min(len(head), 1024)], []byte("%PDF-")); i >= 0 {
		return PDF, nil
	}
	return "", inputErr(CodeUnsupportedType,
		"Định dạng tệp không được hỗ trợ; chỉ nhận ảnh JPEG, PNG, TIFF hoặc tệp PDF.", nil)
}

// Split validates data and returns its pages, each marked with the sohoa
// sheet it is, if any (Page.Sheet). Every failure due to the input is an
// *InputError; any other error is an internal fault worth retrying or
// reporting. ctx is looked at between pages: code in the middle of decoding a
// page cannot be interrupted, which is why the worker splits in a child
// process that it kills instead.
func Split(ctx context.Context, data []byte, lim Limits) ([]Page, error) {
	return split(ctx, data, lim, true)
}

// split is Split, looking for sheets or not: the benchmark of what finding
// them costs compares the two.
func split(ctx context.Context, data []byte, lim Limits, findSheets bool) ([]Page, error) {
	f, err := sniffWithin(data, lim)
	if err != nil {
		return nil, err
	}
	var pages []Page
	switch f {
	case JPEG:
		var p Page
		p, err = splitJPEG(data, lim)
		pages = []Page{p}
	case PNG:
		var p Page
		p, err = splitPNG(data, lim)
		pages = []Page{p}
	case TIFF:
		pages, err = splitTIFF(ctx, data, lim)
	case PDF:
		pages, err = splitPDF(ctx, data, lim)
	}
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, inputErr(CodeNoPages, "Tệp không có trang nào.", nil)
	}
	for i := range pages {
		pages[i].Index = i
	}
	ex := examination{lim: lim, file: len(data), verifyPNG: f == PNG, findSheets: findSheets}
	if err := examine(ctx, pages, ex); err != nil {
		return nil, err
	}
	return pages, nil
}

// sniffWithin checks the size, then the type.
func sniffWithin(data []byte, lim Limits) (Format, error) {
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return "", inputErr(CodeTooLarge,
			fmt.Sprintf("Tệp quá lớn (%d MB); giới hạn là %d MB.", mb(int64(len(data))), mb(lim.MaxBytes)), nil)
	}
	return Sniff(data)
}

func mb(n int64) int64 { return (n + 1<<20 - 1) >> 20 }
