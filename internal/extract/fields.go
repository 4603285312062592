package extract

import (
	"regexp"
	"sort"
	"strings"
)

// Names of the fields Fields finds.
const (
	CitizenID   = "citizen_id"   // 12-digit personal ID, valid by internal/identity
	TaxCode     = "tax_code"     // enterprise/tax code, valid check digit; branches NNNNNNNNNN-NNN
	Notation    = "notation"     // số, ký hiệu as printed: 110/KH-UBND
	Number      = "number"       // the number part of the notation: 110
	Date        = "date"         // any date, YYYY-MM-DD
	IssuedDate  = "issued_date"  // the date of the place-date line in the header
	IssuingBody = "issuing_body" // a heading of the top-left block: ỦY BAN NHÂN DÂN QUẬN HỒNG BÀNG
)

// Field is a value read from OCR text. It is a proposal, shown as "extracted, to confirm" until a
// person accepts it, so it says exactly where it came from: Raw is text[Start:End] (byte offsets), on
// Line (1-based, counting '\n'; a form feed between pages does not start a line). Value is canonical:
// identifiers as digits, dates YYYY-MM-DD, the notation without the spaces OCR put inside it.
// Confidence, between 0 and 1, is how much the pattern and its context support the reading.
type Field struct {
	Name       string  `json:"name"`
	Value      string  `json:"value"`
	Raw        string  `json:"raw"`
	Line       int     `json:"line"`
	Start      int     `json:"start"`
	End        int     `json:"end"`
	Confidence float64 `json:"confidence"`
}

// headerLines is how far from the top of the first page the header block (issuing body, national
// motto, number and place-date lines) is looked for; Nghị định 30/2020 puts them all there.
const headerLines = 10

// Fields returns every field found in text, in the order of the text. A value printed several times
// (an ID in a list and in a signature block) is returned at each place.
func Fields(text string) []Field {
	d := newDoc(text)
	var fs []Field
	fs = append(fs, d.bodies()...)
	fs = append(fs, d.identifiers()...)
	fs = append(fs, d.notations()...)
	fs = append(fs, d.dates()...)
	rank := func(name string) int {
		return strings.Index(" issuing_body citizen_id tax_code notation number date issued_date", " "+name)
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Start != fs[j].Start {
			return fs[i].Start < fs[j].Start
		}
		return rank(fs[i].Name) < rank(fs[j].Name)
	})
	return fs
}

// doc is a text prepared once for all the finders.
type doc struct {
	text   string
	f      folded
	starts []int // byte offset of each line's first byte
	header int   // offset where the header block ends
}

func newDoc(text string) *doc {
	d := &doc{text: text, f: fold(text), starts: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			d.starts = append(d.starts, i+1)
		}
	}
	d.header = len(text)
	if len(d.starts) > headerLines {
		d.header = d.starts[headerLines]
	}
	if ff := strings.IndexByte(text, '\f'); ff >= 0 && ff < d.header {
		d.header = ff
	}
	return d
}

// line returns the 0-based line holding offset i.
func (d *doc) line(i int) int {
	return sort.SearchInts(d.starts, i+1) - 1
}

// lineSpan returns the span of the n-th line (0-based), without its '\n'.
func (d *doc) lineSpan(n int) (int, int) {
	end := len(d.text)
	if n+1 < len(d.starts) {
		end = d.starts[n+1] - 1
	}
	return d.starts[n], end
}

func (d *doc) field(name, value string, start, end int, confidence float64) Field {
	return Field{Name: name, Value: value, Raw: d.text[start:end], Line: d.line(start) + 1,
		Start: start, End: end, Confidence: confidence}
}

// orig maps a span of the folded text back to the original.
func (d *doc) orig(fstart, fend int) (int, int) {
	return d.f.at[fstart], d.f.at[fend]
}

// findFolded finds the first match of re (a pattern over folded text) inside the original span
// [from, to), and returns it as original offsets.
func (d *doc) findFolded(re *regexp.Regexp, from, to int) (int, int, bool) {
	lo, hi := sort.SearchInts(d.f.at, from), sort.SearchInts(d.f.at, to)
	m := re.FindStringIndex(d.f.s[lo:hi])
	if m == nil {
		return 0, 0, false
	}
	s, e := d.orig(lo+m[0], lo+m[1])
	return s, e, true
}
