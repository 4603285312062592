package receipt

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/sign/font"
)

// The file's objects, numbered in the order they are written.
const (
	objCatalog = iota + 1
	objPages
	objPage
	objContent
	objType0
	objCIDFont
	objDescriptor
	objFontFile
	objToUnicode
	objInfo
	objCount
)

// pdfFile writes a PDF with a classic cross-reference table. A receipt is
// ten objects, so a small writer is simpler than building a pdfcpu context,
// and it makes the same bytes for the same receipt.
type pdfFile struct {
	b       *bytes.Buffer
	offsets [objCount]int
}

func (p *pdfFile) object(n int, body string) {
	p.offsets[n] = p.b.Len()
	fmt.Fprintf(p.b, "%d 0 obj\n%s\nendobj\n", n, body)
}

func (p *pdfFile) stream(n int, dict string, data []byte) error {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(data); err != nil {
		return fmt.Errorf("receipt: compress: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("receipt: compress: %w", err)
	}
	p.offsets[n] = p.b.Len()
	fmt.Fprintf(p.b, "%d 0 obj\n<< %s /Filter /FlateDecode /Length %d >>\nstream\n", n, dict, z.Len())
	p.b.Write(z.Bytes())
	p.b.WriteString("\nendstream\nendobj\n")
	return nil
}

// docInfo is what the file's Info dictionary says.
type docInfo struct {
	title   string
	created time.Time // zero leaves CreationDate off
}

func writePDF(b *bytes.Buffer, pg page, info docInfo) error {
	p := &pdfFile{b: b}
	// The comment of high bytes marks the file as binary for transfer tools.
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	p.object(objCatalog, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R /Lang (vi-VN) >>", objPages))
	p.object(objPages, fmt.Sprintf("<< /Type /Pages /Kids [%d 0 R] /Count 1 >>", objPage))
	p.object(objPage, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
		objPages, pageW, pageH, objType0, objContent))
	if err := p.stream(objContent, "", []byte(pg.content)); err != nil {
		return err
	}
	if err := writeFont(p, pg.ts); err != nil {
		return err
	}
	created := ""
	if !info.created.IsZero() {
		created = " /CreationDate " + pdfDate(info.created)
	}
	p.object(objInfo, fmt.Sprintf("<< /Title %s /Producer (sohoa)%s >>", textString(info.title), created))

	xref := b.Len()
	fmt.Fprintf(b, "xref\n0 %d\n0000000000 65535 f \n", objCount)
	for n := 1; n < objCount; n++ {
		fmt.Fprintf(b, "%010d 00000 n \n", p.offsets[n])
	}
	// The ID is a digest of the content, so it is stable for the same paper.
	id := sha256.Sum256(b.Bytes())
	fmt.Fprintf(b, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%X> <%X>] >>\nstartxref\n%d\n%%%%EOF\n",
		objCount, objCatalog, objInfo, id[:16], id[:16], xref)
	return nil
}

// writeFont embeds the subset of Liberation Serif the page uses as a Type 0
// font with Identity-H encoding (two bytes per glyph number, no 256-glyph
// limit) and a ToUnicode map from glyph to character, which is what lets
// pdftotext and copy-paste give the Vietnamese text back.
func writeFont(p *pdfFile, ts *typesetter) error {
	program, err := ts.f.Subset(ts.order)
	if err != nil {
		return fmt.Errorf("receipt: font subset: %w", err)
	}
	m := ts.f.Metrics()
	// A subset font's name carries a six-letter tag (ISO 32000 9.6.4).
	name := font.SubsetTag(ts.order) + "+" + font.Name
	var widths strings.Builder
	for _, g := range ts.order {
		fmt.Fprintf(&widths, "%d [%d] ", g, ts.f.Advance(g))
	}
	p.object(objType0, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
		name, objCIDFont, objToUnicode))
	p.object(objCIDFont, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [%s] /CIDToGIDMap /Identity >>",
		name, objDescriptor, strings.TrimSpace(widths.String())))
	p.object(objDescriptor, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 34 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
		name, m.BBox[0], m.BBox[1], m.BBox[2], m.BBox[3], m.Ascent, m.Descent, m.CapHeight, objFontFile))
	if err := p.stream(objFontFile, fmt.Sprintf("/Length1 %d", len(program)), program); err != nil {
		return err
	}
	return p.stream(objToUnicode, "", font.ToUnicode(ts.order, ts.runes))
}

// textString encodes s as UTF-16BE with a byte-order mark, in hex, the one
// form of PDF text string that holds any Vietnamese letter.
func textString(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String() + ">"
}

// pdfDate is a PDF date in Vietnam time. A receipt's is its time of
// receipt, so the file says when the paper was issued and the same receipt
// gives the same bytes.
func pdfDate(t time.Time) string {
	return t.In(code.Vietnam).Format("(D:20060102150405+07'00')")
}
