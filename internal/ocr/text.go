package ocr

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// strayConf is the confidence below which a letterless mark may be noise;
// real punctuation scores 85 and more on our scans.
const strayConf = 60

// collect builds the page from Tesseract's last result, boxes mapped to
// the original image.
func collect(t tess, g geometry) *Page {
	page := &Page{Width: g.w0, Height: g.h0}
	var (
		para    = -1
		line    *Line
		sumConf float64
		nWords  int
	)
	flush := func() {
		if line != nil && len(line.Words) > 0 {
			page.Lines = append(page.Lines, *line)
		}
		line = nil
	}
	t.words(func(w rawWord) {
		if w.newPara || para < 0 {
			para++
		}
		if w.newLine || line == nil {
			flush()
			line = &Line{Box: g.box(w.line), Paragraph: para}
		}
		text := norm.NFC.String(strings.TrimSpace(w.text))
		if text == "" || stray(text, w) {
			return
		}
		line.Words = append(line.Words, Word{Text: text, Box: g.box(w.box), Conf: w.conf})
		sumConf += w.conf
		nWords++
	})
	flush()
	if nWords > 0 {
		page.Confidence = sumConf / float64(nWords)
	}
	page.Text = joinText(page.Lines)
	return page
}

// stray tells a mark that is no word: Tesseract's empty "words" in
// picture regions, and the top of a stacked Vietnamese diacritic (the
// tilde over Ễ, at 200 dpi) that sticks up into the line above and is read
// there as a low-confidence "-" at the line's foot. Such a fragment has no
// letter or digit, is doubted, and is flat against its line.
func stray(text string, w rawWord) bool {
	if w.conf >= strayConf || strings.IndexFunc(text, func(r rune) bool {
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}) >= 0 {
		return false
	}
	h, lh := w.box[3]-w.box[1], w.line[3]-w.line[1]
	return 4*h < lh
}

func joinText(lines []Line) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
			if l.Paragraph != lines[i-1].Paragraph {
				b.WriteByte('\n')
			}
		}
		for j, w := range l.Words {
			if j > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(w.Text)
		}
	}
	return b.String()
}
