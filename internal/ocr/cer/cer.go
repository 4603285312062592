// Package cer measures OCR quality as the character error rate against a
// ground truth, the figure the OCR benchmark and tests report.
package cer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Rate is the edit distance from got to want over runes, divided by the
// length of want, after NFC normalisation and folding every run of
// whitespace to one space (line breaks and layout are not what we grade).
// An empty want gives 0 for an empty got and 1 otherwise.
func Rate(got, want string) float64 {
	g, w := []rune(Fold(got)), []rune(Fold(want))
	if len(w) == 0 {
		if len(g) == 0 {
			return 0
		}
		return 1
	}
	return float64(Levenshtein(g, w)) / float64(len(w))
}

// Fold is NFC with whitespace runs folded to single spaces, trimmed.
func Fold(s string) string {
	return strings.Join(strings.FieldsFunc(norm.NFC.String(s), unicode.IsSpace), " ")
}

// Pages splits a multi-page ground truth at form feeds.
func Pages(gt string) []string { return strings.Split(gt, "\f") }

// Levenshtein is the edit distance (insert, delete, substitute, each 1).
func Levenshtein(a, b []rune) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
