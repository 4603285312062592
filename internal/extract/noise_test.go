package extract

import (
	"strings"
	"testing"
)

// OCR reads a two-column header in several orders; all must give the same fields.
func TestFieldsHeaderLayouts(t *testing.T) {
	want := []string{
		"issuing_body=ỦY BAN NHÂN DÂN QUẬN HỒNG BÀNG@1",
		"notation=215/KH-UBND@3", "number=215@3", "date=2026-03-02@3", "issued_date=2026-03-02@3",
	}
	checkFields(t, "columns on one line", `ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
QUẬN HỒNG BÀNG       Độc lập - Tự do - Hạnh phúc
Số:215/KH-UBND      Hồng Bàng, ngày 02 tháng 3 năm 2026
KẾ HOẠCH
Số hóa hồ sơ năm 2026`, want)

	fs := checkFields(t, "right column first, no diacritics", `CONG HOA XA HOI CHU NGHIA VIET NAM
Doc lap - Tu do - Hanh phuc
---------------
ỦY BAN NHÂN DÂN
QUẬN HỒNG BÀNG
Số 12/2021/QĐ-UBND
Hong Bang, ngay 02 thang 3 nam 2026
QUYẾT ĐỊNH
Về việc ban hành quy chế`, []string{
		"issuing_body=ỦY BAN NHÂN DÂN QUẬN HỒNG BÀNG@4",
		"notation=12/2021/QĐ-UBND@6", "number=12@6", "date=2026-03-02@7", "issued_date=2026-03-02@7",
	})
	for _, f := range fs {
		if f.Name == IssuingBody && f.Raw != "ỦY BAN NHÂN DÂN\nQUẬN HỒNG BÀNG" {
			t.Errorf("body raw %q", f.Raw)
		}
		if f.Name == Date && f.Confidence != 0.8 {
			t.Errorf("a date without diacritics: confidence %v, want 0.8", f.Confidence)
		}
	}

	checkFields(t, "columns alternating by line", `SỞ KẾ HOẠCH VÀ ĐẦU TƯ
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
THÀNH PHỐ HẢI PHÒNG
Độc lập - Tự do - Hạnh phúc
PHÒNG ĐĂNG KÝ KINH DOANH
---o0o---
GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP
Mã số doanh nghiệp: 0201 234 569
MST chi nhánh: 0100109106 - 001`, []string{
		"issuing_body=SỞ KẾ HOẠCH VÀ ĐẦU TƯ THÀNH PHỐ HẢI PHÒNG@1",
		"issuing_body=PHÒNG ĐĂNG KÝ KINH DOANH@5",
		"tax_code=0201234569@8",
		"tax_code=0100109106-001@9",
	})

	// No issuing body when the header has only the motto, and the recipient ("Kính gửi") is not one.
	checkFields(t, "application", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n"+
		"ĐƠN ĐỀ NGHỊ\nKính gửi: ỦY BAN NHÂN DÂN PHƯỜNG MÁY CHAI", nil)
}

func TestFieldsOCRNoise(t *testing.T) {
	fs := checkFields(t, "noise", `Căn cước công dân số 031 085 012 345 cấp ngay 15 / 06 / 2021
CCCD: 0310.8501.2345
Số CCCD 031188098765 0912345678
Mã số thuế: 0201.234.569
MST:0201234569
Ngày 29 tháng 4
năm 2021 họp`, []string{
		"citizen_id=031085012345@1", "date=2021-06-15@1",
		"citizen_id=031085012345@2",
		"citizen_id=031188098765@3", // read apart from the phone number OCR joined to it
		"tax_code=0201234569@4",
		"tax_code=0201234569@5",
		"date=2021-04-29@6", // the parts of a date in words may be split over lines
	})
	if fs[0].Raw != "031 085 012 345" || fs[0].Confidence != 0.85 {
		t.Errorf("split ID: %+v", fs[0])
	}
	if fs[1].Raw != "15 / 06 / 2021" || fs[1].Confidence != 0.75 {
		t.Errorf("split date: %+v", fs[1])
	}
	if fs[3].Raw != "031188098765" || fs[3].Confidence != 0.95 {
		t.Errorf("joined ID: %+v", fs[3])
	}
}

// Decomposed Unicode (NFD) carries diacritics as combining marks; the date is found and its Raw keeps
// the marks.
func TestFieldsDecomposed(t *testing.T) {
	text := "Ha\u0300 No\u0323i, nga\u0300y 02 tha\u0301ng 3 na\u0306m 2026"
	fs := checkFields(t, "NFD", text, []string{"date=2026-03-02@1", "issued_date=2026-03-02@1"})
	if !strings.HasPrefix(fs[0].Raw, "nga\u0300y") {
		t.Errorf("raw %q", fs[0].Raw)
	}
}

// What looks like a field but is not one must not be proposed.
func TestFieldsRejected(t *testing.T) {
	for _, text := range []string{
		"Căn cước công dân số 097085012345",      // no province 097
		"Căn cước công dân số 031985012345",      // born in 2385
		"Căn cước công dân số 03108501234",       // 11 digits
		"Mã số thuế: 0201234560",                 // wrong check digit
		"Mã số thuế: 0100109106-000",             // no branch 000
		"Điện thoại: 0201234569",                 // a phone number that passes the check
		"Vốn góp 7.500.000.000 đồng",             // an amount that passes the check
		"theo Quyết định số 12/2021/QĐ-UBND",     // a reference to another paper
		"Số 45 đường Đà Nẵng. Số nhà: 8",         // numbers, not notations
		"Số: 110/2021",                           // no letters: not a notation
		"ngày 30 tháng 2 năm 2021 và 31/04/2021", // no such days
		"ngày 15/06/20211 và 1/15/06/2021",       // parts of longer numbers
		"Hồ sơ số 12/2021/QĐ",                    // a notation, not a date
	} {
		checkFields(t, text, text, nil)
	}
}

func TestFieldsEmpty(t *testing.T) {
	for _, text := range []string{"", "\n\n", "\f", "Số:", "ngày", "0"} {
		checkFields(t, text, text, nil)
	}
}
