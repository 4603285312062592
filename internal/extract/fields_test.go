package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// brief renders fields as name=value@line, to compare whole results at a glance.
func brief(fs []Field) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s=%s@%d", f.Name, f.Value, f.Line))
	}
	return out
}

// checkFields compares everything Fields finds in text with want (no more, no less), and checks that
// each field points at what it says it read.
func checkFields(t *testing.T, name, text string, want []string) []Field {
	t.Helper()
	fs := Fields(text)
	if got := brief(fs); !reflect.DeepEqual(got, want) {
		t.Errorf("Fields(%s):\n got %s\nwant %s", name, strings.Join(got, " "), strings.Join(want, " "))
	}
	for _, f := range fs {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End || text[f.Start:f.End] != f.Raw {
			t.Errorf("%s: %s: Raw %q is not text[%d:%d]", name, f.Name, f.Raw, f.Start, f.End)
			continue
		}
		if line := strings.Count(text[:f.Start], "\n") + 1; f.Line != line {
			t.Errorf("%s: %s %q: line %d, want %d", name, f.Name, f.Value, f.Line, line)
		}
		if f.Confidence <= 0 || f.Confidence > 1 {
			t.Errorf("%s: %s %q: confidence %v", name, f.Name, f.Value, f.Confidence)
		}
	}
	return fs
}

func TestFieldsOfSamples(t *testing.T) {
	for name, want := range map[string][]string{
		"dkdn.gt.txt": {
			"issuing_body=SỞ KẾ HOẠCH VÀ ĐẦU TƯ THÀNH PHỐ HẢI PHÒNG@1",
			"issuing_body=PHÒNG ĐĂNG KÝ KINH DOANH@2",
			"tax_code=0201234569@7",
			"date=2019-03-05@8",
			"date=2025-08-14@9",
			"citizen_id=031085012345@24", // first member
			"citizen_id=031079054321@25", // second member; "7.500.000.000 đồng" between is no tax code
			"date=1985-11-20@29",
			"citizen_id=031085012345@31", // the legal representative, label on the line before
		},
		"ke-hoach.gt.txt": {
			"issuing_body=ỦY BAN NHÂN DÂN QUẬN HỒNG BÀNG@1",
			"notation=215/KH-UBND@4",
			"number=215@4",
			"date=2026-03-02@5",
			"issued_date=2026-03-02@5",
		},
		"khai-sinh.gt.txt": {
			"citizen_id=031085012345@9",
			"date=2021-06-15@9",
			"date=2026-02-03@13",
			"date=2026-02-10@28", // "Làm tại: Hải Phòng, ngày …" at the foot: a date, not the header's
		},
		"xay-dung-skewed.gt.txt": {
			"citizen_id=031188098765@14", // "0912 345 678" two lines above is a phone number
			"date=2026-10-21@29",
		},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scans", name))
		if err != nil {
			t.Fatal(err)
		}
		checkFields(t, name, string(b), want)
	}
}

func TestFieldsConfidence(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "scans", "ke-hoach.gt.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range Fields(string(b)) {
		if f.Name == Notation && (f.Raw != "215/KH-UBND" || f.Confidence != 0.9) {
			t.Errorf("notation %+v", f)
		}
		if f.Name == IssuedDate && f.Raw != "ngày 02 tháng 3 năm 2026" {
			t.Errorf("issued date %+v", f)
		}
	}
}
