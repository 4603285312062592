package receipt

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// A4 in points, and margins after Nghị định 30/2020 Phụ lục I: 30 mm on the
// left for binding, 20 mm elsewhere.
const (
	pageW   = 595.28
	pageH   = 841.89
	marginL = 85.04
	marginR = 56.69
	marginT = 56.69
	marginB = 56.69
	right   = pageW - marginR
	// leftCol is the width of the agency column in the heading; the
	// national heading takes the rest.
	leftCol = 180.0
	// qrSide, quiet zone included, is about 34 mm: a code holding a long
	// look-up URL still has modules of 1.4 pt (3 pixels at 150 dpi), which
	// phone cameras and counter scanners read.
	qrSide = 96.0
)

// page is the laid-out receipt: its content stream, the glyphs it uses and
// where its QR code is.
type page struct {
	content string
	ts      *typesetter
	qr      qrBox
}

// bodySizes are tried in turn until the receipt fits on one page: 13 pt is
// the usual size of the body of an administrative paper, and half-point
// steps keep a long list from shrinking more than it must. Below 9 pt a
// printed receipt is hard to read, so a longer one is refused.
var bodySizes = []float64{13, 12.5, 12, 11.5, 11, 10.5, 10, 9.5, 9}

func layout(r Receipt) (page, error) {
	ts, err := newTypesetter()
	if err != nil {
		return page{}, err
	}
	text := r.DossierCode
	if r.LookupURL != "" {
		text = r.LookupURL
	}
	box, err := newQR(text, qr.M, qrSide)
	if err != nil {
		return page{}, err
	}
	for _, size := range bodySizes {
		c := &canvas{ts: ts}
		c.ops.WriteString("0 g 0 G\n")
		bottom, err := draw(c, r, &box, size)
		if err != nil {
			return page{}, err
		}
		if bottom >= marginB {
			return page{content: c.ops.String(), ts: ts, qr: box}, nil
		}
	}
	return page{}, fmt.Errorf("receipt: %d components and their texts do not fit on one page even at %g pt", len(r.Components), bodySizes[len(bodySizes)-1])
}

// draw lays the receipt out at body size size and returns the lowest
// baseline it used.
func draw(c *canvas, r Receipt, box *qrBox, size float64) (float64, error) {
	y, err := heading(c, r, marginT)
	if err != nil {
		return 0, err
	}
	y -= 34
	if y, _, err = c.centred(marginL, right, y, 14, 18, []span{{"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", bold}}); err != nil {
		return 0, err
	}
	if y, err = codeRow(c, r, box, y-10); err != nil {
		return 0, err
	}
	if y, err = fields(c, r, y-size*1.5, size); err != nil {
		return 0, err
	}
	return signatures(c, r, y-size*2.4, size)
}

// heading draws the agency top left and the national heading top right,
// each centred in its column with a short rule under it, and returns the
// lower of the two last baselines.
func heading(c *canvas, r Receipt, top float64) (float64, error) {
	y := pageH - top - 12
	low := y
	if r.Agency != "" {
		ay, w, err := c.centred(marginL, marginL+leftCol, y, 12, 14.5, []span{{strings.ToUpper(r.Agency), bold}})
		if err != nil {
			return 0, err
		}
		mid := marginL + leftCol/2
		c.rule(mid-w/6, mid+w/6, ay-6)
		low = min(low, ay)
	}
	x0 := marginL + leftCol
	ny, _, err := c.centred(x0, right, y, 12, 15, []span{{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold}})
	if err != nil {
		return 0, err
	}
	my, w, err := c.centred(x0, right, ny-15, 13, 15, []span{{"Độc lập - Tự do - Hạnh phúc", bold}})
	if err != nil {
		return 0, err
	}
	mid := (x0 + right) / 2
	c.rule(mid-w/2, mid+w/2, my-6)
	return min(low, my), nil
}

// codeRow puts the QR code at the right margin below the title, with the
// dossier code beside it, and returns the baseline under both.
func codeRow(c *canvas, r Receipt, box *qrBox, top float64) (float64, error) {
	// The quiet zone may reach into the right margin and up to the title:
	// it is white, and the dark modules line up with the text margin.
	q := float64(quietZone) * box.module
	box.x, box.y = right-box.side()+q, top+q-6
	box.draw(c)
	qrBottom := box.y - box.side() + q

	width := box.x + q - 12 - marginL
	y := box.y - box.side()/2 + 5
	y, err := c.paragraph(marginL, width, 0, y, 14, 18, []span{{"Mã hồ sơ: ", regular}, {r.DossierCode, bold}})
	if err != nil {
		return 0, err
	}
	note := []span{{"Quét mã QR hoặc dùng mã hồ sơ để tra cứu tình trạng giải quyết.", italic}}
	if r.LookupURL != "" {
		note = []span{{"Quét mã QR hoặc tra cứu tại: ", italic}, {r.LookupURL, regular}}
	}
	if y, err = c.paragraph(marginL, width, 0, y-15, 10.5, 13, note); err != nil {
		return 0, err
	}
	return min(y, qrBottom), nil
}
