// Package extract finds fields in the OCR text of Vietnamese administrative papers, to pre-fill what
// the uploader did not give: the paper's title (Title), and with Fields the owners' identifiers, the
// number and notation, dates and the issuing body. Every value is a proposal that says where in the
// text it was read, for a person to confirm.
package extract

import (
	"strings"
	"unicode"
)

// Title returns the paper's title: the first line set in capitals that is not part of the national
// heading ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc") nor an issuing
// body's name. Papers put it there by the rules of Nghị định 30/2020. It returns "" when no line fits.
func Title(text string) string {
	for _, line := range strings.Split(text, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if len([]rune(line)) < 8 || !capitals(line) || heading(line) {
			continue
		}
		return line
	}
	return ""
}

// capitals reports whether a line is mostly capital letters, with at least two words.
func capitals(line string) bool {
	var upper, letters int
	for _, r := range line {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters >= 6 && upper*10 >= letters*9 && strings.Count(line, " ") >= 1
}

func heading(line string) bool {
	for _, h := range []string{"CỘNG HÒA", "CỘNG HOÀ", "ĐỘC LẬP", "ỦY BAN", "UỶ BAN", "BỘ ", "SỞ ", "PHÒNG ", "CHI CỤC"} {
		if strings.HasPrefix(line, h) {
			return true
		}
	}
	return false
}
