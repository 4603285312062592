package ocr

import (
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// isLine tells the hOCR classes Tesseract uses for text lines: captions
// and headings are lines too.
func isLine(class string) bool {
	switch class {
	case "ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat":
		return true
	}
	return false
}

// parseHOCR reads Tesseract's hOCR output into lines and words. Tesseract
// writes well-formed XHTML, but word text may contain HTML entities, so the
// decoder runs in its lenient HTML mode.
func parseHOCR(s string) (*Page, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity

	var (
		page    Page
		stack   []string // class of each open element
		para    = -1
		line    *Line
		word    *Word
		text    strings.Builder
		sumConf float64
		nWords  int
	)
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			class, title := attr(t, "class"), attr(t, "title")
			stack = append(stack, class)
			switch {
			case class == "ocr_par":
				para++
			case isLine(class):
				if para < 0 { // a line outside any paragraph still needs one
					para = 0
				}
				box, err := bbox(title)
				if err != nil {
					return nil, fmt.Errorf("line %s: %w", attr(t, "id"), err)
				}
				line = &Line{Box: box, Paragraph: para}
			case class == "ocrx_word":
				box, err := bbox(title)
				if err != nil {
					return nil, fmt.Errorf("word %s: %w", attr(t, "id"), err)
				}
				word = &Word{Box: box, Conf: wconf(title)}
				text.Reset()
			}
		case xml.CharData:
			if word != nil {
				text.Write(t)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unbalanced </%s>", t.Name.Local)
			}
			class := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch {
			case class == "ocrx_word" && word != nil:
				word.Text = norm.NFC.String(strings.TrimSpace(text.String()))
				if word.Text != "" && line != nil {
					line.Words = append(line.Words, *word)
					sumConf += word.Conf
					nWords++
				}
				word = nil
			case isLine(class) && line != nil:
				if len(line.Words) > 0 {
					page.Lines = append(page.Lines, *line)
				}
				line = nil
			}
		}
	}
	if nWords > 0 {
		page.Confidence = sumConf / float64(nWords)
	}
	page.Text = joinText(page.Lines)
	return &page, nil
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

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// titleProp returns the fields of one property of an hOCR title, e.g.
// "bbox 10 20 30 40; x_wconf 95" → ["10" "20" "30" "40"] for "bbox".
func titleProp(title, name string) []string {
	for _, p := range strings.Split(title, ";") {
		f := strings.Fields(p)
		if len(f) > 0 && f[0] == name {
			return f[1:]
		}
	}
	return nil
}

func bbox(title string) (image.Rectangle, error) {
	f := titleProp(title, "bbox")
	if len(f) != 4 {
		return image.Rectangle{}, fmt.Errorf("no bbox in title %q", title)
	}
	var v [4]int
	for i, s := range f {
		n, err := strconv.Atoi(s)
		if err != nil {
			return image.Rectangle{}, fmt.Errorf("bbox in title %q: %w", title, err)
		}
		v[i] = n
	}
	return image.Rect(v[0], v[1], v[2], v[3]), nil
}

func wconf(title string) float64 {
	f := titleProp(title, "x_wconf")
	if len(f) != 1 {
		return 0
	}
	c, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0
	}
	return c
}
