// Package retention says how long a signed record is kept: the maintenance code (thời hạn bảo quản)
// of Thông tư 05/2025/TT-BNV that a kind of paper gets, and the object lock that code means in the
// archive. Both tables are configuration (SOHOA_MAINTENANCE, SOHOA_RETENTION_YEARS): the codes' exact
// periods are unconfirmed against the official text, and which kinds are kept for ever is the
// agency's decision.
//
// Default periods, by code: 01 permanent (a legal hold: no end date), 02 70 years, 03 50, 04 30,
// 05 20, 06 10, 07 5. These are the steps of the Bảng thời hạn bảo quản tài liệu that Vietnamese
// archives use (vĩnh viễn, 70, 50, 30, 20, 10, 5 năm), in the order TT05 numbers its codes from
// "01 permanent". A kind not listed gets 06 (10 years): a COMPLIANCE retention can be lengthened
// later but never shortened, so the default is short, and the kinds an agency keeps for ever
// (birth, death and marriage records, land-use certificates, by default) are listed as 01.
package retention

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Permanent is the code of records kept for ever.
const Permanent = "01"

// DefaultKinds and DefaultYears are the defaults of SOHOA_MAINTENANCE and SOHOA_RETENTION_YEARS.
const (
	DefaultKinds = "Giấy khai sinh=01;Trích lục khai tử=01;Giấy chứng tử=01;Giấy chứng nhận kết hôn=01;" +
		"Giấy chứng nhận quyền sử dụng đất=01;*=06"
	DefaultYears = "02=70,03=50,04=30,05=20,06=10,07=5"
)

// Policy maps kinds of paper to maintenance codes, and codes to locks.
type Policy struct {
	byKind   map[string]string // lower-cased kind → code
	fallback string
	years    map[string]int
}

// Parse reads kinds ("kind=code;…;*=code", the * entry required: the code of every other kind) and
// years ("code=years,…", every code but 01 that kinds uses).
func Parse(kinds, years string) (Policy, error) {
	p := Policy{byKind: map[string]string{}, years: map[string]int{}}
	for _, e := range strings.Split(years, ",") {
		code, n, ok := strings.Cut(strings.TrimSpace(e), "=")
		y, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || err != nil || y < 1 || !isCode(code) || code == Permanent {
			return Policy{}, fmt.Errorf("retention years %q: want code=years with codes 02…99 and years ≥ 1", e)
		}
		p.years[code] = y
	}
	for _, e := range strings.Split(kinds, ";") {
		if strings.TrimSpace(e) == "" {
			continue
		}
		kind, code, ok := strings.Cut(e, "=")
		kind, code = strings.ToLower(strings.TrimSpace(kind)), strings.TrimSpace(code)
		if !ok || kind == "" || !isCode(code) {
			return Policy{}, fmt.Errorf("maintenance %q: want kind=code, code two digits", e)
		}
		if _, known := p.years[code]; !known && code != Permanent {
			return Policy{}, fmt.Errorf("maintenance %q: code %s has no period in the retention years", e, code)
		}
		if kind == "*" {
			p.fallback = code
		} else {
			p.byKind[kind] = code
		}
	}
	if p.fallback == "" {
		return Policy{}, fmt.Errorf("maintenance %q: want a *=code entry for the kinds not listed", kinds)
	}
	return p, nil
}

func isCode(s string) bool {
	return len(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s != "00"
}

// Code returns the maintenance code of a kind of paper, as recorded (case and surrounding spaces
// do not matter); an unknown or empty kind gets the * entry's.
func (p Policy) Code(kind string) string {
	if c, ok := p.byKind[strings.ToLower(strings.TrimSpace(kind))]; ok {
		return c
	}
	return p.fallback
}

// Lock returns how a record of code, archived at from, is locked: a legal hold for a permanent one,
// else a retention until from plus the code's years. An unknown code (one a file carries that the
// configuration has since dropped) is an error rather than a guess.
func (p Policy) Lock(code string, from time.Time) (until time.Time, hold bool, err error) {
	if code == Permanent {
		return time.Time{}, true, nil
	}
	y, ok := p.years[code]
	if !ok {
		return time.Time{}, false, fmt.Errorf("maintenance code %q has no retention period", code)
	}
	return from.AddDate(y, 0, 0), false, nil
}
