package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

var (
	// wordDate is "ngày 29 tháng 4 năm 2021" folded, so "ngay 29 thang 4 nam 2021" from OCR that lost
	// the diacritics matches too; the parts may be split across lines.
	wordDate = regexp.MustCompile(`ngay\s*(\d{1,2})\s*,?\s*thang\s*(\d{1,2})\s*,?\s*nam\s*(\d{4})`)
	// numericDate is 15/06/2021, 15-06-2021 or 15.06.2021, with a space OCR may add around a separator.
	numericDate = regexp.MustCompile(`(\d{1,2}) ?([/.-]) ?(\d{1,2}) ?([/.-]) ?(\d{4})`)
	// placeBefore is the place of a place-date line just before "ngày": capitalised words, a comma.
	placeBefore = regexp.MustCompile(`(?:^|\s)(?:TP\.\s*)?\p{Lu}[\p{L}\p{M}.'-]*(?:\s+\p{Lu}[\p{L}\p{M}.'-]*)*\s*,\s*$`)
)

// dates finds dates written in words or in digits, and among the first the paper's issue date: the
// one on the "Hồng Bàng, ngày 02 tháng 3 năm 2026" line of the header (Nghị định 30/2020 Phụ lục I).
func (d *doc) dates() []Field {
	var fs []Field
	for _, m := range wordDate.FindAllStringSubmatchIndex(d.f.s, -1) {
		if m[0] > 0 && unicode.IsLetter(rune(d.f.s[m[0]-1])) {
			continue // "...ngay" inside another word
		}
		value, ok := isoDate(d.f.s[m[6]:m[7]], d.f.s[m[4]:m[5]], d.f.s[m[2]:m[3]])
		if !ok {
			continue
		}
		start, end := d.orig(m[0], m[1])
		conf := 0.8
		if raw := strings.ToLower(d.text[start:end]); strings.Contains(raw, "ngày") &&
			strings.Contains(raw, "tháng") && strings.Contains(raw, "năm") {
			conf = 0.9
		}
		fs = append(fs, d.field(Date, value, start, end, conf))
		lineStart := d.starts[d.line(start)]
		if start < d.header && placeBefore.MatchString(d.text[lineStart:start]) {
			fs = append(fs, d.field(IssuedDate, value, start, end, 0.85))
		}
	}
	for _, m := range numericDate.FindAllStringSubmatchIndex(d.text, -1) {
		start, end := m[0], m[1]
		if d.text[m[4]:m[5]] != d.text[m[8]:m[9]] || !numericBounds(d.text, start, end) {
			continue
		}
		value, ok := isoDate(d.text[m[10]:m[11]], d.text[m[6]:m[7]], d.text[m[2]:m[3]])
		if !ok {
			continue
		}
		conf := 0.85
		if strings.Contains(d.text[start:end], " ") {
			conf = 0.75
		}
		fs = append(fs, d.field(Date, value, start, end, conf))
	}
	return fs
}

// numericBounds rejects a match that is part of a longer number or a notation: 1/15/06/2021,
// 15/06/20211, 12/2021/QĐ.
func numericBounds(text string, start, end int) bool {
	if start > 0 && strings.IndexByte("0123456789/.-", text[start-1]) >= 0 {
		return false
	}
	if end < len(text) {
		c := text[end]
		if isDigit(c) || c == '/' {
			return false
		}
		if (c == '-' || c == '.') && end+1 < len(text) && isDigit(text[end+1]) {
			return false
		}
	}
	return true
}

// isoDate returns YYYY-MM-DD if the parts make a real day (no 31 April) between 1900 and 2199.
func isoDate(year, month, day string) (string, bool) {
	y, _ := strconv.Atoi(year)
	m, _ := strconv.Atoi(month)
	dd, _ := strconv.Atoi(day)
	if y < 1900 || y > 2199 {
		return "", false
	}
	t := time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != dd {
		return "", false
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, dd), true
}
