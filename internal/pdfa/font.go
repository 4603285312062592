package pdfa

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/text/unicode/norm"
)

// glyphlessTTF is Tesseract's "GlyphLessFont" (tessdata/pdf.ttf, copied from
// /usr/share/tesseract-ocr/5/tessdata/pdf.ttf). Copyright Google Inc.,
// licensed under the Apache License 2.0 like the rest of Tesseract. Its only
// real glyph (GID 1) is empty, so text drawn with it is invisible even to
// viewers that ignore render mode 3, yet it is a complete embedded TrueType
// font as PDF/A requires.
//
//go:embed glyphless.ttf
var glyphlessTTF []byte

const (
	fontName = "GlyphLessFont"
	fontRes  = "F1"

	// glyphWidth is every glyph's advance in text space units (1/1000 em).
	// Tz stretches words to their OCR box using this fixed width.
	glyphWidth = 500

	// Non-BMP characters cannot use their UTF-16 code unit as CID (that
	// would take two CIDs), so each distinct one gets a CID from the
	// otherwise unused surrogate block and its own ToUnicode bfchar entry.
	firstAstralCID = 0xD800
	lastAstralCID  = 0xDFFF
	replacementCID = 0xFFFD

	// A CMap operator block may hold at most 100 entries.
	cmapBlockLen = 100
)

// textEncoder turns words into the two-byte CIDs of the Identity-H font and
// remembers which non-BMP characters the ToUnicode CMap must list.
type textEncoder struct {
	astral map[rune]uint16 // non-BMP rune -> CID in the surrogate block
	order  []rune          // astral runes in CID order
}

func newTextEncoder() *textEncoder {
	return &textEncoder{astral: map[rune]uint16{}}
}

// normalize returns s as text extraction should see it: NFC so Vietnamese
// comes out as precomposed letters, with control characters dropped because
// they would otherwise reach the text layer as stray codes.
func normalize(s string) string {
	s = norm.NFC.String(s)
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// encode appends the CIDs of the (already normalized) s to dst, two bytes
// each, and returns the number of glyphs.
func (e *textEncoder) encode(dst []byte, s string) ([]byte, int) {
	n := 0
	for _, r := range s {
		cid := e.cid(r)
		dst = append(dst, byte(cid>>8), byte(cid))
		n++
	}
	return dst, n
}

func (e *textEncoder) cid(r rune) uint16 {
	switch {
	case r < 0 || r > unicode.MaxRune || (r >= 0xD800 && r <= 0xDFFF):
		return replacementCID
	case r <= 0xFFFF:
		return uint16(r)
	}
	if cid, ok := e.astral[r]; ok {
		return cid
	}
	next := firstAstralCID + len(e.order)
	if next > lastAstralCID {
		return replacementCID
	}
	e.astral[r] = uint16(next)
	e.order = append(e.order, r)
	return uint16(next)
}

// toUnicodeCMap maps every CID back to the UTF-16 code unit it was made
// from. Like Tesseract's renderer it is an identity map, but split into
// ranges that stay within one high byte (a bfrange must not cross one) and
// skip the surrogate block, which holds the non-BMP characters instead.
func (e *textEncoder) toUnicodeCMap() []byte {
	var ranges, chars []string
	for hi := 0; hi <= 0xFF; hi++ {
		if hi >= 0xD8 && hi <= 0xDF {
			continue
		}
		ranges = append(ranges, fmt.Sprintf("<%02X00> <%02XFF> <%02X00>", hi, hi, hi))
	}
	for i, r := range e.order {
		var dst strings.Builder
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&dst, "%04X", u)
		}
		chars = append(chars, fmt.Sprintf("<%04X> <%s>", firstAstralCID+i, dst.String()))
	}

	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	writeBlocks(&b, "bfrange", ranges)
	writeBlocks(&b, "bfchar", chars)
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return []byte(b.String())
}

func writeBlocks(b *strings.Builder, op string, entries []string) {
	for len(entries) > 0 {
		n := min(len(entries), cmapBlockLen)
		fmt.Fprintf(b, "%d begin%s\n%s\nend%s\n", n, op, strings.Join(entries[:n], "\n"), op)
		entries = entries[n:]
	}
}

