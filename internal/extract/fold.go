package extract

import (
	"strings"
	"unicode"
)

// folded is a text lowercased and stripped of Vietnamese diacritics, so that patterns match what OCR
// reads with or without them ("ngày", "ngay", "NGÀY"), with a map back to the original's offsets.
type folded struct {
	s string
	// at[i] is the offset in the original text of the rune that produced byte i of s; at[len(s)] is the
	// original's length. Dropped combining marks belong to the rune before them.
	at []int
}

// foldGroups lists each base letter followed by its Vietnamese variants, in lower case.
var foldGroups = [...]string{
	"aàáảãạăằắẳẵặâầấẩẫậ", "eèéẻẽẹêềếểễệ", "iìíỉĩị", "oòóỏõọôồốổỗộơờớởỡợ", "uùúủũụưừứửữự", "yỳýỷỹỵ", "dđ",
}

func foldRune(r rune) rune {
	r = unicode.ToLower(r)
	if r < 0x80 {
		return r
	}
	for _, g := range foldGroups {
		if strings.ContainsRune(g, r) {
			return rune(g[0])
		}
	}
	return r
}

func fold(text string) folded {
	var b strings.Builder
	b.Grow(len(text))
	at := make([]int, 0, len(text)+1)
	for i, r := range text {
		// Decomposed text (NFD) carries its diacritics as combining marks: drop them.
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		n, _ := b.WriteRune(foldRune(r))
		for range n {
			at = append(at, i)
		}
	}
	return folded{s: b.String(), at: append(at, len(text))}
}

// Fold returns text lowercased and stripped of Vietnamese diacritics, đ made d: the folding search
// applies, so that storage/memory matches as PostgreSQL's unaccent does.
func Fold(text string) string { return fold(text).s }
