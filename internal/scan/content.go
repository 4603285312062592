package scan

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// contentStats is what a page's content streams draw, as far as telling a
// scan from a born-digital page needs: text that shows, painted paths and
// shadings, and images.
type contentStats struct {
	text   int // text-showing operators in a visible rendering mode
	paints int // path-painting operators and shadings
	images int // image XObjects and inline images drawn
}

// maxFormDepth bounds how deep form XObjects are followed; a hostile file
// may nest (or loop) them without end.
const maxFormDepth = 3

// addPage adds the page's content streams.
func (st *contentStats) addPage(ctx *model.Context, page types.Dict, res types.Dict, b *budget) error {
	o, err := ctx.Dereference(page["Contents"])
	if err != nil {
		return err
	}
	var streams []types.Object
	switch v := o.(type) {
	case types.StreamDict:
		streams = []types.Object{v}
	case types.Array:
		streams = v
	}
	var content []byte
	for _, s := range streams {
		sd, _, err := ctx.DereferenceStreamDict(s)
		if err != nil || sd == nil {
			return fmt.Errorf("content stream: %v", err)
		}
		part, err := b.decode(sd, -1, "nội dung trang")
		if err != nil {
			return err
		}
		// Streams of one page are one content stream split anywhere
		// between tokens; a separating space keeps them apart.
		content = append(append(content, part...), ' ')
	}
	return st.add(ctx, content, res, 0, b)
}

// add reads one content stream drawn with the resources res.
func (st *contentStats) add(ctx *model.Context, content []byte, res types.Dict, depth int, b *budget) error {
	lx := &lexer{data: content}
	var last string // the operand just before the operator
	mode, saved := 0, []int(nil)
	for {
		tok, op := lx.next()
		switch {
		case tok == "":
			return nil
		case !op:
			last = tok
			continue
		}
		switch tok {
		case "q":
			saved = append(saved, mode)
		case "Q":
			if n := len(saved); n > 0 {
				mode, saved = saved[n-1], saved[:n-1]
			}
		case "Tr":
			mode, _ = strconv.Atoi(last)
		case "Tj", "TJ", "'", `"`:
			if mode != 3 && mode != 7 { // 3 is invisible (a scan's OCR layer), 7 adds to the clip only
				st.text++
			}
		case "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh":
			st.paints++
		case "BI":
			st.images++
			lx.skipInlineImage()
		case "Do":
			if err := st.xobject(ctx, res, last, depth, b); err != nil {
				return err
			}
		}
		last = ""
	}
}

// xobject counts an image, or reads a form's content with its resources.
func (st *contentStats) xobject(ctx *model.Context, res types.Dict, name string, depth int, b *budget) error {
	if len(name) < 2 || name[0] != '/' || res == nil {
		return nil
	}
	xo, err := ctx.DereferenceDict(res["XObject"])
	if err != nil || xo == nil {
		return err
	}
	sd, _, err := ctx.DereferenceStreamDict(xo[name[1:]])
	if err != nil || sd == nil {
		return err
	}
	switch s := sd.Subtype(); {
	case s != nil && *s == "Image":
		st.images++
	case s != nil && *s == "Form" && depth < maxFormDepth:
		sub, err := ctx.DereferenceDict(sd.Dict["Resources"])
		if err != nil {
			return err
		}
		if sub == nil {
			sub = res // a form without resources uses its page's
		}
		form, err := b.decode(sd, -1, "nội dung trang")
		if err != nil {
			return err
		}
		return st.add(ctx, form, sub, depth+1, b)
	}
	return nil
}

// lexer splits a content stream into operands and operators (PDF 32000-1
// 7.2, 8.2). Operands are returned whole, strings and names included, so
// that an operator inside a string is never taken for one.
type lexer struct {
	data []byte
	pos  int
}

func isSpace(c byte) bool {
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '
}

func isDelim(c byte) bool { return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0 }

// next returns the next token and whether it is an operator; "" at the end.
func (l *lexer) next() (tok string, op bool) {
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.data) && l.data[l.pos] != '\n' && l.data[l.pos] != '\r' {
				l.pos++
			}
		case c == '(':
			return l.literal(), false
		case c == '<' && l.pos+1 < len(l.data) && l.data[l.pos+1] == '<',
			c == '>' && l.pos+1 < len(l.data) && l.data[l.pos+1] == '>':
			l.pos += 2
			return string(l.data[l.pos-2 : l.pos]), false
		case c == '<':
			start := l.pos
			for l.pos < len(l.data) && l.data[l.pos] != '>' {
				l.pos++
			}
			l.pos = min(l.pos+1, len(l.data))
			return string(l.data[start:l.pos]), false
		case c == '/':
			start := l.pos
			l.pos++
			for l.pos < len(l.data) && !isSpace(l.data[l.pos]) && !isDelim(l.data[l.pos]) {
				l.pos++
			}
			return string(l.data[start:l.pos]), false
		case isDelim(c): // [ ] { } and a stray ) or >
			l.pos++
			return string(c), false
		default:
			start := l.pos
			for l.pos < len(l.data) && !isSpace(l.data[l.pos]) && !isDelim(l.data[l.pos]) {
				l.pos++
			}
			w := string(l.data[start:l.pos])
			if w == "true" || w == "false" || w == "null" || (w[0] >= '0' && w[0] <= '9') || w[0] == '-' || w[0] == '+' || w[0] == '.' {
				return w, false
			}
			return w, true
		}
	}
	return "", false
}

// literal reads a (string), with nested parentheses and escapes.
func (l *lexer) literal() string {
	start, depth := l.pos, 0
	for ; l.pos < len(l.data); l.pos++ {
		switch l.data[l.pos] {
		case '\\':
			l.pos++
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				l.pos++
				return string(l.data[start:l.pos])
			}
		}
	}
	return string(l.data[start:])
}

// skipInlineImage skips an inline image's dictionary and binary data, up to
// and including EI: the data is whatever bytes, and must not be lexed.
func (l *lexer) skipInlineImage() {
	for {
		tok, op := l.next()
		if tok == "" || op && tok == "ID" {
			break
		}
	}
	l.pos++ // the one white-space byte after ID
	for l.pos < len(l.data) {
		j := bytes.Index(l.data[l.pos:], []byte("EI"))
		if j < 0 {
			l.pos = len(l.data)
			return
		}
		at, end := l.pos+j, l.pos+j+2
		l.pos = end
		if at > 0 && isSpace(l.data[at-1]) && (end == len(l.data) || isSpace(l.data[end])) {
			return
		}
	}
}
