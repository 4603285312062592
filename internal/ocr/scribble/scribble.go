// Package scribble draws what people add to a printed page by hand — pen
// strokes of signatures and notes, and red seals — onto page images, so
// that tests and the OCR bench can measure recognition under them. Every
// drawing is deterministic for a given seed, so a test page is the same on
// every machine and in every run.
//
// Ink is multiplied into the page, as ink on paper is: printed black text
// under blue or red ink stays black, and black pen over anything is black.
package scribble

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
)

// Inks of the pens and seals found on Vietnamese administrative papers.
var (
	Black = color.RGBA{28, 28, 36, 255}  // black ballpoint or gel pen
	Blue  = color.RGBA{35, 55, 165, 255} // blue ballpoint, the usual signature
	Red   = color.RGBA{205, 35, 45, 255} // the agency's seal
)

// RGBA copies any image into a new RGBA image to draw on.
func RGBA(src image.Image) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, src.Bounds().Dx(), src.Bounds().Dy()))
	draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Src)
	return dst
}

// coverage accumulates how much ink each pixel of a mark received (0..1)
// before it is multiplied into the page, so that overlapping dabs of one
// mark do not darken it twice. Rows are allocated as the pen reaches them.
type coverage struct {
	r    image.Rectangle
	rows map[int][]float32
}

func newCoverage(page image.Rectangle) *coverage {
	return &coverage{r: page, rows: map[int][]float32{}}
}

// dab inks a disc of radius rad at (x, y), antialiased over one pixel.
func (c *coverage) dab(x, y, rad float64) {
	x0, x1 := int(math.Floor(x-rad-1)), int(math.Ceil(x+rad+1))
	y0, y1 := int(math.Floor(y-rad-1)), int(math.Ceil(y+rad+1))
	for py := max(y0, c.r.Min.Y); py < min(y1, c.r.Max.Y); py++ {
		for px := max(x0, c.r.Min.X); px < min(x1, c.r.Max.X); px++ {
			d := math.Hypot(float64(px)+0.5-x, float64(py)+0.5-y)
			a := float32(min(max(rad+0.5-d, 0), 1))
			row := c.rows[py]
			if row == nil {
				row = make([]float32, c.r.Dx())
				c.rows[py] = row
			}
			row[px-c.r.Min.X] = max(row[px-c.r.Min.X], a)
		}
	}
}

// stroke inks the curve p(t), t in [0, 1], with a pen of the given width;
// the width swells and thins a little along the stroke as pressure does.
func (c *coverage) stroke(p func(t float64) (float64, float64), width float64, rng *rand.Rand) {
	// Enough steps that consecutive dabs are well under a pixel apart.
	x0, y0 := p(0)
	length := 0.0
	for i := 1; i <= 64; i++ {
		x, y := p(float64(i) / 64)
		length += math.Hypot(x-x0, y-y0)
		x0, y0 = x, y
	}
	n := int(length*4) + 2
	phase, rate := rng.Float64()*2*math.Pi, 3+rng.Float64()*4
	for i := 0; i <= n; i++ {
		t := float64(i) / float64(n)
		x, y := p(t)
		w := width * (0.85 + 0.15*math.Sin(phase+rate*2*math.Pi*t))
		c.dab(x, y, w/2)
	}
}

// apply multiplies ink into img where the coverage says.
func (c *coverage) apply(img *image.RGBA, ink color.RGBA) {
	for y, row := range c.rows {
		for i, a := range row {
			if a == 0 {
				continue
			}
			x := c.r.Min.X + i
			o := img.RGBAAt(x, y)
			mul := func(v, k uint8) uint8 {
				f := 1 - float64(a)*(1-float64(k)/255)
				return uint8(math.Round(float64(v) * f))
			}
			img.SetRGBA(x, y, color.RGBA{mul(o.R, ink.R), mul(o.G, ink.G), mul(o.B, ink.B), 255})
		}
	}
}
