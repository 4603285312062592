package scribble

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// Sizes are given at 200 dpi and scaled by the page's resolution: a pen
// line is 0.4–0.6 mm wide, 3–5 px at 200 dpi.

// Signature draws a looping signature with a flourish under it, its
// left end at (x, y), slanting a little as hands do. Its loops are two to
// four printed lines tall, so it crosses the lines it is written over.
func Signature(img *image.RGBA, ink color.RGBA, x, y, dpi float64, rng *rand.Rand) {
	s := dpi / 200
	length := (350 + 200*rng.Float64()) * s
	r := (22 + 22*rng.Float64()) * s
	tall := 1.3 + 0.7*rng.Float64()
	loops := 5 + rng.IntN(5)
	slope := (-12 + 16*rng.Float64()) * math.Pi / 180
	phase, wob, wobPhase := rng.Float64()*2*math.Pi, 1+2*rng.Float64(), rng.Float64()*2*math.Pi
	width := (3 + 2*rng.Float64()) * s
	sn, cs := math.Sincos(slope)
	c := newCoverage(img.Bounds())
	c.stroke(func(t float64) (float64, float64) {
		bx, by := x+length*t*cs, y+length*t*sn
		a := 2*math.Pi*float64(loops)*t + phase
		rr := r * (0.7 + 0.3*math.Sin(2*math.Pi*wob*t+wobPhase))
		return bx + 0.8*rr*math.Cos(a), by - tall*rr*math.Sin(a)
	}, width, rng)
	// The flourish sweeps back under the name.
	ex, ey := x+length*cs, y+length*sn
	cx, cy := x+0.5*length*cs, y+0.5*length*sn+(2+2*rng.Float64())*r
	fx, fy := x-0.1*length, y+(0.5+rng.Float64())*r
	c.stroke(func(t float64) (float64, float64) {
		u := 1 - t
		return u*u*ex + 2*u*t*cx + t*t*fx, u*u*ey + 2*u*t*cy + t*t*fy
	}, width*0.8, rng)
	c.apply(img, ink)
}

// Note draws a line of handwriting — words of joined loops with gaps
// between them — from (x, y) along a baseline sloped by 2–7° either way,
// so that it runs across the printed lines rather than between them.
func Note(img *image.RGBA, ink color.RGBA, x, y, dpi float64, rng *rand.Rand) {
	s := dpi / 200
	h := (12 + 5*rng.Float64()) * s // x-height
	slope := (2 + 5*rng.Float64()) * math.Pi / 180
	if rng.IntN(2) == 0 {
		slope = -slope
	}
	width := (2.5 + 1.5*rng.Float64()) * s
	sn, cs := math.Sincos(slope)
	c := newCoverage(img.Bounds())
	at := 0.0 // distance along the baseline
	for range 3 + rng.IntN(4) {
		loops := 3 + rng.IntN(5)
		length := float64(loops) * h * (0.8 + 0.3*rng.Float64())
		start, phase := at, rng.Float64()*2*math.Pi
		// Ascenders and descenders: some loops reach up or down a line.
		tallAt, tall := rng.IntN(loops), 1+2*rng.Float64()
		c.stroke(func(t float64) (float64, float64) {
			d := start + length*t
			bx, by := x+d*cs, y+d*sn
			a := 2*math.Pi*float64(loops)*t + phase
			k := 1.0
			if int(t*float64(loops)) == tallAt {
				k = tall
			}
			return bx + 0.45*h*math.Cos(a), by - 0.5*h*(1+math.Sin(a))*k
		}, width, rng)
		at += length + h*(0.8+0.8*rng.Float64())
	}
	c.apply(img, ink)
}

// Seal stamps an agency's round seal centred at (x, y): two rings, a star
// and a ring of dashes standing for its lettering, in red.
func Seal(img *image.RGBA, x, y, dpi float64, rng *rand.Rand) {
	s := dpi / 200
	r := (170 + 30*rng.Float64()) * s
	c := newCoverage(img.Bounds())
	ring := func(rad, w float64) {
		c.stroke(func(t float64) (float64, float64) {
			a := 2 * math.Pi * t
			return x + rad*math.Cos(a), y + rad*math.Sin(a)
		}, w, rng)
	}
	ring(r, 9*s)
	ring(r-30*s, 4*s)
	// Lettering between the rings: short radial bars of glyph size.
	for i := range 40 {
		a := 2 * math.Pi * (float64(i) + 0.2*rng.Float64()) / 40
		sn, cs := math.Sincos(a)
		in, out := r-25*s, r-10*s
		c.stroke(func(t float64) (float64, float64) {
			d := in + (out-in)*t
			return x + d*cs, y + d*sn
		}, 4*s, rng)
	}
	// A five-pointed star in the middle.
	star := 45 * s
	c.stroke(func(t float64) (float64, float64) {
		k := int(t * 5)
		f := t*5 - float64(k)
		a0, a1 := -math.Pi/2+float64(k)*4*math.Pi/5, -math.Pi/2+float64(k+1)*4*math.Pi/5
		return x + star*((1-f)*math.Cos(a0)+f*math.Cos(a1)), y + star*((1-f)*math.Sin(a0)+f*math.Sin(a1))
	}, 5*s, rng)
	c.apply(img, Red)
}

// TextBlock is the box of the page's printed text: the rows and columns
// where more than a trace of dark pixels lies, so that marks can be put
// across the text rather than on the empty paper around it.
func TextBlock(img *image.RGBA) image.Rectangle {
	b := img.Bounds()
	rows, cols := make([]int, b.Dy()), make([]int, b.Dx())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := img.RGBAAt(x, y)
			if int(p.R)+int(p.G)+int(p.B) < 3*128 {
				rows[y-b.Min.Y]++
				cols[x-b.Min.X]++
			}
		}
	}
	span := func(h []int, minCount int) (int, int) {
		lo, hi := -1, -1
		for i, n := range h {
			if n >= minCount {
				if lo < 0 {
					lo = i
				}
				hi = i
			}
		}
		return lo, hi + 1
	}
	y0, y1 := span(rows, b.Dx()/200+1)
	x0, x1 := span(cols, b.Dy()/200+1)
	if y0 < 0 || x0 < 0 {
		return image.Rectangle{}
	}
	return image.Rect(b.Min.X+x0, b.Min.Y+y0, b.Min.X+x1, b.Min.Y+y1)
}
