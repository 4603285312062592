package font

import (
	"fmt"
	"strings"
)

// ToUnicode returns a ToUnicode CMap mapping each glyph of a subset to the character it shows, so
// that text drawn with glyph IDs (Identity-H) is copied and searched as the right Vietnamese text.
// Characters beyond the BMP map to their UTF-16 surrogate pair.
func ToUnicode(glyphs []uint16, runes map[uint16]rune) []byte {
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	// A bfchar section holds at most 100 entries.
	for i := 0; i < len(glyphs); i += 100 {
		chunk := glyphs[i:min(i+100, len(glyphs))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			r := runes[g]
			if r > 0xffff {
				hi, lo := 0xd800+((r-0x10000)>>10), 0xdc00+((r-0x10000)&0x3ff)
				fmt.Fprintf(&b, "<%04X> <%04X%04X>\n", g, hi, lo)
			} else {
				fmt.Fprintf(&b, "<%04X> <%04X>\n", g, r)
			}
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return []byte(b.String())
}

// SubsetTag returns the six capital letters that prefix a subset font's name, derived from the glyph
// set so that the same text gives the same name (and the same bytes).
func SubsetTag(glyphs []uint16) string {
	var h uint32 = 2166136261
	for _, g := range glyphs {
		h = (h ^ uint32(g)) * 16777619
	}
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + byte(h%26)
		h /= 26
	}
	return string(tag)
}
