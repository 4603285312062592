package identity

import (
	"fmt"
	"time"
)

// Gender is the one the personal ID encodes in its fourth digit.
type Gender string

const (
	Male   Gender = "male"
	Female Gender = "female"
)

// CitizenID is a parsed personal identification number. Its layout (Nghị định 137/2015/NĐ-CP Điều 13,
// codes in Thông tư 07/2016/TT-BCA Điều 7, kept by Luật Căn cước 2023) is PPP C YY RRRRRR: province of
// birth registration, century and gender, the last two digits of the birth year, six random digits.
// There is no check digit, so a typo in the random part cannot be caught.
type CitizenID struct {
	Number       string // the 12 digits
	ProvinceCode string // "031"
	Province     string // "Hải Phòng"
	Century      int    // 20 for births in 1900–1999, 21 for 2000–2099, … up to 24
	Gender       Gender
	BirthYear    int // full year: century and the two digits
}

// ParseCitizenID validates a personal ID after removing spaces and dots, and reads what it encodes.
// It refuses a wrong length, anything but digits, a province code not in the list, and a birth year
// after the current year in Vietnam.
func ParseCitizenID(s string) (CitizenID, error) {
	return parseCitizenID(s, time.Now())
}

func parseCitizenID(s string, now time.Time) (CitizenID, error) {
	n := normalize(s)
	if n == "" {
		return CitizenID{}, newError(CodeCitizenEmpty, s, "Chưa nhập số định danh cá nhân.")
	}
	if r, found := firstNonDigit(n); found {
		return CitizenID{}, newError(CodeCitizenNotDigits, s, fmt.Sprintf(
			"Số định danh cá nhân %q chỉ được gồm chữ số, nhưng có ký tự %q.", s, string(r)))
	}
	if len(n) != 12 {
		return CitizenID{}, newError(CodeCitizenLength, s, fmt.Sprintf(
			"Số định danh cá nhân %q phải có đúng 12 chữ số, đã nhập %d.", s, len(n)))
	}
	id := CitizenID{Number: n, ProvinceCode: n[:3]}
	name, ok := ProvinceName(id.ProvinceCode)
	if !ok {
		return CitizenID{}, newError(CodeCitizenProvince, s, fmt.Sprintf(
			"Số định danh cá nhân %q có mã tỉnh nơi đăng ký khai sinh %q không có trong danh mục (001 Hà Nội … 096 Cà Mau).",
			s, id.ProvinceCode))
	}
	id.Province = name
	// The fourth digit counts centuries from the 20th, two per century: even male, odd female.
	d := int(n[3] - '0')
	id.Century = 20 + d/2
	id.Gender = Male
	if d%2 == 1 {
		id.Gender = Female
	}
	id.BirthYear = 1900 + 100*(d/2) + int(n[4]-'0')*10 + int(n[5]-'0')
	// Vietnam's calendar year decides: on 1 January at 06:00 in Hà Nội a baby of the new year exists.
	if this := now.In(time.FixedZone("ICT", 7*60*60)).Year(); id.BirthYear > this {
		return CitizenID{}, newError(CodeCitizenFutureYear, s, fmt.Sprintf(
			"Số định danh cá nhân %q cho năm sinh %d, sau năm hiện tại %d.", s, id.BirthYear, this))
	}
	return id, nil
}

// CheckBirthYear reports whether the birth year encoded in id agrees with the year the person
// declared or another paper shows.
func CheckBirthYear(id CitizenID, year int) error {
	if id.BirthYear != year {
		return newError(CodeCitizenYearMismatch, id.Number, fmt.Sprintf(
			"Số định danh cá nhân %q cho năm sinh %d, không khớp với năm sinh đã khai %d.", id.Number, id.BirthYear, year))
	}
	return nil
}
