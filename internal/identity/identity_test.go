package identity

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Owner
	}{
		{"031085012345", Owner{KindCitizen, "031085012345"}},
		{" 031 085 012 345 ", Owner{KindCitizen, "031085012345"}},
		{"0100109106", Owner{KindBusiness, "0100109106"}},
		{"0100.109.106", Owner{KindBusiness, "0100109106"}},
		{"0100109106-001", Owner{KindBusiness, "0100109106-001"}},
		{"0100109106001", Owner{KindBusiness, "0100109106-001"}},
	} {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, c := range []struct{ in, code, msg string }{
		{"", CodeOwnerEmpty, "Chưa nhập số định danh cá nhân hoặc mã số thuế."},
		{"12345", CodeOwnerShape, `"12345" không phải số định danh cá nhân (12 chữ số) hay mã số thuế (10 chữ số, hoặc NNNNNNNNNN-NNN với đơn vị phụ thuộc): có 5 ký tự.`},
		{"03108501234", CodeOwnerShape, `"03108501234" không phải số định danh cá nhân (12 chữ số) hay mã số thuế (10 chữ số, hoặc NNNNNNNNNN-NNN với đơn vị phụ thuộc): có 11 ký tự.`},
		// The shape decides the kind, then that kind's own message explains the fault.
		{"0100109107", CodeTaxCheckDigit, `Mã số thuế "0100109107" sai chữ số kiểm tra (chữ số thứ 10), có thể đã nhập nhầm một chữ số.`},
		{"0100109106-000", CodeTaxBranch, `Mã số thuế "0100109106-000" có mã đơn vị phụ thuộc 000; mã này phải từ 001 đến 999.`},
		{"097085012345", CodeCitizenProvince, `Số định danh cá nhân "097085012345" có mã tỉnh nơi đăng ký khai sinh "097" không có trong danh mục (001 Hà Nội … 096 Cà Mau).`},
		{"03108501234A", CodeCitizenNotDigits, `Số định danh cá nhân "03108501234A" chỉ được gồm chữ số, nhưng có ký tự "A".`},
	} {
		_, err := Parse(c.in)
		checkError(t, "Parse", c.in, err, c.code, c.msg)
	}
}
