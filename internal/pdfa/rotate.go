package pdfa

import (
	"fmt"
	"image"
)

// textSpace is where a page's text layer is laid out: the page as it is
// shown, upright, after its /Rotate. Laying the words out there, rather
// than on the image as scanned, is what makes a quarter-turned page read
// in order: text extractors and viewers read the page as shown, and the
// line and skew layout (content.go, skew.go) assume level lines running
// left to right.
type textSpace struct {
	g      geometry    // pixels of the upright image to points of the page as shown
	quads  int         // clockwise quarter turns from the scan to upright
	size   image.Point // the scan's pixel size
	matrix [6]float64  // page as shown to the page's own space (cm operands)
}

// quarterTurns normalises a clockwise rotation in degrees to 0..3 quarter
// turns.
func quarterTurns(deg int) (int, error) {
	if deg%90 != 0 {
		return 0, fmt.Errorf("rotation %d° is not a multiple of 90°", deg)
	}
	return (deg/90%4 + 4) % 4, nil
}

// newTextSpace describes a page of width × height points showing a scan
// of size pixels at g's scale, turned quads quarter turns clockwise.
func newTextSpace(g geometry, width float64, size image.Point, quads int) textSpace {
	t := textSpace{g: g, quads: quads, size: size}
	h := g.height
	switch quads {
	case 0:
		t.matrix = [6]float64{1, 0, 0, 1, 0, 0}
	case 1:
		t.g = geometry{sx: g.sy, sy: g.sx, height: width}
		t.matrix = [6]float64{0, 1, -1, 0, width, 0}
	case 2:
		t.matrix = [6]float64{-1, 0, 0, -1, width, h}
	case 3:
		t.g = geometry{sx: g.sy, sy: g.sx, height: width}
		t.matrix = [6]float64{0, -1, 1, 0, 0, h}
	}
	return t
}

// box maps a box on the scan (pixels, origin top left) onto the upright
// image.
func (t textSpace) box(b image.Rectangle) image.Rectangle {
	w, h := t.size.X, t.size.Y
	turn := func(p image.Point) image.Point {
		switch t.quads {
		case 1:
			return image.Pt(h-p.Y, p.X)
		case 2:
			return image.Pt(w-p.X, h-p.Y)
		case 3:
			return image.Pt(p.Y, w-p.X)
		}
		return p
	}
	return image.Rectangle{turn(b.Min), turn(b.Max)}.Canon()
}

// appendMatrix writes the cm that takes the text layer from the page as
// shown to the page's space; nothing for an upright page.
func (t textSpace) appendMatrix(b []byte) []byte {
	if t.quads == 0 {
		return b
	}
	for _, v := range t.matrix {
		b = num(b, v)
		b = append(b, ' ')
	}
	return append(b, "cm\n"...)
}
