package sign

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ASCII transliterates s to printable ASCII by stripping Vietnamese
// diacritics ("Ủy ban nhân dân quận Lê Chân" → "Uy ban nhan dan quan Le Chan").
//
// Sign no longer needs it (it writes Vietnamese as UTF-16 hex strings); it
// stays for places that only take ASCII, such as file names and headers of
// systems that still choke on UTF-8.
func ASCII(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case r == 'đ':
			b.WriteByte('d')
		case r == 'Đ':
			b.WriteByte('D')
		case unicode.Is(unicode.Mn, r):
			// Combining mark left over by NFD: the diacritic itself.
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
			// Control characters have no business in a signer's name.
		case r < 0x80:
			b.WriteRune(r)
		default:
			b.WriteString(asciiFallback(r))
		}
	}
	return strings.TrimSpace(b.String())
}

// asciiFallback maps the punctuation that office documents commonly carry in
// names and reasons; anything else becomes '?' so that a lossy conversion is
// visible rather than silent.
func asciiFallback(r rune) string {
	switch r {
	case '‘', '’', '‚', '′':
		return "'"
	case '“', '”', '„', '″':
		return `"`
	case '–', '—', '−':
		return "-"
	case '…':
		return "..."
	case '\u00a0', '\u2009', '\u202f':
		return " "
	case '№':
		return "No."
	}
	if unicode.IsSpace(r) {
		return " "
	}
	return "?"
}
