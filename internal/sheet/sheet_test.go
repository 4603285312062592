package sheet

import "testing"

func TestParse(t *testing.T) {
	const code = "000.00.53.H26-261127-0001"
	for text, want := range map[string]*Sheet{
		"SOHOA:1:BIA:" + code:  {Kind: Cover, Dossier: code},
		"SOHOA:1:TACH:" + code: {Kind: Separator, Dossier: code},
		"SOHOA:1:TACH":         {Kind: Separator},
		// Not sheets: the receipt's QR codes, other versions and words, damaged codes.
		code: nil,
		"https://dichvucong.haiphong.gov.vn/tra-cuu/" + code: nil,
		"SOHOA:1:BIA":                             nil, // a cover names its dossier
		"SOHOA:1:BIA:":                            nil,
		"SOHOA:1:TACH:":                           nil,
		"SOHOA:2:BIA:" + code:                     nil,
		"SOHOA:BIA:" + code:                       nil,
		"sohoa:1:bia:" + code:                     nil,
		"SOHOA:1:BIA:" + code + " ":               nil,
		"SOHOA:1:BIA:" + code + ":X":              nil,
		"SOHOA:1:TACH:" + code + "\n":             nil,
		"SOHOA:1:BIA: " + code:                    nil,
		"SOHOA:1:COVER:" + code:                   nil,
		"SOHOA:1:BIA:000.00.53.H26-261127-0000":   nil, // sequence 0 is never issued
		"SOHOA:1:BIA:000.00.53.H26-261327-0001":   nil, // month 13
		"SOHOA:1:BIA:000.00.53.h26-261127-0001":   nil,
		"SOHOA:1:TACH:000.00.53.H26-261127-00012": nil,
		"": nil,
		"079190001234|Nguyễn Văn A|01011990|Nam|": nil, // a citizen ID card's
	} {
		got, ok := Parse(text)
		switch {
		case want == nil && ok:
			t.Errorf("Parse(%q) = %+v, want no sheet", text, got)
		case want != nil && (!ok || got != *want):
			t.Errorf("Parse(%q) = %+v, %v; want %+v", text, got, ok, *want)
		}
	}
}

func TestTextRoundTrip(t *testing.T) {
	for _, s := range []Sheet{
		{Kind: Cover, Dossier: "000.00.53.H26-261127-0001"},
		{Kind: Separator, Dossier: "000.00.00.G09-270101-9999"},
		{Kind: Separator},
	} {
		if !s.Valid() {
			t.Errorf("%+v is not valid", s)
		}
		if text := s.Text(); !alphanumeric(text) {
			t.Errorf("%q holds characters outside QR alphanumeric mode", text)
		}
	}
	for _, s := range []Sheet{{Kind: Cover}, {Kind: "other", Dossier: "000.00.53.H26-261127-0001"}, {Kind: Separator, Dossier: "12"}} {
		if s.Valid() {
			t.Errorf("%+v is valid", s)
		}
	}
}

func alphanumeric(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'A' <= r && r <= 'Z' || r == ' ' || r == '$' || r == '%' || r == '*' || r == '+' || r == '-' || r == '.' || r == '/' || r == ':') {
			return false
		}
	}
	return true
}
