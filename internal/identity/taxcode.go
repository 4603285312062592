package identity

import (
	"fmt"
	"strings"
)

// TaxCode is an enterprise code, which is the enterprise's tax code: 10 digits whose last is a check
// digit, and for a dependent unit (branch, representative office) a 3-digit suffix, written
// NNNNNNNNNN-NNN.
type TaxCode struct {
	Base   string // the 10 digits of the enterprise
	Branch string // "" for the enterprise itself, "001"–"999" for a dependent unit
}

// String is the canonical form: "0100109106" or "0100109106-001".
func (t TaxCode) String() string {
	if t.Branch == "" {
		return t.Base
	}
	return t.Base + "-" + t.Branch
}

// taxWeights are the weights of N1..N9 in the check digit N10 = 10 − (Σ Ni·Wi mod 11).
var taxWeights = [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}

// ParseTaxCode validates a tax code after removing spaces and dots. A dependent unit's code is accepted
// as NNNNNNNNNN-NNN or as 13 digits in a row; either way its first 10 digits must be a valid code.
func ParseTaxCode(s string) (TaxCode, error) {
	n := normalize(s)
	if n == "" {
		return TaxCode{}, newError(CodeTaxEmpty, s, "Chưa nhập mã số thuế.")
	}
	base, branch, hyphen := strings.Cut(n, "-")
	if r, found := firstNonDigit(base + branch); found {
		return TaxCode{}, newError(CodeTaxNotDigits, s, fmt.Sprintf(
			"Mã số thuế %q chỉ được gồm chữ số (và một dấu \"-\" trước mã đơn vị phụ thuộc), nhưng có ký tự %q.", s, string(r)))
	}
	switch {
	case hyphen && len(base) != 10:
		return TaxCode{}, newError(CodeTaxLength, s, fmt.Sprintf(
			"Mã số thuế %q: phần trước dấu \"-\" phải có 10 chữ số, đã nhập %d.", s, len(base)))
	case hyphen && len(branch) != 3:
		return TaxCode{}, newError(CodeTaxBranch, s, fmt.Sprintf(
			"Mã số thuế %q: phần sau dấu \"-\" là mã đơn vị phụ thuộc, phải có 3 chữ số, đã nhập %d.", s, len(branch)))
	case !hyphen && len(n) == 13:
		base, branch = n[:10], n[10:]
	case !hyphen && len(n) != 10:
		return TaxCode{}, newError(CodeTaxLength, s, fmt.Sprintf(
			"Mã số thuế %q phải có 10 chữ số, hoặc 13 chữ số viết NNNNNNNNNN-NNN với đơn vị phụ thuộc; đã nhập %d chữ số.",
			s, len(n)))
	}
	if branch == "000" {
		return TaxCode{}, newError(CodeTaxBranch, s, fmt.Sprintf(
			"Mã số thuế %q có mã đơn vị phụ thuộc 000; mã này phải từ 001 đến 999.", s))
	}
	sum := 0
	for i, w := range taxWeights {
		sum += int(base[i]-'0') * w
	}
	check := 10 - sum%11
	if check == 10 {
		// No digit can satisfy the rule, so the authority never issues such a code: the typo is in N1..N9.
		return TaxCode{}, newError(CodeTaxCheckDigit, s, fmt.Sprintf(
			"Mã số thuế %q không hợp lệ: 9 chữ số đầu không ứng với chữ số kiểm tra nào, có thể đã nhập nhầm một chữ số.", s))
	}
	if int(base[9]-'0') != check {
		return TaxCode{}, newError(CodeTaxCheckDigit, s, fmt.Sprintf(
			"Mã số thuế %q sai chữ số kiểm tra (chữ số thứ 10), có thể đã nhập nhầm một chữ số.", s))
	}
	return TaxCode{Base: base, Branch: branch}, nil
}
