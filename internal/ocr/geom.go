package ocr

import (
	"image"
	"math"
)

// geometry records how the recognition copy was made from the original
// page image, so that boxes found on the copy can be mapped back onto the
// original, which is what the archive shows and the PDF text layer must
// line up with. Order of the steps: scale, quarter turns, deskew.
type geometry struct {
	w0, h0 int     // original
	scale  float64 // copy pixels per original pixel (≤ 1)
	w1, h1 int     // after scaling
	quads  int     // clockwise quarter turns applied after scaling
	w2, h2 int     // after the quarter turns
	skew   float64 // degrees clockwise applied after the quarter turns
	w3, h3 int     // after deskewing (enlarged so no corner is cut off)
}

// toOriginal maps a point of the recognition copy back to the original.
func (g geometry) toOriginal(x, y float64) (float64, float64) {
	if g.skew != 0 {
		// Leptonica rotates about the integer centre of the enlarged image,
		// which is the original centre moved by the border it added.
		cx, cy := float64(g.w3/2), float64(g.h3/2)
		s, c := math.Sincos(g.skew * math.Pi / 180)
		dx, dy := x-cx, y-cy
		x, y = cx+c*dx+s*dy, cy-s*dx+c*dy
		x -= float64((g.w3 - g.w2) / 2)
		y -= float64((g.h3 - g.h2) / 2)
	}
	switch g.quads {
	case 1:
		x, y = y, float64(g.h1)-x
	case 2:
		x, y = float64(g.w1)-x, float64(g.h1)-y
	case 3:
		x, y = float64(g.w1)-y, x
	}
	return x / g.scale, y / g.scale
}

// box maps a box of the copy (left, top, right, bottom) to the original.
// A rotated box is not axis-aligned on the original; the box of its four
// corners is, and for the small skews we correct (≤ 10°) it overlaps the
// word's neighbours by at most a few pixels, which only matters to text
// selection in a PDF viewer.
func (g geometry) box(b [4]int) image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range [4][2]int{{b[0], b[1]}, {b[2], b[1]}, {b[0], b[3]}, {b[2], b[3]}} {
		x, y := g.toOriginal(float64(p[0]), float64(p[1]))
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	r := image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY)))
	return r.Intersect(image.Rect(0, 0, g.w0, g.h0))
}
