package identity

import (
	"fmt"
	"testing"
)

func TestParseTaxCodeValid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want TaxCode
	}{
		{"0100109106", TaxCode{"0100109106", ""}},
		{"0201234569", TaxCode{"0201234569", ""}},
		{"0100 109 106", TaxCode{"0100109106", ""}},
		{"0100109106-001", TaxCode{"0100109106", "001"}},
		{"0100109106 - 999", TaxCode{"0100109106", "999"}},
		{"0100109106001", TaxCode{"0100109106", "001"}},
	} {
		got, err := ParseTaxCode(c.in)
		if err != nil {
			t.Errorf("ParseTaxCode(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseTaxCode(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	if s := (TaxCode{"0100109106", "001"}).String(); s != "0100109106-001" {
		t.Errorf("String() = %q", s)
	}
}

func TestParseTaxCodeInvalid(t *testing.T) {
	for _, c := range []struct{ in, code, msg string }{
		{"", CodeTaxEmpty, "Chưa nhập mã số thuế."},
		{"010010910", CodeTaxLength, `Mã số thuế "010010910" phải có 10 chữ số, hoặc 13 chữ số viết NNNNNNNNNN-NNN với đơn vị phụ thuộc; đã nhập 9 chữ số.`},
		{"01001091061", CodeTaxLength, `Mã số thuế "01001091061" phải có 10 chữ số, hoặc 13 chữ số viết NNNNNNNNNN-NNN với đơn vị phụ thuộc; đã nhập 11 chữ số.`},
		{"010010910-6001", CodeTaxLength, `Mã số thuế "010010910-6001": phần trước dấu "-" phải có 10 chữ số, đã nhập 9.`},
		{"01001091O6", CodeTaxNotDigits, `Mã số thuế "01001091O6" chỉ được gồm chữ số (và một dấu "-" trước mã đơn vị phụ thuộc), nhưng có ký tự "O".`},
		{"0100109106-00A", CodeTaxNotDigits, `Mã số thuế "0100109106-00A" chỉ được gồm chữ số (và một dấu "-" trước mã đơn vị phụ thuộc), nhưng có ký tự "A".`},
		{"0100109106-001-002", CodeTaxNotDigits, `Mã số thuế "0100109106-001-002" chỉ được gồm chữ số (và một dấu "-" trước mã đơn vị phụ thuộc), nhưng có ký tự "-".`},
		{"0100109106-01", CodeTaxBranch, `Mã số thuế "0100109106-01": phần sau dấu "-" là mã đơn vị phụ thuộc, phải có 3 chữ số, đã nhập 2.`},
		{"0100109106-", CodeTaxBranch, `Mã số thuế "0100109106-": phần sau dấu "-" là mã đơn vị phụ thuộc, phải có 3 chữ số, đã nhập 0.`},
		{"0100109106-000", CodeTaxBranch, `Mã số thuế "0100109106-000" có mã đơn vị phụ thuộc 000; mã này phải từ 001 đến 999.`},
		{"0100109107", CodeTaxCheckDigit, `Mã số thuế "0100109107" sai chữ số kiểm tra (chữ số thứ 10), có thể đã nhập nhầm một chữ số.`},
		{"0100109107-001", CodeTaxCheckDigit, `Mã số thuế "0100109107-001" sai chữ số kiểm tra (chữ số thứ 10), có thể đã nhập nhầm một chữ số.`},
		// Σ Ni·Wi ≡ 0 (mod 11) would need a check digit of 10: never issued.
		{"0000000000", CodeTaxCheckDigit, `Mã số thuế "0000000000" không hợp lệ: 9 chữ số đầu không ứng với chữ số kiểm tra nào, có thể đã nhập nhầm một chữ số.`},
	} {
		_, err := ParseTaxCode(c.in)
		checkError(t, "ParseTaxCode", c.in, err, c.code, c.msg)
	}
}

// Every weight is prime to 11, so changing any one of N1..N9 changes the sum mod 11 and with it the
// check digit; changing N10 breaks it directly. All 90 one-digit changes of a valid code are caught.
func TestParseTaxCodeEveryOneDigitChange(t *testing.T) {
	const valid = "0100109106"
	if _, err := ParseTaxCode(valid); err != nil {
		t.Fatalf("%s: %v", valid, err)
	}
	n := 0
	for i := range len(valid) {
		for d := byte('0'); d <= '9'; d++ {
			if d == valid[i] {
				continue
			}
			changed := valid[:i] + string(d) + valid[i+1:]
			n++
			_, err := ParseTaxCode(changed)
			if CodeOf(err) != CodeTaxCheckDigit {
				t.Errorf("%s (digit %d changed to %c): error %v, want %s", changed, i+1, d, err, CodeTaxCheckDigit)
			}
		}
	}
	if n != 90 {
		t.Errorf("%d changes tried, want 90", n)
	}
}

func ExampleParseTaxCode() {
	_, err := ParseTaxCode("0100109107")
	fmt.Println(err)
	// Output: tax_code_check_digit: Mã số thuế "0100109107" sai chữ số kiểm tra (chữ số thứ 10), có thể đã nhập nhầm một chữ số.
}
