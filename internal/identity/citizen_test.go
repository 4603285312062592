package identity

import (
	"testing"
	"time"
)

// testNow is fixed so the future-year cases do not change meaning with the calendar.
var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func TestParseCitizenIDValid(t *testing.T) {
	for _, c := range []struct {
		in   string
		want CitizenID
	}{
		{"031085012345", CitizenID{"031085012345", "031", "Hải Phòng", 20, Male, 1985}},
		{"031 085 012 345", CitizenID{"031085012345", "031", "Hải Phòng", 20, Male, 1985}},
		{"0310.8501.2345", CitizenID{"031085012345", "031", "Hải Phòng", 20, Male, 1985}},
		{"031188098765", CitizenID{"031188098765", "031", "Hải Phòng", 20, Female, 1988}},
		{"001301000001", CitizenID{"001301000001", "001", "Hà Nội", 21, Female, 2001}},
		{"096200123456", CitizenID{"096200123456", "096", "Cà Mau", 21, Male, 2000}},
		{"079226000001", CitizenID{"079226000001", "079", "Hồ Chí Minh", 21, Male, 2026}},
		{"048199999999", CitizenID{"048199999999", "048", "Đà Nẵng", 20, Female, 1999}},
	} {
		got, err := parseCitizenID(c.in, testNow)
		if err != nil {
			t.Errorf("parseCitizenID(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("parseCitizenID(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseCitizenIDInvalid(t *testing.T) {
	for _, c := range []struct{ in, code, msg string }{
		{"", CodeCitizenEmpty, "Chưa nhập số định danh cá nhân."},
		{" . ", CodeCitizenEmpty, "Chưa nhập số định danh cá nhân."},
		{"03108501234", CodeCitizenLength, `Số định danh cá nhân "03108501234" phải có đúng 12 chữ số, đã nhập 11.`},
		{"0310850123456", CodeCitizenLength, `Số định danh cá nhân "0310850123456" phải có đúng 12 chữ số, đã nhập 13.`},
		{"03108501234A", CodeCitizenNotDigits, `Số định danh cá nhân "03108501234A" chỉ được gồm chữ số, nhưng có ký tự "A".`},
		{"031O85012345", CodeCitizenNotDigits, `Số định danh cá nhân "031O85012345" chỉ được gồm chữ số, nhưng có ký tự "O".`},
		{"03108501234\x00", CodeCitizenNotDigits, `Số định danh cá nhân "03108501234\x00" chỉ được gồm chữ số, nhưng có ký tự "\x00".`},
		{"031-085-012345", CodeCitizenNotDigits, `Số định danh cá nhân "031-085-012345" chỉ được gồm chữ số, nhưng có ký tự "-".`},
		{"003085012345", CodeCitizenProvince, `Số định danh cá nhân "003085012345" có mã tỉnh nơi đăng ký khai sinh "003" không có trong danh mục (001 Hà Nội … 096 Cà Mau).`},
		{"097085012345", CodeCitizenProvince, `Số định danh cá nhân "097085012345" có mã tỉnh nơi đăng ký khai sinh "097" không có trong danh mục (001 Hà Nội … 096 Cà Mau).`},
		{"000085012345", CodeCitizenProvince, `Số định danh cá nhân "000085012345" có mã tỉnh nơi đăng ký khai sinh "000" không có trong danh mục (001 Hà Nội … 096 Cà Mau).`},
		{"031227000001", CodeCitizenFutureYear, `Số định danh cá nhân "031227000001" cho năm sinh 2027, sau năm hiện tại 2026.`},
		{"031399000001", CodeCitizenFutureYear, `Số định danh cá nhân "031399000001" cho năm sinh 2099, sau năm hiện tại 2026.`},
		{"031485000001", CodeCitizenFutureYear, `Số định danh cá nhân "031485000001" cho năm sinh 2185, sau năm hiện tại 2026.`},
		{"031900000001", CodeCitizenFutureYear, `Số định danh cá nhân "031900000001" cho năm sinh 2300, sau năm hiện tại 2026.`},
	} {
		_, err := parseCitizenID(c.in, testNow)
		checkError(t, "parseCitizenID", c.in, err, c.code, c.msg)
	}
}

// The year turns in Vietnam's time: 31 December 18:00 UTC is already 1 January there.
func TestParseCitizenIDNewYearInVietnam(t *testing.T) {
	eve := time.Date(2026, 12, 31, 18, 0, 0, 0, time.UTC)
	if _, err := parseCitizenID("031227000001", eve); err != nil {
		t.Errorf("born 2027, at %v: %v", eve, err)
	}
}

func TestParseCitizenIDUsesClock(t *testing.T) {
	if _, err := ParseCitizenID("031085012345"); err != nil {
		t.Error(err)
	}
	if CodeOf(func() error { _, err := ParseCitizenID("031985012345"); return err }()) != CodeCitizenFutureYear {
		t.Error("a birth in 2385 was accepted")
	}
}

func TestCheckBirthYear(t *testing.T) {
	id, err := ParseCitizenID("031085012345")
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBirthYear(id, 1985); err != nil {
		t.Errorf("1985: %v", err)
	}
	checkError(t, "CheckBirthYear", "1986", CheckBirthYear(id, 1986), CodeCitizenYearMismatch,
		`Số định danh cá nhân "031085012345" cho năm sinh 1985, không khớp với năm sinh đã khai 1986.`)
	// 2085 has the same two digits: only the century digit tells them apart.
	checkError(t, "CheckBirthYear", "2085", CheckBirthYear(id, 2085), CodeCitizenYearMismatch,
		`Số định danh cá nhân "031085012345" cho năm sinh 1985, không khớp với năm sinh đã khai 2085.`)
}

func TestProvinceTable(t *testing.T) {
	if len(provinces) != 63 {
		t.Errorf("%d provinces, want the 63 of the list", len(provinces))
	}
	for code, name := range provinces {
		if len(code) != 3 || code < "001" || code > "096" || name == "" {
			t.Errorf("bad entry %q: %q", code, name)
		}
	}
	for code, want := range map[string]string{"001": "Hà Nội", "031": "Hải Phòng", "079": "Hồ Chí Minh", "096": "Cà Mau"} {
		if got, ok := ProvinceName(code); !ok || got != want {
			t.Errorf("ProvinceName(%s) = %q, %v; want %q", code, got, ok, want)
		}
	}
}

func checkError(t *testing.T, fn, in string, err error, code, msg string) {
	t.Helper()
	e, ok := err.(*Error)
	if !ok {
		t.Errorf("%s(%q): error %v, want *Error %s", fn, in, err, code)
		return
	}
	if e.Code != code || e.Message != msg {
		t.Errorf("%s(%q):\n got %s: %s\nwant %s: %s", fn, in, e.Code, e.Message, code, msg)
	}
	if CodeOf(err) != code {
		t.Errorf("CodeOf(%v) = %q", err, CodeOf(err))
	}
}
