package receipt

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// sheetSymbol is the side of a sheet's QR code without its quiet zone, about 55 mm: at level Q
// a cover's code is 29 modules of 1.9 mm, which sheet.Find still reads with 5 pixels a module on a
// page it has brought down to about 85 dpi, through scanner noise and a torn corner.
const sheetSymbol = 156.0

// layoutSheet lays a cover or separator out: the agency at the top, the title, the QR code in the
// middle of the column, the dossier code in large type under it, who and what the dossier is for,
// and the instruction at the foot of the page.
func layoutSheet(sp sheetPaper) (page, error) {
	ts, err := newTypesetter()
	if err != nil {
		return page{}, err
	}
	box, err := newQR(sp.sheet.Text(), qr.Q, 0)
	if err != nil {
		return page{}, err
	}
	box.module = sheetSymbol / float64(box.code.Size)
	c := &canvas{ts: ts}
	c.ops.WriteString("0 g 0 G\n")
	y := pageH - marginT - 12
	if sp.agency != "" {
		if y, _, err = c.centred(marginL, right, y, 13, 16, []span{{strings.ToUpper(sp.agency), bold}}); err != nil {
			return page{}, err
		}
	}
	if y, _, err = c.centred(marginL, right, y-48, 24, 30, []span{{sp.title, bold}}); err != nil {
		return page{}, err
	}
	q := float64(quietZone) * box.module
	box.x, box.y = (marginL+right)/2-sheetSymbol/2-q, y-24+q
	box.draw(c)
	if y, err = sheetCode(c, sp, box.y-box.side()+q-34); err != nil {
		return page{}, err
	}
	if y, err = sheetFields(c, sp, y-34); err != nil {
		return page{}, err
	}
	foot := marginB + 14.0
	if y-24 < foot {
		return page{}, fmt.Errorf("receipt: %s sheet: the owner's and procedure's names do not fit on one page", sp.sheet.Kind)
	}
	if _, _, err = c.centred(marginL, right, foot, 13, 16, []span{{sp.instruction, italic}}); err != nil {
		return page{}, err
	}
	return page{content: c.ops.String(), ts: ts, qr: box}, nil
}

// sheetCode prints the dossier code large under the QR code, so staff can check the sheet at a
// glance, and returns its baseline. A separator that names no dossier says where its papers go.
func sheetCode(c *canvas, sp sheetPaper, y float64) (float64, error) {
	if sp.sheet.Dossier == "" {
		y, _, err := c.centred(marginL, right, y, 14, 18,
			[]span{{"Giấy tờ sau tờ này thuộc hồ sơ của phiếu bìa đặt trước nó.", regular}})
		return y, err
	}
	y, _, err := c.centred(marginL, right, y, 13, 16, []span{{"Mã hồ sơ", regular}})
	if err != nil {
		return 0, err
	}
	y, _, err = c.centred(marginL, right, y-34, 28, 34, []span{{sp.sheet.Dossier, bold}})
	return y, err
}

// sheetFields prints whose dossier it is, for what, and where it was received, and returns the last
// baseline.
func sheetFields(c *canvas, sp sheetPaper, y float64) (float64, error) {
	const size, lead = 14.0, 19.0
	first := true
	for _, f := range []struct{ label, value string }{
		{"Tổ chức, cá nhân: ", sp.owner},
		{"Thủ tục: ", sp.procedure},
		{"Cơ quan tiếp nhận: ", sp.agency},
	} {
		if f.value == "" {
			continue
		}
		if !first {
			y -= lead
		}
		first = false
		var err error
		if y, err = c.paragraph(marginL, right-marginL, 0, y, size, lead, []span{{f.label, regular}, {f.value, bold}}); err != nil {
			return 0, err
		}
	}
	return y, nil
}
