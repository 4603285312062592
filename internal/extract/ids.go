package extract

import (
	"regexp"
	"sort"
	"strings"

	"github.com/sohoa-vn/sohoa/internal/identity"
)

// Words that, on the line of a number or the line before, say what the number is (matched folded).
var (
	citizenWords = regexp.MustCompile(`can\s*cuoc|cccd|dinh\s*danh|cmnd|chung\s*minh`)
	taxWords     = regexp.MustCompile(`ma\s*so\s*(doanh\s*nghiep|thue|dn)|\bmst\b|ma\s*doanh\s*nghiep|tax`)
	phoneWords   = regexp.MustCompile(`dien\s*thoai|\bdt\b|\bfax\b|hotline|\bsdt\b`)
	branchSuffix = regexp.MustCompile(`^[ \t]*-[ \t]*(\d{3})\b`)
)

// digitRun is a maximal run of digit groups joined by single spaces or dots, the way OCR and people
// split long numbers ("031 085 012 345", "0201.234.569"); it never crosses a line.
type digitRun struct {
	groups [][2]int // byte spans of the groups
}

func (r digitRun) digits(text string, i, j int) string {
	var b strings.Builder
	for _, g := range r.groups[i : j+1] {
		b.WriteString(text[g[0]:g[1]])
	}
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRuns(text string) []digitRun {
	var runs []digitRun
	for i := 0; i < len(text); {
		if !isDigit(text[i]) {
			i++
			continue
		}
		var r digitRun
		for {
			j := i
			for j < len(text) && isDigit(text[j]) {
				j++
			}
			r.groups = append(r.groups, [2]int{i, j})
			i = j
			if j+1 < len(text) && (text[j] == ' ' || text[j] == '.') && isDigit(text[j+1]) {
				i = j + 1
				continue
			}
			break
		}
		runs = append(runs, r)
	}
	return runs
}

// identifiers finds personal IDs and tax codes. A run whose digits make a valid identifier is one;
// otherwise runs of several groups are searched for consecutive groups that make one, since OCR may
// read two numbers side by side as one run. Only identifiers that pass internal/identity are kept.
func (d *doc) identifiers() []Field {
	var fs []Field
	for _, r := range digitRuns(d.text) {
		n := len(r.groups)
		if f, ok := d.identifier(r, 0, n-1); ok {
			fs = append(fs, f)
			continue
		}
		for i := 0; i < n; i++ {
			for j := i; j < n && (i > 0 || j < n-1); j++ {
				if f, ok := d.identifier(r, i, j); ok {
					fs = append(fs, f)
					i = j
					break
				}
			}
		}
	}
	return fs
}

// identifier reads groups i..j of r as a personal ID or a tax code.
func (d *doc) identifier(r digitRun, i, j int) (Field, bool) {
	start, end := r.groups[i][0], r.groups[j][1]
	digits := r.digits(d.text, i, j)
	context := d.context(start)
	split := 0.0
	if i != j {
		split = 0.1 // OCR put spaces or dots inside: a little less sure it is one number
	}
	switch len(digits) {
	case 12:
		id, err := identity.ParseCitizenID(digits)
		if err != nil {
			return Field{}, false
		}
		conf := 0.75
		if citizenWords.MatchString(context) {
			conf = 0.95
		}
		return d.field(CitizenID, id.Number, start, end, conf-split), true
	case 10:
		if phoneWords.MatchString(d.lineContext(start)) {
			return Field{}, false
		}
		value := digits
		if j == len(r.groups)-1 {
			if m := branchSuffix.FindStringSubmatchIndex(d.text[end:]); m != nil {
				value += "-" + d.text[end+m[2]:end+m[3]]
				end += m[1]
			}
		}
		tc, err := identity.ParseTaxCode(value)
		if err != nil {
			return Field{}, false
		}
		// Ten digits pass the check by chance once in eleven (phone numbers, "7.500.000.000 đồng"):
		// without a label only an unbroken number is taken, and as a weak reading.
		conf := 0.95
		if !taxWords.MatchString(context) {
			if i != j {
				return Field{}, false
			}
			conf = 0.5
		}
		return d.field(TaxCode, tc.String(), start, end, conf-split), true
	}
	return Field{}, false
}

// context is the folded text of the previous line and of the current line up to offset i: where a
// label like "Căn cước công dân số" or "Mã số doanh nghiệp:" is printed.
func (d *doc) context(i int) string {
	l := d.line(i)
	from := d.starts[max(l-1, 0)]
	return d.foldedSpan(from, i)
}

// lineContext is the folded text of the current line up to offset i.
func (d *doc) lineContext(i int) string {
	return d.foldedSpan(d.starts[d.line(i)], i)
}

// foldedSpan returns the folded text of the original span [from, to).
func (d *doc) foldedSpan(from, to int) string {
	lo := sort.SearchInts(d.f.at, from)
	hi := sort.SearchInts(d.f.at, to)
	return d.f.s[lo:hi]
}
