package sheettest

import (
	"bytes"
	"fmt"
	"image/color"
	"image/jpeg"
)

// a4Short is the short side of A4 in points.
const a4Short = 595.28

// StackPDF is a scanner's image-only PDF of pages, JPEGs, one a page: each is embedded as it is
// (DCTDecode, never re-encoded) and drawn over the whole page, whose short side is A4's, as a
// scanner's auto-size makes it. It panics on a page that is not a baseline JPEG Go reads.
func StackPDF(pages [][]byte) []byte {
	w := NewPDF()
	kids := ""
	for i := range pages {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	w.Obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	w.Obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, len(pages)), nil)
	for i, jpg := range pages {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
		if err != nil {
			panic(fmt.Sprintf("sheettest: page %d: %v", i+1, err))
		}
		space := "/DeviceRGB"
		switch cfg.ColorModel {
		case color.GrayModel:
			space = "/DeviceGray"
		case color.CMYKModel:
			space = "/DeviceCMYK"
		}
		pw, ph := a4Short, a4Short*float64(cfg.Height)/float64(cfg.Width)
		if cfg.Width > cfg.Height {
			pw, ph = a4Short*float64(cfg.Width)/float64(cfg.Height), a4Short
		}
		content, image := 4+3*i, 5+3*i // the page itself is 3+3*i
		w.Obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>",
			pw, ph, image, content), nil)
		draw := []byte(fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q", pw, ph))
		w.Obj(fmt.Sprintf("<< /Length %d >>", len(draw)), draw)
		w.Obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			cfg.Width, cfg.Height, space, len(jpg)), jpg)
	}
	return w.Finish()
}

// PDF assembles a test PDF from objects numbered in the order they are written, from 1 (which
// must be the catalog), with a correct cross-reference table.
type PDF struct {
	b    bytes.Buffer
	offs []int
}

// NewPDF starts a PDF 1.7 file, marked binary for transfer tools.
func NewPDF() *PDF {
	w := &PDF{}
	w.b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return w
}

// Obj writes the next object: its dictionary or value, and its stream unless nil.
func (w *PDF) Obj(body string, stream []byte) {
	w.offs = append(w.offs, w.b.Len())
	fmt.Fprintf(&w.b, "%d 0 obj\n%s\n", len(w.offs), body)
	if stream != nil {
		w.b.WriteString("stream\n")
		w.b.Write(stream)
		w.b.WriteString("\nendstream\n")
	}
	w.b.WriteString("endobj\n")
}

// Finish writes the cross-reference table and the trailer, and returns the file.
func (w *PDF) Finish() []byte {
	xref := w.b.Len()
	fmt.Fprintf(&w.b, "xref\n0 %d\n0000000000 65535 f \n", len(w.offs)+1)
	for _, o := range w.offs {
		fmt.Fprintf(&w.b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&w.b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.offs)+1, xref)
	return w.b.Bytes()
}
