// Package code formats and checks the codes the Government Office prescribes for dossiers of
// administrative procedures (Thông tư 01/2018/TT-VPCP Điều 19; Nghị định 61/2018 Điều 26):
//
//	V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX        e.g. 000.00.53.H48-220921-0099
//
// The left part is the receiving agency's identifier (QCVN 102:2016/BTTTT), YYMMDD the day the dossier
// was received in Vietnam's time, and XXXX that agency's sequence number for the day.
package code

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// MaxDaily is the largest sequence number four digits can hold. The circular leaves no fifth digit, so
// the 10000th dossier of one agency in one day is refused rather than given a code that breaks the
// format: no real counter receives that many, and a refusal is visible where a malformed code is not.
const MaxDaily = 9999

var (
	agencyPattern  = regexp.MustCompile(`^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$`)
	dossierPattern = regexp.MustCompile(`^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(\d{6})-(\d{4})$`)
)

// Vietnam is the time zone of the YYMMDD part: Indochina Time, UTC+7, no daylight saving.
var Vietnam = time.FixedZone("ICT", 7*60*60)

// CheckAgency reports whether id has the QCVN 102 form V1V2V3.Z1Z2.Y1Y2.MX1X2, e.g. 000.00.53.H48.
func CheckAgency(id string) error {
	if !agencyPattern.MatchString(id) {
		return fmt.Errorf("agency identifier %q is not of the form 000.00.00.H00 (QCVN 102:2016)", id)
	}
	return nil
}

// Dossier returns the code of the seq-th dossier received by agency on the day of t (in Vietnam).
func Dossier(agency string, t time.Time, seq int) (string, error) {
	if err := CheckAgency(agency); err != nil {
		return "", err
	}
	if seq < 1 || seq > MaxDaily {
		return "", fmt.Errorf("dossier sequence %d of %s on %s is outside 1..%d",
			seq, agency, t.In(Vietnam).Format("2006-01-02"), MaxDaily)
	}
	return fmt.Sprintf("%s-%s-%04d", agency, t.In(Vietnam).Format("060102"), seq), nil
}

// ParsedDossier is a dossier code taken apart.
type ParsedDossier struct {
	Agency string
	Day    time.Time // midnight in Vietnam
	Seq    int
}

// ParseDossier checks code and takes it apart.
func ParseDossier(code string) (ParsedDossier, error) {
	m := dossierPattern.FindStringSubmatch(code)
	if m == nil {
		return ParsedDossier{}, fmt.Errorf("dossier code %q is not of the form 000.00.00.H00-YYMMDD-XXXX", code)
	}
	day, err := time.ParseInLocation("060102", m[2], Vietnam)
	if err != nil {
		return ParsedDossier{}, fmt.Errorf("dossier code %q: date %s: %w", code, m[2], err)
	}
	var seq int
	fmt.Sscanf(m[3], "%d", &seq)
	if seq == 0 {
		return ParsedDossier{}, fmt.Errorf("dossier code %q: sequence 0000 is never issued", code)
	}
	return ParsedDossier{Agency: m[1], Day: day, Seq: seq}, nil
}

// Component returns the code of the seq-th paper of a series received by agency: the agency
// identifier, "-", the series (TP for a dossier component, KQ for a result) and six digits, the form
// seen in national-portal integrations (000.00.00.G09-KQ002269; Thông tư 01/2023/TT-VPCP).
func Component(agency, series string, seq int) (string, error) {
	if err := CheckAgency(agency); err != nil {
		return "", err
	}
	if len(series) != 2 || strings.ToUpper(series) != series {
		return "", fmt.Errorf("component series %q is not two capital letters such as TP or KQ", series)
	}
	if seq < 1 || seq > 999999 {
		return "", fmt.Errorf("component sequence %d of %s-%s is outside 1..999999", seq, agency, series)
	}
	return fmt.Sprintf("%s-%s%06d", agency, series, seq), nil
}
