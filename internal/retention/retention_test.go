package retention

import (
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	p, err := Parse(DefaultKinds, DefaultYears)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		kind, code string
		until      time.Time
		hold       bool
	}{
		{"Giấy khai sinh", "01", time.Time{}, true},
		{"  giấy KHAI SINH ", "01", time.Time{}, true},
		{"Đơn xin việc", "06", at.AddDate(10, 0, 0), false},
		{"", "06", at.AddDate(10, 0, 0), false},
	} {
		code := p.Code(c.kind)
		until, hold, err := p.Lock(code, at)
		if code != c.code || !until.Equal(c.until) || hold != c.hold || err != nil {
			t.Errorf("%q: code %s, lock %v hold %v, %v; want %s, %v hold %v", c.kind, code, until, hold, err, c.code, c.until, c.hold)
		}
	}
	if until, _, err := p.Lock("02", at); err != nil || !until.Equal(at.AddDate(70, 0, 0)) {
		t.Errorf("02 locks until %v, %v; want 70 years", until, err)
	}
	if _, _, err := p.Lock("09", at); err == nil {
		t.Error("a code without a period gave a lock")
	}
}

func TestParseRefuses(t *testing.T) {
	for _, c := range []struct{ kinds, years string }{
		{"Giấy khai sinh=01", DefaultYears},      // no * entry
		{"*=08", DefaultYears},                   // a code without a period
		{"*=6", DefaultYears},                    // not two digits
		{"Giấy khai sinh 01;*=06", DefaultYears}, // no =
		{"*=06", "06=ten"},
		{"*=06", "06=0"},
		{"*=01", "01=100"}, // permanent has no years
	} {
		if _, err := Parse(c.kinds, c.years); err == nil {
			t.Errorf("Parse(%q, %q) accepted it", c.kinds, c.years)
		}
	}
	p, err := Parse("Sổ đỏ=02;*=07", "02=70,07=5")
	if err != nil || p.Code("sổ đỏ") != "02" || p.Code("x") != "07" {
		t.Errorf("a configured table: %v, %q %q", err, p.Code("sổ đỏ"), p.Code("x"))
	}
}
