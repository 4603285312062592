package receipt

import (
	"bytes"
	"fmt"
	"io"

	"github.com/sohoa-vn/sohoa/internal/sheet"
)

// Cover is what a dossier's cover sheet (phiếu bìa hồ sơ) says: it goes on top of the dossier's
// stack when the stack is scanned, and its QR code tells ingest which dossier the papers under it
// belong to. Empty optional fields are left off.
type Cover struct {
	DossierCode string // required, of the form internal/code makes: 000.00.53.H26-261127-0001
	Agency      string // receiving agency
	Procedure   string // administrative procedure name
	OwnerName   string // citizen or business the dossier is for
}

// Separator is what a separator sheet (tờ phân cách giấy tờ) says: it goes between two papers of a
// stack, so that ingest cuts the scan there. DossierCode may be empty: the sheet then parts papers
// of the dossier of the last cover before it. A separator is never archived.
type Separator struct {
	DossierCode string // optional; when set, of the same form as a Cover's
	Agency      string
	Procedure   string
	OwnerName   string
}

// WriteCover prints c as a one-page A4 PDF; the same cover gives the same bytes.
func WriteCover(w io.Writer, c Cover) error {
	return writeSheet(w, newSheetPaper(sheet.Cover, Separator(c), "PHIẾU BÌA HỒ SƠ",
		"Đặt phiếu này lên trên cùng xấp giấy tờ của hồ sơ khi quét."))
}

// WriteSeparator prints s as a one-page A4 PDF; the same separator gives the same bytes.
func WriteSeparator(w io.Writer, s Separator) error {
	return writeSheet(w, newSheetPaper(sheet.Separator, s, "TỜ PHÂN CÁCH GIẤY TỜ",
		"Đặt tờ này giữa hai giấy tờ khi quét; tờ này không được lưu vào hồ sơ."))
}

// newSheetPaper tidies a sheet's fields; a Cover has the same ones as a Separator.
func newSheetPaper(kind sheet.Kind, f Separator, title, instruction string) sheetPaper {
	return sheetPaper{
		sheet: sheet.Sheet{Kind: kind, Dossier: tidy(f.DossierCode)},
		title: title, instruction: instruction,
		agency: tidy(f.Agency), procedure: tidy(f.Procedure), owner: tidy(f.OwnerName),
	}
}

// sheetPaper is a cover or a separator, its fields tidied.
type sheetPaper struct {
	sheet                    sheet.Sheet
	title, instruction       string
	agency, procedure, owner string
}

func writeSheet(w io.Writer, sp sheetPaper) error {
	if !sp.sheet.Valid() {
		return fmt.Errorf("receipt: %s sheet: dossier code %q is not of the form 000.00.00.H00-YYMMDD-XXXX", sp.sheet.Kind, sp.sheet.Dossier)
	}
	pg, err := layoutSheet(sp)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	title := sp.title
	if sp.sheet.Dossier != "" {
		title += " " + sp.sheet.Dossier
	}
	if err := writePDF(&b, pg, docInfo{title: title}); err != nil {
		return err
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("receipt: write %s sheet: %w", sp.sheet.Kind, err)
	}
	return nil
}
