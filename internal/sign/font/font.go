// Package font gives the signature block its typeface: Liberation Serif
// (SIL OFL 1.1, see OFL.txt), a Times New Roman metric clone with the
// Vietnamese glyphs, as Nghị định 30/2020 asks for "Times New Roman". It maps
// text to glyphs, measures it, and cuts a subset small enough to embed in
// every signed PDF (PDF/A requires embedded fonts).
package font

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/image/font/sfnt"
)

//go:embed LiberationSerif-Regular.ttf
var serifTTF []byte // read-only: go:embed data is never written

// Name is the PostScript name of the embedded font.
const Name = "LiberationSerif"

// Font is a parsed TrueType font. It is immutable and safe for concurrent use.
type Font struct {
	data    []byte
	tables  map[string][]byte
	sf      *sfnt.Font
	upem    int
	nGlyphs int
	nHMet   int
	long    bool // loca uses 32-bit offsets
}

// Serif returns the embedded Liberation Serif.
func Serif() (*Font, error) { return Parse(serifTTF) }

// Parse reads a TrueType (glyf) font.
func Parse(data []byte) (*Font, error) {
	if len(data) < 12 {
		return nil, errors.New("font: too short")
	}
	n := int(binary.BigEndian.Uint16(data[4:]))
	f := &Font{data: data, tables: map[string][]byte{}}
	for i := range n {
		rec := data[12+16*i:]
		if len(rec) < 16 {
			return nil, errors.New("font: truncated table directory")
		}
		off, ln := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
		if uint64(off)+uint64(ln) > uint64(len(data)) {
			return nil, fmt.Errorf("font: table %q out of bounds", rec[:4])
		}
		f.tables[string(rec[:4])] = data[off : off+ln]
	}
	for _, t := range []string{"head", "hhea", "maxp", "hmtx", "loca", "glyf"} {
		if f.tables[t] == nil {
			return nil, fmt.Errorf("font: no %s table (not a TrueType outline font?)", t)
		}
	}
	head, hhea, maxp := f.tables["head"], f.tables["hhea"], f.tables["maxp"]
	f.upem = int(binary.BigEndian.Uint16(head[18:]))
	f.long = binary.BigEndian.Uint16(head[50:]) == 1
	f.nGlyphs = int(binary.BigEndian.Uint16(maxp[4:]))
	f.nHMet = int(binary.BigEndian.Uint16(hhea[34:]))
	var err error
	if f.sf, err = sfnt.Parse(data); err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	return f, nil
}

// Glyph returns the glyph of r, or an error if the font lacks it: a block
// with a missing letter would misstate the agency's name.
func (f *Font) Glyph(r rune) (uint16, error) {
	var b sfnt.Buffer
	g, err := f.sf.GlyphIndex(&b, r)
	if err != nil {
		return 0, fmt.Errorf("font: glyph for %q: %w", r, err)
	}
	if g == 0 {
		return 0, fmt.Errorf("font: %s has no glyph for %q (U+%04X)", Name, r, r)
	}
	return uint16(g), nil
}

// Advance is the advance width of glyph g in 1/1000 em, as PDF /W wants it.
func (f *Font) Advance(g uint16) int {
	i := int(g)
	if i >= f.nHMet {
		i = f.nHMet - 1
	}
	units := int(binary.BigEndian.Uint16(f.tables["hmtx"][4*i:]))
	return (units*1000 + f.upem/2) / f.upem
}

// Metrics are the FontDescriptor values, in 1/1000 em.
type Metrics struct {
	Ascent, Descent, CapHeight int
	BBox                       [4]int
}

// Metrics returns the font-wide metrics.
func (f *Font) Metrics() Metrics {
	head, hhea := f.tables["head"], f.tables["hhea"]
	s := func(b []byte) int { return int(int16(binary.BigEndian.Uint16(b))) * 1000 / f.upem }
	m := Metrics{
		Ascent:  s(hhea[4:]),
		Descent: s(hhea[6:]),
		BBox:    [4]int{s(head[36:]), s(head[38:]), s(head[40:]), s(head[42:])},
	}
	m.CapHeight = m.Ascent
	if os2 := f.tables["OS/2"]; len(os2) >= 90 && binary.BigEndian.Uint16(os2) >= 2 {
		m.CapHeight = s(os2[88:])
	}
	return m
}

