package sign

import (
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf16"
)

// pdfText encodes s as a PDF text string. Printable ASCII is written as an
// escaped literal; anything else as UTF-16BE with a byte-order mark in hex
// form, where no byte of a Vietnamese letter can end or break the string
// (the pdfsign bug this package used to work around).
func pdfText(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
		return "(" + r.Replace(s) + ")"
	}
	b := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u>>8), byte(u))
	}
	return "<" + strings.ToUpper(hex.EncodeToString(b)) + ">"
}

// pdfDate formats t as a PDF date string, D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	s := t.Format("20060102150405-07'00'")
	if strings.HasSuffix(t.Format("-0700"), "+0000") {
		s = t.Format("20060102150405") + "Z"
	}
	return "(D:" + s + ")"
}

// vietnamTime is UTC+07:00, Vietnam's only offset (no daylight saving), so
// signing times read the same on every server whatever its TZ.
func vietnamTime(t time.Time) time.Time {
	return t.In(time.FixedZone("ICT", 7*60*60))
}
