// Package scantest makes the files the tests of ingest feed it: hostile ones (decompression bombs,
// oversized pages) byte for byte the same on every run, and born-digital and signed PDFs made with
// sohoa's own receipt printer and signer. It also holds what each file of testdata/bad must be
// refused with. Only tests import it.
package scantest

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// BadCodes is the stable code each file of testdata/bad is refused with (see its README.md).
var BadCodes = map[string]string{
	"empty.jpg":                 "empty",
	"not-an-image.jpg":          "unsupported_type",
	"truncated.jpg":             "truncated",
	"bomb-40000x40000.png":      "too_many_pixels",
	"truncated.pdf":             "bad_pdf",
	"garbage.pdf":               "no_pages",
	"indexed-bomb.pdf":          "decompression_bomb",
	"tiff-12000x12000-rgb.tiff": "memory_limit",
	"wide-65000x100.png":        "dimension_too_large",
	"encrypted.pdf":             "encrypted",
	"png-12000x12000-rgb16.png": "memory_limit",
}

// NeedsCage are the bad files only a memory limit refuses (the child's, or Limits.Memory for the PNG):
// in process without one they succeed, at a gigabyte.
var NeedsCage = map[string]bool{"tiff-12000x12000-rgb.tiff": true, "png-12000x12000-rgb16.png": true}

// Generated names the files of testdata/bad made here, and how.
var Generated = map[string]func() []byte{
	"indexed-bomb.pdf":          IndexedBombPDF,
	"tiff-12000x12000-rgb.tiff": func() []byte { return ZeroRGBTIFF(12000, 12000) },
	"wide-65000x100.png":        func() []byte { return GrayPNG(65000, 100) },
	"png-12000x12000-rgb16.png": func() []byte { return ZeroRGB16PNG(12000, 12000) },
}

// Read reads a test file, failing the test if it cannot.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// QPDFEncrypt encrypts data with qpdf, AES-256, with the user password given ("" opens without one).
func QPDFEncrypt(t testing.TB, data []byte, user string) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Run(t, "qpdf", "--encrypt", user, "owner-secret", "256", "--", in, out)
	return Read(t, out)
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

// IndexedBombPDF is a ~100 KB one-page scan whose page image is /Indexed with a lookup table that
// declares 256 RGB entries (768 bytes) and inflates to 100 MiB.
func IndexedBombPDF() []byte {
	const w, h = 200, 280
	lut := zeros(100 << 20)
	pix := deflate(make([]byte, w*h))
	p := sheettest.NewPDF()
	p.Obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	p.Obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	p.Obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 144 201.6] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>", nil)
	content := []byte("q 144 0 0 201.6 0 0 cm /Im0 Do Q")
	p.Obj(fmt.Sprintf("<< /Length %d >>", len(content)), content)
	p.Obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent 8 "+
		"/ColorSpace [/Indexed /DeviceRGB 255 6 0 R] /Filter /FlateDecode /Length %d >>", w, h, len(pix)), pix)
	p.Obj(fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>", len(lut)), lut)
	return p.Finish()
}

// ZeroRGBTIFF is a w×h RGB TIFF, every strip the same deflated black rows: a few kilobytes on disk,
// w×h×4 bytes twice over in Leptonica (its pix and libtiff's RGBA raster).
func ZeroRGBTIFF(w, h int) []byte {
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

// GrayPNG is a white w×h page.
func GrayPNG(w, h int) []byte { return flatPNG(w, h, 0, 8, 1, 0xff) }

// ZeroRGB16PNG is a black w×h RGB page of 16 bits per sample: a few hundred kilobytes for w×h×8
// bytes of image in Go.
func ZeroRGB16PNG(w, h int) []byte { return flatPNG(w, h, 2, 16, 6, 0) }

// flatPNG writes a PNG of one colour row by row, never holding the image: colour type ct, depth
// bits per sample, bpp bytes per pixel.
func flatPNG(w, h int, ct, depth byte, bpp int, v byte) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		c := crc32.NewIEEE()
		c.Write([]byte(typ))
		c.Write(data)
		out.WriteString(typ)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, c.Sum32())
	}
	var ihdr bytes.Buffer
	binary.Write(&ihdr, binary.BigEndian, [2]uint32{uint32(w), uint32(h)})
	ihdr.Write([]byte{depth, ct, 0, 0, 0})
	chunk("IHDR", ihdr.Bytes())
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := bytes.Repeat([]byte{v}, 1+w*bpp)
	row[0] = 0 // filter: none
	for range h {
		z.Write(row)
	}
	z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// SmallScanPDF is a one-page scan: a 200×280 grey image, Flate-compressed, filling a small page.
func SmallScanPDF() []byte { return ImagePagePDF("") }

// ImagePagePDF is SmallScanPDF with more drawn after the image, in font /F1 (Helvetica).
func ImagePagePDF(more string) []byte {
	const w, h = 200, 280
	gray := make([]byte, w*h)
	for i := range gray {
		gray[i] = byte(0xff - i%w%32)
	}
	pix := deflate(gray)
	p := sheettest.NewPDF()
	p.Obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	p.Obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", nil)
	p.Obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 144 201.6] /Resources << /XObject << /Im0 5 0 R >> "+
		"/Font << /F1 6 0 R >> >> /Contents 4 0 R >>", nil)
	content := deflate([]byte("q 144 0 0 201.6 0 0 cm /Im0 Do Q " + more))
	p.Obj(fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>", len(content)), content)
	p.Obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent 8 "+
		"/ColorSpace /DeviceGray /Filter /FlateDecode /Length %d >>", w, h, len(pix)), pix)
	p.Obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", nil)
	return p.Finish()
}

// ReceiptCodes are the dossier codes printed on the pages of BornDigital, one per page.
var ReceiptCodes = []string{"000.00.53.H26-261127-0001", "000.00.53.H26-261127-0002"}

// BornDigital is a two-page PDF of text and vector graphics (two dossier receipts, Vietnamese text
// in an embedded font, the QR code drawn as rectangles): what an office application exports.
func BornDigital(t testing.TB) []byte {
	t.Helper()
	var parts []io.ReadSeeker
	for _, c := range ReceiptCodes {
		var b bytes.Buffer
		err := receipt.Write(&b, receipt.Receipt{
			DossierCode: c, Agency: "Bộ phận Một cửa quận Lê Chân", Procedure: "Đăng ký khai sinh",
			OwnerName: "Nguyễn Thị Hằng", ReceivedAt: time.Date(2026, 11, 27, 9, 30, 0, 0, time.UTC),
			Components: []string{"Tờ khai đăng ký khai sinh", "Giấy chứng sinh"},
		})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, bytes.NewReader(b.Bytes()))
	}
	var out bytes.Buffer
	if err := api.MergeRaw(parts, &out, false, nil); err != nil {
		t.Fatalf("merge receipts: %v", err)
	}
	return out.Bytes()
}

// SignedTwice signs data with the development agency key, then signs the result again.
func SignedTwice(t testing.TB, data []byte) []byte {
	t.Helper()
	files, err := sign.DevKeys(t.TempDir(), "Bộ phận Một cửa (kiểm thử)", false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sign.LoadPEM(files.AgencyCert, files.AgencyKey)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		var out bytes.Buffer
		if err := s.Sign(context.Background(), bytes.NewReader(data), int64(len(data)), &out); err != nil {
			t.Fatalf("sign: %v", err)
		}
		data = out.Bytes()
	}
	return data
}
