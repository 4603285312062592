package pdfa

import (
	"bytes"
	"regexp"
)

// encryptRE finds an Encrypt entry in any trailer or xref stream
// dictionary. Looked for in the bytes because pdfcpu cannot even open a
// file encrypted with an unknown password.
var encryptRE = regexp.MustCompile(`/Encrypt\s*(\d+\s+\d+\s+R|<<)`)

// checkRaw tests the rules that concern bytes rather than objects.
func (c *checker) checkRaw() {
	d := c.data
	if !isHeader(d) {
		c.fail("6.1.2", "the file does not start with %%PDF-1.n")
	} else if !hasBinaryComment(d) {
		c.fail("6.1.2", "the header is not followed by a comment of at least four bytes above 127")
	}
	// Only a single end-of-line marker may follow the last %%EOF.
	if i := bytes.LastIndex(d, []byte("%%EOF")); i < 0 {
		c.fail("6.1.3", "no %%EOF marker")
	} else if rest := d[i+5:]; len(bytes.TrimLeft(rest, "\r\n")) > 0 || len(rest) > 2 {
		c.fail("6.1.3", "%d bytes follow the last %%EOF marker", len(rest))
	}
	if encryptRE.Match(d) {
		c.fail("6.1.3", "the trailer has an Encrypt entry: encryption is not allowed")
	}
}

func isHeader(d []byte) bool {
	return len(d) >= 8 && bytes.HasPrefix(d, []byte("%PDF-1.")) && d[7] >= '0' && d[7] <= '7'
}

// hasBinaryComment reports whether the line after the header is a comment
// with at least four bytes above 127, which tells transfer tools the file
// is binary.
func hasBinaryComment(d []byte) bool {
	i := bytes.IndexAny(d, "\r\n")
	if i < 0 {
		return false
	}
	rest := bytes.TrimLeft(d[i:], "\r\n")
	if len(rest) < 5 || rest[0] != '%' {
		return false
	}
	for _, b := range rest[1:5] {
		if b <= 127 {
			return false
		}
	}
	return true
}
