package pdfa

import (
	"encoding/hex"
	"image"
	"strconv"
)

const (
	imageRes = "Im1"

	// A space gets at least this fraction of the font size, so that text
	// extraction still sees a word gap when OCR boxes touch or overlap.
	minSpaceEm = 0.1
)

// geometry converts image pixels (origin top-left) to PDF points (origin
// bottom-left) for one page.
type geometry struct {
	sx, sy float64 // points per pixel
	height float64 // page height in points
}

func (g geometry) x(px int) float64 { return float64(px) * g.sx }
func (g geometry) y(px int) float64 { return g.height - float64(px)*g.sy }

// pageContent draws the page image over the whole page and then the OCR
// words as invisible text (render mode 3) on top, so that selecting and
// searching works on the scan while nothing visible is added to it.
func pageContent(g geometry, width float64, lines [][]Word, enc *textEncoder) []byte {
	b := make([]byte, 0, 64+len(lines)*512)
	b = append(b, "q\n"...)
	b = num(b, width)
	b = append(b, " 0 0 "...)
	b = num(b, g.height)
	b = append(b, " 0 0 cm\n/"+imageRes+" Do\nQ\n"...)

	text := false
	for _, line := range lines {
		words := lineWords(line)
		if len(words) == 0 {
			continue
		}
		if !text {
			b = append(b, "BT\n3 Tr\n"...)
			text = true
		}
		b = appendLine(b, g, words, enc)
	}
	if text {
		b = append(b, "ET\n"...)
	}
	return b
}

// placedWord is a word ready for the text layer.
type placedWord struct {
	text string
	box  image.Rectangle
}

func lineWords(line []Word) []placedWord {
	words := make([]placedWord, 0, len(line))
	for _, w := range line {
		t := normalize(w.Text)
		box := w.Box.Canon()
		if t == "" || box.Dx() <= 0 {
			continue
		}
		words = append(words, placedWord{text: t, box: box})
	}
	return words
}

// appendLine writes one OCR line. All its words share one font size and
// baseline, taken from the line's extent, so text extraction groups them
// into one line; horizontally each word is stretched to its own box. A
// space glyph, stretched across the gap to the next word, separates words
// explicitly rather than leaving it to the extractor's gap heuristics.
func appendLine(b []byte, g geometry, words []placedWord, enc *textEncoder) []byte {
	top, bottom := words[0].box.Min.Y, words[0].box.Max.Y
	for _, w := range words[1:] {
		top = min(top, w.box.Min.Y)
		bottom = max(bottom, w.box.Max.Y)
	}
	size := float64(max(bottom-top, 1)) * g.sy
	baseline := g.y(bottom)
	em := size * glyphWidth / 1000 // unscaled glyph advance in points

	b = append(b, "/"+fontRes+" "...)
	b = num(b, size)
	b = append(b, " Tf\n"...)

	var cids []byte
	for i, w := range words {
		var n int
		cids, n = enc.encode(cids[:0], w.text)
		if n == 0 {
			continue
		}
		x0, x1 := g.x(w.box.Min.X), g.x(w.box.Max.X)
		b = appendRun(b, x0, baseline, 100*(x1-x0)/(float64(n)*em), cids)

		if i+1 < len(words) {
			gap := max(g.x(words[i+1].box.Min.X)-x1, minSpaceEm*size)
			cids, _ = enc.encode(cids[:0], " ")
			b = appendRun(b, x1, baseline, 100*gap/em, cids)
		}
	}
	return b
}

// appendRun shows cids at (x, y) stretched horizontally by scale percent.
func appendRun(b []byte, x, y, scale float64, cids []byte) []byte {
	b = num(b, scale)
	b = append(b, " Tz 1 0 0 1 "...)
	b = num(b, x)
	b = append(b, ' ')
	b = num(b, y)
	b = append(b, " Tm <"...)
	b = hex.AppendEncode(b, cids)
	return append(b, "> Tj\n"...)
}

// num formats v with enough precision for 1/100 pt placement and without
// exponent notation, which PDF does not allow.
func num(b []byte, v float64) []byte {
	s := strconv.AppendFloat(b, v, 'f', 3, 64)
	// Trim trailing zeros (and a bare point) to keep streams small.
	for len(s) > len(b) && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	if string(s[len(b):]) == "-0" {
		s = append(s[:len(b)], '0')
	}
	return s
}
