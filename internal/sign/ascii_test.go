package sign

import "testing"

func TestASCII(t *testing.T) {
	for in, want := range map[string]string{
		"Ủy ban nhân dân quận Lê Chân":        "Uy ban nhan dan quan Le Chan",
		"ĐẢNG CỘNG SẢN VIỆT NAM":              "DANG CONG SAN VIET NAM",
		"Chủ nghĩa (xã hội)":                  "Chu nghia (xa hoi)",
		"Sở Tư pháp – Đà Nẵng":                "So Tu phap - Da Nang",
		"  “Bản sao”\tđúng\nvới bản chính…  ": `"Ban sao" dung voi ban chinh...`,
		"Số: 12/QĐ-UBND":                      "So: 12/QD-UBND",
		"漢字":                                  "??",
		"":                                    "",
	} {
		if got := ASCII(in); got != want {
			t.Errorf("ASCII(%q) = %q, want %q", in, got, want)
		}
	}
}
