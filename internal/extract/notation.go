package extract

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// notationLabel is "Số:" (or "So", "SỐ", "Số" without colon) before a digit, in folded text.
	notationLabel = regexp.MustCompile(`so\s*[:.]?[ \t]*\d`)
	// notationBody is a number, then parts joined by "/" and "-", letters allowed after the number:
	// 110/KH-UBND, 12/2021/QĐ-UBND, 45/TTr-UBND, 123/HD/NN. OCR may put spaces around "/" and "-".
	notationBody = regexp.MustCompile(`^(\d{1,6})((?:[ \t]*/[ \t]*[\p{L}\d]+(?:[ \t]*-[ \t]*[\p{L}\d]+)*)+)`)
	blanks       = regexp.MustCompile(`[ \t]+`)
)

// notations finds the paper's number and notation ("Số: 110/KH-UBND"). The label must begin with a
// capital S and not inside a word: papers cite other papers in lower case ("Quyết định số
// 12/2021/QĐ-UBND"), and those are references, not this paper's own number.
func (d *doc) notations() []Field {
	var fs []Field
	for _, m := range notationLabel.FindAllStringIndex(d.f.s, -1) {
		start, _ := d.orig(m[0], m[1])
		if d.text[start] != 'S' || (start > 0 && letterBefore(d.text[:start])) {
			continue
		}
		digits := d.f.at[m[1]-1]
		b := notationBody.FindStringSubmatchIndex(d.text[digits:])
		if b == nil || !strings.ContainsFunc(d.text[digits+b[4]:digits+b[5]], unicode.IsLetter) {
			continue
		}
		end := digits + b[1]
		conf := 0.6
		if start < d.header {
			conf = 0.9
		}
		value := blanks.ReplaceAllString(d.text[digits:end], "")
		fs = append(fs,
			d.field(Notation, value, digits, end, conf),
			d.field(Number, d.text[digits+b[2]:digits+b[3]], digits+b[2], digits+b[3], conf))
	}
	return fs
}

func letterBefore(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
