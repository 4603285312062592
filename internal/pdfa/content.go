package pdfa

import (
	"encoding/hex"
	"image"
	"math"
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

// pageContent draws the page image over the whole width × height page
// and then the OCR words as invisible text (render mode 3) on top, laid
// out in ts, so that selecting and searching works on the scan while
// nothing visible is added to it.
func pageContent(width, height float64, ts textSpace, lines [][]Word, enc *textEncoder) []byte {
	b := make([]byte, 0, 64+len(lines)*512)
	b = append(b, "q\n"...)
	b = num(b, width)
	b = append(b, " 0 0 "...)
	b = num(b, height)
	b = append(b, " 0 0 cm\n/"+imageRes+" Do\nQ\n"...)
	g := ts.g

	// A skewed scan's axis-aligned word boxes overlap the next line's, so
	// lines whose boxes show a slope are laid out from their true word
	// sizes instead (skew.go); the angle comes from the boxes alone,
	// whatever the OCR did to find them.
	words := make([][]placedWord, 0, len(lines))
	frms := make([][]wordFrame, 0, len(lines))
	for _, line := range lines {
		if ws := lineWords(ts, line); len(ws) > 0 {
			words = append(words, ws)
			frms = append(frms, frames(g, ws))
		}
	}
	angles := lineAngles(frms)
	text := false
	for i, ws := range words {
		if !text {
			b = append(b, "q\n"...)
			b = ts.appendMatrix(b)
			b = append(b, "BT\n3 Tr\n"...)
			text = true
		}
		l := levelLayout(g, ws)
		if angles[i] != 0 {
			l = skewedLayout(frms[i], angles[i])
		}
		b = appendLine(b, l, ws, enc)
	}
	if text {
		b = append(b, "ET\nQ\n"...)
	}
	return b
}

// placedWord is a word ready for the text layer.
type placedWord struct {
	text string
	box  image.Rectangle
}

// lineWords keeps the words that have text and a box, their boxes on the
// upright image.
func lineWords(ts textSpace, line []Word) []placedWord {
	words := make([]placedWord, 0, len(line))
	for _, w := range line {
		t := normalize(w.Text)
		box := ts.box(w.Box.Canon())
		if t == "" || box.Dx() <= 0 {
			continue
		}
		words = append(words, placedWord{text: t, box: box})
	}
	return words
}

// lineLayout places one line of the text layer: all its words share one
// font size and baseline, so text extraction groups them into one line,
// and each word spans its own left and right edge (points).
type lineLayout struct {
	baseline, size float64
	spans          [][2]float64
}

// levelLayout takes size and baseline from the line's extent and each
// word's span from its box: exact for a straight scan.
func levelLayout(g geometry, words []placedWord) lineLayout {
	top, bottom := words[0].box.Min.Y, words[0].box.Max.Y
	spans := make([][2]float64, len(words))
	for i, w := range words {
		top = min(top, w.box.Min.Y)
		bottom = max(bottom, w.box.Max.Y)
		spans[i] = [2]float64{g.x(w.box.Min.X), g.x(w.box.Max.X)}
	}
	return lineLayout{baseline: g.y(bottom), size: float64(max(bottom-top, 1)) * g.sy, spans: spans}
}

// appendLine writes one OCR line: each word stretched horizontally to its
// span, and a space glyph, stretched across the gap to the next word,
// separating words explicitly rather than leaving it to the extractor's
// gap heuristics.
func appendLine(b []byte, l lineLayout, words []placedWord, enc *textEncoder) []byte {
	em := l.size * glyphWidth / 1000 // unscaled glyph advance in points

	b = append(b, "/"+fontRes+" "...)
	b = num(b, l.size)
	b = append(b, " Tf\n"...)

	// After a Tj the text position has moved by the run's stretched width,
	// so a run that starts where the previous one ended (a space after its
	// word, a word after a full-width space) needs no Tm of its own.
	var cids []byte
	at := math.Inf(-1) // where the last run ended
	run := func(x0, x1 float64, n int) {
		b = num(b, 100*(x1-x0)/(float64(n)*em))
		b = append(b, " Tz "...)
		if math.Abs(x0-at) > 0.005 {
			b = append(b, "1 0 0 1 "...)
			b = num(b, x0)
			b = append(b, ' ')
			b = num(b, l.baseline)
			b = append(b, " Tm "...)
		}
		b = append(b, '<')
		b = hex.AppendEncode(b, cids)
		b = append(b, "> Tj\n"...)
		at = x1
	}
	for i, w := range words {
		var n int
		cids, n = enc.encode(cids[:0], w.text)
		if n == 0 {
			continue
		}
		x0, x1 := l.spans[i][0], l.spans[i][1]
		run(x0, x1, n)
		if i+1 < len(words) {
			gap := max(l.spans[i+1][0]-x1, minSpaceEm*l.size)
			cids, _ = enc.encode(cids[:0], " ")
			run(x1, x1+gap, 1)
		}
	}
	return b
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
