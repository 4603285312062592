// Package identity parses and validates the identifiers of the owners of dossiers: citizens by their
// 12-digit personal identification number (số định danh cá nhân, printed on the CCCD card) and
// businesses by their enterprise code, which is their tax code (mã số doanh nghiệp = mã số thuế).
// Owners are looked up and papers reused by these identifiers, so a typo must be caught at the counter,
// not stored: errors carry a stable code for programs and a Vietnamese sentence for counter staff.
package identity

import (
	"fmt"
	"strings"
	"unicode"
)

// Kind says which sort of owner an identifier names.
type Kind string

const (
	KindCitizen  Kind = "citizen"
	KindBusiness Kind = "business"
)

// Owner is an identifier whose kind was decided by its shape; ID is in canonical form: 12 digits for a
// citizen, 10 digits or NNNNNNNNNN-NNN for a business.
type Owner struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
}

// Parse decides by shape which identifier s is, after removing the spaces and dots people and OCR put
// inside numbers: 12 digits is a personal ID, 10 digits or 10-3 (13 digits) a tax code. It then
// validates it as that kind.
func Parse(s string) (Owner, error) {
	n := normalize(s)
	switch {
	case n == "":
		return Owner{}, newError(CodeOwnerEmpty, s, "Chưa nhập số định danh cá nhân hoặc mã số thuế.")
	case strings.Contains(n, "-") || len(n) == 10 || len(n) == 13:
		t, err := ParseTaxCode(s)
		if err != nil {
			return Owner{}, err
		}
		return Owner{Kind: KindBusiness, ID: t.String()}, nil
	case len(n) == 12:
		c, err := ParseCitizenID(s)
		if err != nil {
			return Owner{}, err
		}
		return Owner{Kind: KindCitizen, ID: c.Number}, nil
	}
	return Owner{}, newError(CodeOwnerShape, s, fmt.Sprintf(
		"%q không phải số định danh cá nhân (12 chữ số) hay mã số thuế (10 chữ số, hoặc NNNNNNNNNN-NNN với đơn vị phụ thuộc): có %d ký tự.",
		s, len([]rune(n))))
}

// normalize removes every space and dot: "031 085 012 345", "0310.8501.2345" and "0100109106 - 001"
// are how people and OCR write identifiers whose canonical form has none.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '.' {
			return -1
		}
		return r
	}, s)
}

// firstNonDigit returns the first rune of s that is not an ASCII digit. Only ASCII digits count:
// other scripts' digits are not part of any identifier.
func firstNonDigit(s string) (rune, bool) {
	for _, r := range s {
		if r < '0' || r > '9' {
			return r, true
		}
	}
	return 0, false
}
