package receipt

import (
	"fmt"
	"slices"

	"github.com/sohoa-vn/sohoa/internal/sign/font"
)

// style is how a run of text is drawn. The one embedded face is regular;
// bold is the regular outline stroked as well as filled, italic a slanted
// text matrix. Both leave the text itself untouched for extraction.
type style struct{ bold, italic bool }

var (
	regular = style{}
	bold    = style{bold: true}
	italic  = style{italic: true}
)

// span is a run of text in one style.
type span struct {
	text string
	st   style
}

// typesetter maps text to glyphs and remembers which glyphs, for which
// characters, the page uses: the subset and the ToUnicode map are made from
// that record.
type typesetter struct {
	f     *font.Font
	runes map[uint16]rune
	order []uint16
}

func newTypesetter() (*typesetter, error) {
	f, err := font.Serif()
	if err != nil {
		return nil, fmt.Errorf("receipt: font: %w", err)
	}
	return &typesetter{f: f, runes: map[uint16]rune{}}, nil
}

// glyphs shapes s one glyph per character: Vietnamese in NFC needs no
// ligatures or mark positioning from a font that has the precomposed letters.
func (t *typesetter) glyphs(s string) ([]uint16, error) {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		g, err := t.f.Glyph(r)
		if err != nil {
			return nil, fmt.Errorf("receipt: %q: %w", s, err)
		}
		if _, ok := t.runes[g]; !ok {
			t.runes[g] = r
			t.order = append(t.order, g)
		}
		out = append(out, g)
	}
	return out, nil
}

// width is the advance of s at size points.
func (t *typesetter) width(s string, size float64) (float64, error) {
	gs, err := t.glyphs(s)
	if err != nil {
		return 0, err
	}
	var w int
	for _, g := range gs {
		w += t.f.Advance(g)
	}
	return float64(w) * size / 1000, nil
}

// char is one character with its style; wrapping works on these so that a
// line break may fall between two styles or within one.
type char struct {
	r  rune
	st style
}

// wrap breaks spans at spaces into lines no wider than first (the first
// line) and rest (the others). A word wider than a whole line gets a line
// of its own and overflows it rather than being cut: a code or URL split in
// two would no longer read as one.
func (t *typesetter) wrap(spans []span, size, first, rest float64) ([][]span, error) {
	var words [][]char
	var cur []char
	for _, sp := range spans {
		for _, r := range sp.text {
			if r != ' ' {
				cur = append(cur, char{r, sp.st})
			} else if len(cur) > 0 {
				words, cur = append(words, cur), nil
			}
		}
	}
	if len(cur) > 0 {
		words = append(words, cur)
	}
	// Widths add up: the font is set without kerning.
	var lines [][]span
	var line []char
	var lineW float64
	limit := first
	for _, w := range words {
		ww, err := t.width(plain(w), size)
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			line, lineW = slices.Clone(w), ww
			continue
		}
		sw, err := t.width(" ", size)
		if err != nil {
			return nil, err
		}
		if lineW+sw+ww > limit {
			lines = append(lines, group(line))
			line, lineW, limit = slices.Clone(w), ww, rest
			continue
		}
		line = append(append(line, char{' ', line[len(line)-1].st}), w...)
		lineW += sw + ww
	}
	if len(line) > 0 {
		lines = append(lines, group(line))
	}
	return lines, nil
}

func plain(cs []char) string {
	rs := make([]rune, len(cs))
	for i, c := range cs {
		rs[i] = c.r
	}
	return string(rs)
}

// group joins neighbouring characters of one style into spans.
func group(cs []char) []span {
	var out []span
	for _, c := range cs {
		if n := len(out); n > 0 && out[n-1].st == c.st {
			out[n-1].text += string(c.r)
		} else {
			out = append(out, span{string(c.r), c.st})
		}
	}
	return out
}
