// Package receipt prints the papers of a dossier, each a one-page A4 PDF:
//
//   - the giấy tiếp nhận hồ sơ và hẹn trả kết quả (Write), which counter staff
//     hand to a citizen when a dossier is created (Thông tư 01/2018/TT-VPCP,
//     Mẫu số 01). It carries the dossier code as text and as a QR code, so the
//     citizen can look the dossier up and staff can find it again by scanning;
//   - the phiếu bìa hồ sơ (WriteCover), put on top of the dossier's stack when
//     it is scanned, and the tờ phân cách giấy tờ (WriteSeparator), put between
//     two of its papers: their large QR codes (package sheet) tell ingest where
//     the dossier's papers start and end, and are left out of the archive.
//
// The PDF is written directly, without a template: Liberation Serif (the
// Times New Roman clone that internal/sign/font embeds) is subset into it
// with a ToUnicode map, so every Vietnamese letter prints and copies back as
// the same NFC text, and the QR code is drawn as vector rectangles so it
// stays sharp on any printer. The same input gives the same bytes.
package receipt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa-vn/sohoa/internal/code"
)

// Receipt is what the paper says. Empty optional fields are left off the
// page rather than printed as blanks.
type Receipt struct {
	DossierCode   string    // e.g. 000.00.53.H26-261127-0001; required, printed as text and QR code
	Agency        string    // receiving agency, e.g. "Bộ phận Một cửa quận Lê Chân"
	Procedure     string    // administrative procedure name
	ProcedureCode string    // its code in the national catalogue
	OwnerName     string    // citizen or business the dossier is for
	OwnerID       string    // 12-digit personal ID, or tax code
	ReceivedAt    time.Time // required; printed in Vietnam time
	DueAt         time.Time // appointment to return the result; zero leaves it off
	DueOn         time.Time // or only its day (a date at midnight UTC), when no hour was set
	Components    []string  // papers received, printed as a numbered list
	Staff         string    // officer who received the dossier
	LookupURL     string    // encoded in the QR code instead of the bare code when set
}

// Write renders r as a one-page A4 PDF. Text that does not fit at the
// normal size is set smaller; if it still does not fit on one page, or a
// character has no glyph in the font, Write fails and writes nothing.
func Write(w io.Writer, r Receipt) error {
	r = clean(r)
	if r.DossierCode == "" {
		return errors.New("receipt: no dossier code")
	}
	if r.ReceivedAt.IsZero() {
		return errors.New("receipt: no time of receipt")
	}
	page, err := layout(r)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	info := docInfo{title: "Giấy tiếp nhận hồ sơ và hẹn trả kết quả " + r.DossierCode, created: r.ReceivedAt}
	if err := writePDF(&b, page, info); err != nil {
		return err
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("receipt: write: %w", err)
	}
	return nil
}

// clean puts every text field in NFC, so each Vietnamese letter is one
// precomposed glyph and pdftotext gives back what was stored, and folds runs
// of white space (including line breaks from form input) into one space.
func clean(r Receipt) Receipt {
	c := tidy
	r.DossierCode, r.Agency, r.Procedure = c(r.DossierCode), c(r.Agency), c(r.Procedure)
	r.ProcedureCode, r.OwnerName, r.OwnerID = c(r.ProcedureCode), c(r.OwnerName), c(r.OwnerID)
	r.Staff, r.LookupURL = c(r.Staff), strings.TrimSpace(r.LookupURL)
	var comps []string
	for _, s := range r.Components {
		if s = c(s); s != "" {
			comps = append(comps, s)
		}
	}
	r.Components = comps
	return r
}

// tidy is a field in NFC with its runs of white space folded into one space.
func tidy(s string) string { return norm.NFC.String(strings.Join(strings.Fields(s), " ")) }

// vietnameseTime writes t the way administrative papers do, in Vietnam time:
// "16 giờ 20 phút, ngày 27 tháng 11 năm 2026". Nghị định 30/2020 wants a zero
// before days under 10 and before months 1 and 2.
func vietnameseTime(t time.Time) string {
	t = t.In(code.Vietnam)
	return fmt.Sprintf("%02d giờ %02d phút, %s", t.Hour(), t.Minute(), vietnameseDay(t))
}

// vietnameseDay writes the day of t as it stands (no time zone is applied): "ngày 02 tháng 12
// năm 2026".
func vietnameseDay(t time.Time) string {
	month := fmt.Sprint(int(t.Month()))
	if t.Month() < 3 {
		month = "0" + month
	}
	return fmt.Sprintf("ngày %02d tháng %s năm %d", t.Day(), month, t.Year())
}

// ownerIDLabel names the identifier: a citizen's is 12 digits, anything else
// is a business's tax code.
func ownerIDLabel(id string) string {
	if len(id) == 12 && strings.Trim(id, "0123456789") == "" {
		return "Số định danh cá nhân: "
	}
	return "Mã số thuế: "
}
