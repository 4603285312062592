package extract

import (
	"regexp"
	"strings"
	"unicode"
)

var (
	// motto is the national heading, folded; OCR may read it on the same line as the left column.
	motto = regexp.MustCompile(`cong\s*hoa\s*xa\s*hoi\s*chu\s*nghia\s*viet\s*nam|doc\s*lap\s*[-–—~]*\s*tu\s*do\s*[-–—~]*\s*hanh\s*phuc`)
	// columnGap is the wide gap between the left and right columns when OCR keeps them on one line.
	columnGap = regexp.MustCompile(`[ \t]{3,}|\t`)
	// bodyWords begin the name of an agency (folded).
	bodyWords = regexp.MustCompile(`^(uy ban|ubnd|hoi dong|so|phong|bo|cuc|chi cuc|tong cuc|vu|vien|trung tam|ban|van phong|toa an|cong an|kho bac|chi nhanh|bao hiem|thanh tra|dang uy|hoc vien|truong|benh vien|dai su quan|tong lanh su quan) \S`)
	// titleWords begin a paper's title, which follows the header and is not part of it.
	titleWords = regexp.MustCompile(`^(giay|quyet dinh|ke hoach|to khai|to trinh|don|thong bao|bao cao|cong van|bien ban|hop dong|chi thi|nghi quyet|nghi dinh|thong tu|huong dan|chuong trinh|phuong an|de an|ban sao|trich luc|so ho|phieu|danh sach|lenh|hoa don)\b`)
)

// span is a trimmed part of a header line that belongs to one column.
type span struct{ start, end int }

// bodies finds the issuing body: the capitalised heading of the top-left block of the first page
// (Nghị định 30/2020 Phụ lục I). The block may name a governing body above the issuing one ("SỞ KẾ
// HOẠCH VÀ ĐẦU TƯ THÀNH PHỐ HẢI PHÒNG" above "PHÒNG ĐĂNG KÝ KINH DOANH"): each is returned, top
// first, for a person to choose. A name wrapped over lines ("ỦY BAN NHÂN DÂN" / "QUẬN HỒNG BÀNG") is
// joined. OCR may give the left column before or after the right one, or both on the same lines, so
// the national motto is cut out wherever it is. The scan ends at the first piece that is not a
// heading: the number, the place-date line, the title or ordinary text.
func (d *doc) bodies() []Field {
	var groups [][]span
	cont := 0
	for l := 0; l < len(d.starts) && d.starts[l] < d.header; l++ {
		ps, last := d.headerPieces(l)
		for _, p := range ps {
			f := d.foldedSpan(p.start, p.end)
			switch {
			case !upper(d.text[p.start:p.end]) || titleWords.MatchString(f):
				return d.bodyFields(groups)
			case bodyWords.MatchString(f):
				groups, cont = append(groups, []span{p}), 0
			case len(groups) > 0 && cont < 2:
				// The rest of a wrapped name, or its locality ("QUẬN HỒNG BÀNG").
				groups[len(groups)-1] = append(groups[len(groups)-1], p)
				cont++
			default:
				return d.bodyFields(groups)
			}
		}
		if last {
			break
		}
	}
	return d.bodyFields(groups)
}

func (d *doc) bodyFields(groups [][]span) []Field {
	var fs []Field
	for _, g := range groups {
		var b strings.Builder
		for _, p := range g {
			b.WriteString(d.text[p.start:p.end] + " ")
		}
		value := strings.Join(strings.Fields(b.String()), " ")
		fs = append(fs, d.field(IssuingBody, value, g[0].start, g[len(g)-1].end, 0.8))
	}
	return fs
}

// headerPieces splits line l into the pieces that may belong to the heading: the national motto is
// cut out, column gaps split the rest, and the line is cut where a number ("Số: …") or a date begins,
// which last reports. Pieces of fewer than three letters (rules, "o0o", specks) are dropped.
func (d *doc) headerPieces(l int) (ps []span, last bool) {
	ls, le := d.lineSpan(l)
	end := le
	for _, re := range []*regexp.Regexp{notationLabel, wordDate} {
		if s, _, ok := d.findFolded(re, ls, end); ok {
			end, last = s, true
		}
	}
	if m := numericDate.FindStringIndex(d.text[ls:end]); m != nil {
		end, last = ls+m[0], true
	}
	var cuts []span
	from := ls
	for {
		s, e, ok := d.findFolded(motto, from, end)
		if !ok {
			break
		}
		cuts = append(cuts, span{from, s})
		from = e
	}
	cuts = append(cuts, span{from, end})
	for _, c := range cuts {
		at := c.start
		for _, g := range columnGap.FindAllStringIndex(d.text[c.start:c.end], -1) {
			ps = appendPiece(ps, d.text, at, c.start+g[0])
			at = c.start + g[1]
		}
		ps = appendPiece(ps, d.text, at, c.end)
	}
	return ps, last
}

// appendPiece appends text[start:end] trimmed, if it has at least three letters.
func appendPiece(ps []span, text string, start, end int) []span {
	s := text[start:end]
	start += len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	end -= len(s) - len(strings.TrimRightFunc(s, unicode.IsSpace))
	if start >= end || letters(text[start:end]) < 3 {
		return ps
	}
	return append(ps, span{start, end})
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// upper reports whether nine letters in ten of s are capitals, as headings are set.
func upper(s string) bool {
	var up, all int
	for _, r := range s {
		if unicode.IsLetter(r) {
			all++
			if unicode.IsUpper(r) {
				up++
			}
		}
	}
	return all > 0 && up*10 >= all*9
}
