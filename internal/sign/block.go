package sign

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa-vn/sohoa/internal/sign/font"
)

// Block is the visible signature block that Nghị định 30/2020 Phụ lục I asks
// for on an agency's electronic copy: top right of page 1 as it is shown
// (after its /Rotate, so a scan archived quarter-turned gets the block at
// the top right of the page as read), text only (no seal image),
// Times-like serif, size 10, black. Its lines are the copy
// form, the agency name and the signing time in ISO 8601 with +07:00.
type Block struct {
	// CopyForm is the hình thức sao; empty means DefaultCopyForm.
	CopyForm string
	// Agency is the agency's name; empty means Signer.Name, then the
	// certificate's CN.
	Agency string
	// Avoid are boxes on page 1 the block should not cover, typically the
	// OCR words of the text layer, in the page's own default user space
	// (PDF points, the space of its MediaBox, before any /Rotate: for a
	// page image drawn over the whole MediaBox, the image's pixels times
	// 72/dpi with y flipped). The block moves down and left from the top
	// right corner of the page as shown, within its top half, to the
	// nearest place clear of them; if there is none it stays in the corner.
	Avoid []Rect
	// Margin is the distance from the page's top and right edges; zero
	// means DefaultMargin.
	Margin float64
}

// Rect is a box in PDF user space.
type Rect struct{ LLX, LLY, URX, URY float64 }

const (
	// DefaultCopyForm is the copy form of a digitized paper.
	DefaultCopyForm = "BẢN SAO ĐIỆN TỬ"
	// DefaultMargin keeps the block off the edge that printers cut.
	DefaultMargin = 18.0
	blockFontSize = 10.0
	blockLeading  = 12.0
	blockPad      = 2.0
	// TimeLayout is ISO 8601 with the offset, e.g. 2026-11-27T16:20:00+07:00.
	TimeLayout = "2006-01-02T15:04:05-07:00"
)

func (b *Block) lines(agency string, t time.Time) []string {
	form := b.CopyForm
	if form == "" {
		form = DefaultCopyForm
	}
	if b.Agency != "" {
		agency = b.Agency
	}
	out := []string{form, agency, vietnamTime(t).Format(TimeLayout)}
	for i, l := range out {
		// NFC so that each letter is one precomposed glyph.
		out[i] = norm.NFC.String(strings.Join(strings.Fields(l), " "))
	}
	return out
}

// shapedLine is a line as glyphs with its width in points.
type shapedLine struct {
	glyphs []uint16
	width  float64
}

func shape(f *font.Font, lines []string) ([]shapedLine, error) {
	out := make([]shapedLine, len(lines))
	for i, l := range lines {
		for _, r := range l {
			g, err := f.Glyph(r)
			if err != nil {
				return nil, fmt.Errorf("sign: block line %q: %w", l, err)
			}
			out[i].glyphs = append(out[i].glyphs, g)
			out[i].width += float64(f.Advance(g)) * blockFontSize / 1000
		}
	}
	return out, nil
}

// pageBox is page 1's visible box in its own space and the clockwise turn
// (0, 90, 180 or 270) it is shown with.
type pageBox struct {
	Rect
	rotate int
}

// shown maps a point of the page's space onto the page as shown, origin
// at its bottom left.
func (p pageBox) shown(x, y float64) (float64, float64) {
	switch p.rotate {
	case 90:
		return y - p.LLY, p.URX - x
	case 180:
		return p.URX - x, p.URY - y
	case 270:
		return p.URY - y, x - p.LLX
	}
	return x - p.LLX, y - p.LLY
}

// unshown is the inverse of shown.
func (p pageBox) unshown(x, y float64) (float64, float64) {
	switch p.rotate {
	case 90:
		return p.URX - y, x + p.LLY
	case 180:
		return p.URX - x, p.URY - y
	case 270:
		return y + p.LLX, p.URY - x
	}
	return x + p.LLX, y + p.LLY
}

// mapRect applies a point mapping to a rectangle's corners.
func mapRect(r Rect, f func(x, y float64) (float64, float64)) Rect {
	x0, y0 := f(r.LLX, r.LLY)
	x1, y1 := f(r.URX, r.URY)
	return Rect{min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)}
}

// matrix is the appearance's /Matrix, which turns the block against the
// page's turn so that it reads upright on the page as shown.
func (p pageBox) matrix() string {
	switch p.rotate {
	case 90:
		return "0 1 -1 0 0 0"
	case 180:
		return "-1 0 0 -1 0 0"
	case 270:
		return "0 -1 1 0 0 0"
	}
	return ""
}

// place finds the block's rectangle, in the page's own space, for a block
// of w × h points as shown: the top right corner of the page as shown if
// it is clear, otherwise the clear spot nearest to it in the top half.
func (b *Block) place(page pageBox, w, h float64) Rect {
	shown := mapRect(page.Rect, page.shown)
	avoid := make([]Rect, len(b.Avoid))
	for i, a := range b.Avoid {
		avoid[i] = mapRect(a, page.shown)
	}
	return mapRect(b.placeShown(shown, avoid, w, h), page.unshown)
}

