package cer

import "testing"

func TestRate(t *testing.T) {
	for _, tt := range []struct {
		got, want string
		rate      float64
	}{
		{"Cộng  hòa\nxã", "Cộng hòa xã", 0}, // whitespace folded
		{"Co\u0302\u0323ng", "Cộng", 0},     // NFC: decomposed equals composed
		{"abcx", "abcd", 0.25},              // one substitution in four
		{"Viet", "Việt", 0.25},              // a lost diacritic is one error
		{"", "", 0}, {"x", "", 1}, {"", "ab", 1},
	} {
		if got := Rate(tt.got, tt.want); got != tt.rate {
			t.Errorf("Rate(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.rate)
		}
	}
	if p := Pages("a\fb"); len(p) != 2 || p[1] != "b" {
		t.Errorf("Pages: %q", p)
	}
}