// glyphFont is the document's single text-layer font. The Type0 dictionary
// exists from the start so pages can reference it; its ToUnicode CMap is
// attached by finish, once every word has been encoded.
type glyphFont struct {
	ref  types.IndirectRef
	dict types.Dict
	enc  *textEncoder
}

func newGlyphFont(xt *model.XRefTable, z *deflater) (*glyphFont, error) {
	file, err := z.stream(glyphlessTTF, nil)
	if err != nil {
		return nil, fmt.Errorf("font file: %w", err)
	}
	// Length1 (the uncompressed size) is required for FontFile2.
	file.Insert("Length1", types.Integer(len(glyphlessTTF)))
	fileRef, err := xt.IndRefForNewObject(*file)
	if err != nil {
		return nil, err
	}

	descRef, err := xt.IndRefForNewObject(types.Dict{
		"Type":     types.Name("FontDescriptor"),
		"FontName": types.Name(fontName),
		// Symbolic (4) + FixedPitch (1): the font has no standard Latin
		// glyph set and every glyph is equally wide.
		"Flags":       types.Integer(5),
		"FontBBox":    types.NewIntegerArray(0, 0, glyphWidth, 1000),
		"ItalicAngle": types.Integer(0),
		// Ascent 1000 / Descent ~0 makes extracted word boxes span exactly
		// baseline to baseline+size, i.e. the OCR box the text was placed in.
		"Ascent":    types.Integer(1000),
		"Descent":   types.Integer(-1),
		"CapHeight": types.Integer(1000),
		"StemV":     types.Integer(80),
		"FontFile2": *fileRef,
	})
	if err != nil {
		return nil, err
	}

	// Every CID draws glyph 1, the font's single (empty) glyph, so the
	// font does not need a glyph for each character it is used for.
	gidMap := make([]byte, 2*0x10000)
	for i := 1; i < len(gidMap); i += 2 {
		gidMap[i] = 1
	}
	gidStream, err := z.stream(gidMap, nil)
	if err != nil {
		return nil, fmt.Errorf("CIDToGIDMap: %w", err)
	}
	gidRef, err := xt.IndRefForNewObject(*gidStream)
	if err != nil {
		return nil, err
	}

	cidRef, err := xt.IndRefForNewObject(types.Dict{
		"Type":     types.Name("Font"),
		"Subtype":  types.Name("CIDFontType2"),
		"BaseFont": types.Name(fontName),
		"CIDSystemInfo": types.Dict{
			"Registry":   types.StringLiteral("Adobe"),
			"Ordering":   types.StringLiteral("Identity"),
			"Supplement": types.Integer(0),
		},
		"FontDescriptor": *descRef,
		"CIDToGIDMap":    *gidRef,
		"DW":             types.Integer(glyphWidth),
	})
	if err != nil {
		return nil, err
	}

	dict := types.Dict{
		"Type":            types.Name("Font"),
		"Subtype":         types.Name("Type0"),
		"BaseFont":        types.Name(fontName),
		"Encoding":        types.Name("Identity-H"),
		"DescendantFonts": types.Array{*cidRef},
	}
	ref, err := xt.IndRefForNewObject(dict)
	if err != nil {
		return nil, err
	}
	return &glyphFont{ref: *ref, dict: dict, enc: newTextEncoder()}, nil
}

// finish adds the ToUnicode CMap, which can only be written once all text
// is known because non-BMP characters get their CIDs on first use.
func (f *glyphFont) finish(xt *model.XRefTable, z *deflater) error {
	sd, err := z.stream(f.enc.toUnicodeCMap(), nil)
	if err != nil {
		return fmt.Errorf("ToUnicode: %w", err)
	}
	ref, err := xt.IndRefForNewObject(*sd)
	if err != nil {
		return err
	}
	// dict shares its map with the object stored in the xref table.
	f.dict.Insert("ToUnicode", *ref)
	return nil
}
