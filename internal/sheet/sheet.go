// Package sheet is what sohoa knows of the sheets it prints for a dossier's scanning: the cover
// sheet (phiếu bìa hồ sơ) that goes on top of a dossier's stack, and the separator sheets (tờ phân
// cách) put between two of its papers. Each carries a QR code (Text); Find reads it back from a
// scanned page, so that ingest can split a stack scanned in one go into the dossier's papers and
// leave the sheets out of every archive copy. Printing is package receipt's.
//
// The QR text, version 1, uses only the QR code's alphanumeric characters (0-9 A-Z space $ % * + -
// . / :), which pack 5.5 bits a character instead of 8, so the code has fewer, larger modules for
// the same print size and reads through more noise:
//
//	SOHOA:1:BIA:000.00.53.H26-261127-0001    a cover sheet of that dossier
//	SOHOA:1:TACH:000.00.53.H26-261127-0001   a separator naming that dossier
//	SOHOA:1:TACH                             a separator naming no dossier (its papers go with the last cover)
//
// BIA and TACH are the Vietnamese words (bìa, tách) staff would read off the code with a phone. The
// version lets a later layout be told apart: Parse refuses any version but 1, so a reader that does
// not know a sheet keeps it as a page rather than guessing what it means.
package sheet

import (
	"strings"

	"github.com/sohoa-vn/sohoa/internal/code"
)

// Kind is which sheet a page is.
type Kind string

const (
	// Cover goes on top of a dossier's stack and names the dossier.
	Cover Kind = "cover"
	// Separator goes between two papers; it may name the dossier or not.
	Separator Kind = "separator"
)

// Sheet is what a sheet's QR code says.
type Sheet struct {
	Kind Kind `json:"kind"`
	// Dossier is the dossier code (internal/code), e.g. 000.00.53.H26-261127-0001; a separator may
	// leave it empty.
	Dossier string `json:"dossier,omitempty"`
}

// The parts of the QR text.
const (
	prefix     = "SOHOA:1:"
	wordCover  = "BIA"
	wordSepar  = "TACH"
	fieldSep   = ":"
	maxTextLen = len(prefix) + len(wordSepar) + len(fieldSep) + len("000.00.00.H00-YYMMDD-XXXX")
)

// Text is the QR text of s. Parse(s.Text()) gives s back when s is valid (a known Kind; a dossier
// code of the right form, required on a cover); printing checks that before it prints.
func (s Sheet) Text() string {
	word := wordSepar
	if s.Kind == Cover {
		word = wordCover
	}
	if s.Dossier == "" {
		return prefix + word
	}
	return prefix + word + fieldSep + s.Dossier
}

// Valid reports whether s is a sheet Parse would give back from its Text.
func (s Sheet) Valid() bool {
	got, ok := Parse(s.Text())
	return ok && got == s
}

// Parse reads a QR text. It is strict: only the exact forms of the package comment are sheets, with
// a dossier code that internal/code accepts. Anything else, such as the dossier receipt's QR (the
// bare dossier code or a look-up URL) or a citizen ID card's, is not a sheet.
func Parse(text string) (Sheet, bool) {
	if len(text) > maxTextLen {
		return Sheet{}, false
	}
	rest, ok := strings.CutPrefix(text, prefix)
	if !ok {
		return Sheet{}, false
	}
	word, dossier, named := strings.Cut(rest, fieldSep)
	var s Sheet
	switch word {
	case wordCover:
		s.Kind = Cover
	case wordSepar:
		s.Kind = Separator
	default:
		return Sheet{}, false
	}
	switch {
	case !named && s.Kind == Separator:
		return s, true
	case !named:
		return Sheet{}, false // a cover always names its dossier
	}
	if _, err := code.ParseDossier(dossier); err != nil {
		return Sheet{}, false
	}
	s.Dossier = dossier
	return s, true
}
