package receipt

import (
	"fmt"

	"rsc.io/qr"
)

// quietZone is the white margin, in modules, that ISO/IEC 18004 requires
// around a QR code for a reader to find it.
const quietZone = 4

// qrBox is where a QR code sits on the page: the top left corner of its
// quiet zone and the side of one module, in points.
type qrBox struct {
	code   *qr.Code
	x, y   float64 // top left of the quiet zone
	module float64
}

// side is the whole square, quiet zone included.
func (b qrBox) side() float64 { return float64(b.code.Size+2*quietZone) * b.module }

// newQR encodes text at the given error correction level (the receipt's M:
// 15% of the code may be soiled or torn and it still reads) in a square of
// the given side, quiet zone included.
func newQR(text string, level qr.Level, side float64) (qrBox, error) {
	c, err := qr.Encode(text, level)
	if err != nil {
		return qrBox{}, fmt.Errorf("receipt: QR code of %q: %w", text, err)
	}
	return qrBox{code: c, module: side / float64(c.Size+2*quietZone)}, nil
}

// draw paints the dark modules as one path of rectangles in module units,
// a row's neighbouring modules merged into one. The matrix puts module
// (0, 0) at the top left of the code, rows downwards, so every edge is an
// exact integer and neighbouring rows meet without rounding gaps; one fill
// for the whole path leaves no hairline seams where an anti-aliasing
// renderer would paint each rectangle's edge half-covered.
func (b qrBox) draw(c *canvas) {
	q := float64(quietZone) * b.module
	fmt.Fprintf(&c.ops, "q 0 g %.4f 0 0 %.4f %.3f %.3f cm\n", b.module, -b.module, b.x+q, b.y-q)
	n := b.code.Size
	for row := range n {
		for col := 0; col < n; {
			if !b.code.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < n && b.code.Black(col, row) {
				col++
			}
			fmt.Fprintf(&c.ops, "%d %d %d 1 re\n", start, row, col-start)
		}
	}
	c.ops.WriteString("f Q\n")
}