// placeShown places the block on an upright page box.
func (b *Block) placeShown(page Rect, avoid []Rect, w, h float64) Rect {
	margin := b.Margin
	if margin == 0 {
		margin = DefaultMargin
	}
	at := func(dx, dy float64) Rect {
		x1, y1 := page.URX-margin-dx, page.URY-margin-dy
		return Rect{x1 - w, y1 - h, x1, y1}
	}
	best := at(0, 0)
	bestCost := -1.0
	const step = 3.0
	for dy := 0.0; page.URY-margin-dy-h >= (page.LLY+page.URY)/2; dy += step {
		for dx := 0.0; page.URX-margin-dx-w >= page.LLX+margin; dx += step {
			cost := dx + dy
			if bestCost >= 0 && cost >= bestCost {
				break
			}
			if r := at(dx, dy); clear(r, avoid) {
				best, bestCost = r, cost
				break
			}
		}
	}
	return best
}

func clear(r Rect, avoid []Rect) bool {
	for _, a := range avoid {
		if r.LLX < a.URX && a.LLX < r.URX && r.LLY < a.URY && a.LLY < r.URY {
			return false
		}
	}
	return true
}

// blockObjects writes the block's appearance stream and its Type 0 font
// into u and returns the appearance's object number and the widget's /Rect.
func (u *update) blockObjects(b *Block, agency string, t time.Time, page pageBox) (int, Rect, error) {
	f, err := font.Serif()
	if err != nil {
		return 0, Rect{}, fmt.Errorf("sign: block font: %w", err)
	}
	shaped, err := shape(f, b.lines(agency, t))
	if err != nil {
		return 0, Rect{}, err
	}
	m := f.Metrics()
	var w float64
	used := map[uint16]rune{}
	var glyphs []uint16
	lines := b.lines(agency, t)
	for i, s := range shaped {
		w = max(w, s.width)
		rs := []rune(lines[i])
		for j, g := range s.glyphs {
			if _, ok := used[g]; !ok {
				used[g] = rs[j]
				glyphs = append(glyphs, g)
			}
		}
	}
	w += 2 * blockPad
	h := 2*blockPad + float64(m.Ascent-m.Descent)*blockFontSize/1000 + blockLeading*float64(len(shaped)-1)
	rect := b.place(page, w, h)

	// Lines right-aligned, so the block's right edge follows the margin.
	var content strings.Builder
	content.WriteString("q 0 g BT /F1 10 Tf\n")
	y := h - blockPad - float64(m.Ascent)*blockFontSize/1000
	for _, s := range shaped {
		fmt.Fprintf(&content, "1 0 0 1 %.2f %.2f Tm <", w-blockPad-s.width, y)
		for _, g := range s.glyphs {
			fmt.Fprintf(&content, "%04X", g)
		}
		content.WriteString("> Tj\n")
		y -= blockLeading
	}
	content.WriteString("ET Q\n")

	program, err := f.Subset(glyphs)
	if err != nil {
		return 0, Rect{}, fmt.Errorf("sign: block font subset: %w", err)
	}
	fontFile := u.alloc()
	if err := u.flateStream(fontFile, fmt.Sprintf("/Length1 %d", len(program)), program); err != nil {
		return 0, Rect{}, err
	}
	toUnicode := u.alloc()
	if err := u.flateStream(toUnicode, "", font.ToUnicode(glyphs, used)); err != nil {
		return 0, Rect{}, err
	}
	// A subset font's name carries a six-letter tag (ISO 32000 9.6.4).
	name := font.SubsetTag(glyphs) + "+" + font.Name
	desc := u.alloc()
	u.object(desc, 0, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 34 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
		name, m.BBox[0], m.BBox[1], m.BBox[2], m.BBox[3], m.Ascent, m.Descent, m.CapHeight, fontFile))
	var widths strings.Builder
	for _, g := range glyphs {
		fmt.Fprintf(&widths, "%d [%d] ", g, f.Advance(g))
	}
	cid := u.alloc()
	u.object(cid, 0, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [%s] /CIDToGIDMap /Identity >>",
		name, desc, strings.TrimSpace(widths.String())))
	type0 := u.alloc()
	u.object(type0, 0, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", name, cid, toUnicode))
	ap := u.alloc()
	form := fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >>", w, h, type0)
	if m := page.matrix(); m != "" {
		form += " /Matrix [" + m + "]"
	}
	if err := u.flateStream(ap, form, []byte(content.String())); err != nil {
		return 0, Rect{}, err
	}
	return ap, rect, nil
}

func deflate(data []byte) ([]byte, error) {
	var b bytes.Buffer
	z, err := zlib.NewWriterLevel(&b, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := z.Write(data); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