// Subset returns a TrueType font in which every glyph but those listed (and
// the components they are built from, and .notdef) is empty. Glyph numbers
// do not change, so a CIDToGIDMap of /Identity still holds; tables a PDF
// viewer does not need (layout, kerning, glyph names) are dropped.
func (f *Font) Subset(glyphs []uint16) ([]byte, error) {
	keep := map[int]bool{}
	todo := []int{0}
	for _, g := range glyphs {
		todo = append(todo, int(g))
	}
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if keep[g] || g >= f.nGlyphs {
			continue
		}
		keep[g] = true
		comps, err := components(f.glyph(g))
		if err != nil {
			return nil, fmt.Errorf("font: glyph %d: %w", g, err)
		}
		todo = append(todo, comps...)
	}
	var glyf, loca []byte
	for g := range f.nGlyphs {
		loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))
		if keep[g] {
			glyf = append(glyf, f.glyph(g)...)
			for len(glyf)%4 != 0 {
				glyf = append(glyf, 0)
			}
		}
	}
	loca = binary.BigEndian.AppendUint32(loca, uint32(len(glyf)))

	head := slices.Clone(f.tables["head"])
	binary.BigEndian.PutUint32(head[8:], 0)  // checkSumAdjustment, set below
	binary.BigEndian.PutUint16(head[50:], 1) // long loca
	tables := map[string][]byte{"head": head, "loca": loca, "glyf": glyf}
	for _, t := range []string{"hhea", "maxp", "hmtx", "cvt ", "fpgm", "prep", "OS/2", "name", "cmap"} {
		if b := f.tables[t]; b != nil {
			tables[t] = b
		}
	}
	if post := f.tables["post"]; len(post) >= 32 {
		p := slices.Clone(post[:32])
		binary.BigEndian.PutUint32(p, 0x00030000) // version 3: no glyph names
		tables["post"] = p
	}
	return assemble(tables), nil
}

func (f *Font) glyph(g int) []byte {
	loca := f.tables["loca"]
	var start, end int
	if f.long {
		start, end = int(binary.BigEndian.Uint32(loca[4*g:])), int(binary.BigEndian.Uint32(loca[4*g+4:]))
	} else {
		start, end = 2*int(binary.BigEndian.Uint16(loca[2*g:])), 2*int(binary.BigEndian.Uint16(loca[2*g+2:]))
	}
	glyf := f.tables["glyf"]
	if start > end || end > len(glyf) {
		return nil
	}
	return glyf[start:end]
}

// components lists the glyphs a composite glyph is built from.
func components(g []byte) ([]int, error) {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil, nil
	}
	const (
		argWords   = 0x0001
		haveScale  = 0x0008
		more       = 0x0020
		xyScale    = 0x0040
		twoByTwo   = 0x0080
		headerSize = 10
	)
	var out []int
	for p := headerSize; ; {
		if p+4 > len(g) {
			return nil, errors.New("truncated composite glyph")
		}
		flags := binary.BigEndian.Uint16(g[p:])
		out = append(out, int(binary.BigEndian.Uint16(g[p+2:])))
		p += 4
		if flags&argWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&xyScale != 0:
			p += 4
		case flags&twoByTwo != 0:
			p += 8
		}
		if flags&more == 0 {
			return out, nil
		}
	}
}

// assemble writes an sfnt file with the given tables, in tag order, with
// correct checksums.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	es := 0
	for 1<<(es+1) <= n {
		es++
	}
	out := binary.BigEndian.AppendUint32(nil, 0x00010000)
	out = binary.BigEndian.AppendUint16(out, uint16(n))
	out = binary.BigEndian.AppendUint16(out, uint16(16<<es))
	out = binary.BigEndian.AppendUint16(out, uint16(es))
	out = binary.BigEndian.AppendUint16(out, uint16(16*n-16<<es))
	off := 12 + 16*n
	var body []byte
	headAt := 0
	for _, t := range tags {
		b := tables[t]
		if t == "head" {
			headAt = off
		}
		out = append(out, t...)
		out = binary.BigEndian.AppendUint32(out, checksum(b))
		out = binary.BigEndian.AppendUint32(out, uint32(off))
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		body = append(body, b...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
		off = 12 + 16*n + len(body)
	}
	out = append(out, body...)
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
