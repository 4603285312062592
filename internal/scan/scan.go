// Package scan turns an uploaded original (JPEG, PNG, TIFF or PDF) into
// page images ready for OCR and archiving. It is the ingest gate: anything
// the sender got wrong (empty, truncated, oversized, not a scan) is refused
// here with an *InputError that explains the problem in Vietnamese, so the
// later, costlier stages only ever see well-formed pages.
package scan

import (
	"bytes"
	"fmt"
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

// Limits bound what ingest accepts.
type Limits struct {
	MaxBytes  int64 // size of the original file
	MaxPixels int64 // per page, checked from headers before decoding
	MaxPages  int
}

// DefaultLimits fits the largest real originals (A3 at 600 dpi in colour is
// about 70 megapixels) with room to spare, while keeping a decoded page well
// under a gigabyte of memory.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:  200 << 20,
		MaxPixels: 150_000_000,
		MaxPages:  500,
	}
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

// Split validates data and returns its pages. Every failure due to the
// input is an *InputError; any other error is an internal fault worth
// retrying or reporting.
func Split(data []byte, lim Limits) ([]Page, error) {
	if lim.MaxBytes > 0 && int64(len(data)) > lim.MaxBytes {
		return nil, inputErr(CodeTooLarge,
			fmt.Sprintf("Tệp quá lớn (%d MB); giới hạn là %d MB.", mb(int64(len(data))), mb(lim.MaxBytes)), nil)
	}
	f, err := Sniff(data)
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
		pages, err = splitTIFF(data, lim)
	case PDF:
		pages, err = splitPDF(data, lim)
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
	return pages, nil
}

func mb(n int64) int64 { return (n + 1<<20 - 1) >> 20 }
