package scan

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// The hostile files of testdata/bad that a program can make are made here, byte for byte the same
// on every run; TestBadFilesUpToDate keeps the committed copies honest, and
// `go test ./internal/scan -run TestBadFilesUpToDate -write-bad` rewrites them.
var writeBad = flag.Bool("write-bad", false, "rewrite the generated files of testdata/bad")

// generatedBad names each generated file and how it is made.
var generatedBad = map[string]func() []byte{
	"indexed-bomb.pdf":          indexedBombPDF,
	"tiff-12000x12000-rgb.tiff": func() []byte { return zeroRGBTIFF(12000, 12000) },
	"wide-65000x100.png":        func() []byte { return grayPNG(65000, 100) },
}

func TestBadFilesUpToDate(t *testing.T) {
	for name, gen := range generatedBad {
		want := gen()
		path := filepath.Join(bad, name)
		if *writeBad {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from what badfiles_test.go makes (%v); run with -write-bad", path, err)
		}
	}
}

func deflate(parts ...[]byte) []byte {
	var b bytes.Buffer
	z, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	for _, p := range parts {
		z.Write(p)
	}
	z.Close()
	return b.Bytes()
}

// zeros deflates n zero bytes without holding them.
func zeros(n int) []byte {
	var b bytes.Buffer
	z, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	chunk := make([]byte, 1<<20)
	for n > 0 {
		k := min(n, len(chunk))
		z.Write(chunk[:k])
		n -= k
	}
	z.Close()
	return b.Bytes()
}

// pdfWriter assembles a PDF from numbered objects, with a correct cross-reference table.
type pdfWriter struct {
	b    bytes.Buffer
	offs []int
}

func (w *pdfWriter) obj(body string, stream []byte) {
	w.offs = append(w.offs, w.b.Len())
	fmt.Fprintf(&w.b, "%d 0 obj\n%s\n", len(w.offs), body)
	if stream != nil {
		fmt.Fprintf(&w.b, "stream\n%s\nendstream\n", stream)
	}
	w.b.WriteString("endobj\n")
}

func (w *pdfWriter) finish() []byte {
	xref := w.b.Len()
	fmt.Fprintf(&w.b, "xref\n0 %d\n0000000000 65535 f \n", len(w.offs)+1)
	for _, o := range w.offs {
		fmt.Fprintf(&w.b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&w.b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(w.offs)+1, xref)
	return w.b.Bytes()
}

// indexedBombPDF is a ~100 KB one-page scan whose page image is /Indexed with a lookup table that
// declares 256 RGB entries (768 bytes) and inflates to 100 MiB.
func indexedBombPDF() []byte {
	const w, h = 200, 280
	lut := zeros(100 << 20)
	pix := deflate(make([]byte, w*h))
	p := &pdfWriter{}
	p.b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	p.obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	p.obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	p.obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 144 201.6] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>", nil)
	content := []byte("q 144 0 0 201.6 0 0 cm /Im0 Do Q")
	p.obj(fmt.Sprintf("<< /Length %d >>", len(content)), content)
	p.obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent 8 "+
		"/ColorSpace [/Indexed /DeviceRGB 255 6 0 R] /Filter /FlateDecode /Length %d >>", w, h, len(pix)), pix)
	p.obj(fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>", len(lut)), lut)
	return p.finish()
}

// zeroRGBTIFF is a w×h RGB TIFF, every strip the same deflated black rows: a few kilobytes on disk,
// w×h×4 bytes twice over in Leptonica (its pix and libtiff's RGBA raster).
func zeroRGBTIFF(w, h int) []byte {
	const rows = 16
	strip := zeros(w * 3 * rows)
	nstrips := (h + rows - 1) / rows
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II*\x00")
	binary.Write(&b, le, uint32(8))
	const tags = 11
	ifdEnd := 8 + 2 + tags*12 + 4
	bpsAt := ifdEnd
	offsAt := bpsAt + 6
	countsAt := offsAt + 4*nstrips
	dataAt := countsAt + 4*nstrips
	entry := func(tag, typ uint16, n, v uint32) {
		binary.Write(&b, le, tag)
		binary.Write(&b, le, typ)
		binary.Write(&b, le, n)
		binary.Write(&b, le, v)
	}
	binary.Write(&b, le, uint16(tags))
	entry(256, 4, 1, uint32(w))     // ImageWidth
	entry(257, 4, 1, uint32(h))     // ImageLength
	entry(258, 3, 3, uint32(bpsAt)) // BitsPerSample 8,8,8
	entry(259, 3, 1, 8)             // Compression: Deflate
	entry(262, 3, 1, 2)             // Photometric: RGB
	entry(273, 4, uint32(nstrips), uint32(offsAt))
	entry(277, 3, 1, 3)    // SamplesPerPixel
	entry(278, 4, 1, rows) // RowsPerStrip
	entry(279, 4, uint32(nstrips), uint32(countsAt))
	entry(284, 3, 1, 1) // PlanarConfiguration: contiguous
	entry(296, 3, 1, 1) // ResolutionUnit: none
	binary.Write(&b, le, uint32(0))
	binary.Write(&b, le, [3]uint16{8, 8, 8})
	for range nstrips {
		binary.Write(&b, le, uint32(dataAt))
	}
	for range nstrips {
		binary.Write(&b, le, uint32(len(strip)))
	}
	b.Write(strip)
	return b.Bytes()
}

// grayPNG is a white w×h page.
func grayPNG(w, h int) []byte {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = 0xff
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, m); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// smallScanPDF is a one-page scan: a 200×280 grey image, Flate-compressed, filling a small page.
func smallScanPDF() []byte { return imagePagePDF("") }

// imagePagePDF is smallScanPDF with more drawn after the image, in font /F1 (Helvetica).
func imagePagePDF(more string) []byte {
	const w, h = 200, 280
	gray := make([]byte, w*h)
	for i := range gray {
		gray[i] = byte(0xff - i%w%32)
	}
	pix := deflate(gray)
	p := &pdfWriter{}
	p.b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	p.obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	p.obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	p.obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 144 201.6] /Resources << /XObject << /Im0 5 0 R >> "+
		"/Font << /F1 6 0 R >> >> /Contents 4 0 R >>", nil)
	content := deflate([]byte("q 144 0 0 201.6 0 0 cm /Im0 Do Q " + more))
	p.obj(fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>", len(content)), content)
	p.obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent 8 "+
		"/ColorSpace /DeviceGray /Filter /FlateDecode /Length %d >>", w, h, len(pix)), pix)
	p.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	return p.finish()
}
