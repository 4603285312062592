package sheettest

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// Options is what a counter scanner does to a page.
type Options struct {
	UpsideDown  bool    // the page was fed head last
	SkewDegrees float64 // turned this much clockwise, the corners filled white as a scanner's lid
	// Noise is the share of pixels (0..1) turned black or white at random: dust, toner specks.
	Noise   float64
	Quality int // JPEG quality 1..100; 0 means 75, a common scanner default
}

// Scan returns img as a counter scanner would give it: a JPEG, grey if img is grey, else colour.
// The noise is the same on every run.
func Scan(img image.Image, o Options) []byte {
	grey := false
	switch img.(type) {
	case *image.Gray, *image.Gray16:
		grey = true
	}
	b := img.Bounds()
	page := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(page, page.Rect, img, b.Min, draw.Src)
	if o.UpsideDown {
		page = halfTurn(page)
	}
	if o.SkewDegrees != 0 {
		page = skew(page, o.SkewDegrees)
	}
	speckle(page, o.Noise)
	var out image.Image = page
	if grey {
		g := image.NewGray(page.Rect)
		draw.Draw(g, g.Rect, page, image.Point{}, draw.Src)
		out = g
	}
	q := o.Quality
	if q == 0 {
		q = 75
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: q}); err != nil {
		panic(err) // only a writer can fail, and a bytes.Buffer does not
	}
	return buf.Bytes()
}

func halfTurn(src *image.RGBA) *image.RGBA {
	dst := image.NewRGBA(src.Rect)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	for y := range h {
		for x := range w {
			copy(dst.Pix[dst.PixOffset(w-1-x, h-1-y):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}

// skew turns src about its centre, sampling bilinearly; what falls outside the page is white.
func skew(src *image.RGBA, degrees float64) *image.RGBA {
	dst := image.NewRGBA(src.Rect)
	sin, cos := math.Sincos(degrees * math.Pi / 180)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	cx, cy := float64(w)/2, float64(h)/2
	at := func(x, y, c int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 255
		}
		return float64(src.Pix[src.PixOffset(x, y)+c])
	}
	for y := range h {
		for x := range w {
			// The source point that lands on (x, y).
			dx, dy := float64(x)-cx, float64(y)-cy
			sx, sy := cos*dx+sin*dy+cx, -sin*dx+cos*dy+cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			p := dst.Pix[dst.PixOffset(x, y):][:4]
			for c := range 3 {
				top := at(x0, y0, c)*(1-fx) + at(x0+1, y0, c)*fx
				bottom := at(x0, y0+1, c)*(1-fx) + at(x0+1, y0+1, c)*fx
				p[c] = uint8(top*(1-fy) + bottom*fy + 0.5)
			}
			p[3] = 255
		}
	}
	return dst
}

// speckle turns a share of the pixels black or white, half each, from a fixed seed.
func speckle(img *image.RGBA, share float64) {
	if share <= 0 {
		return
	}
	r := rand.New(rand.NewPCG(1, 2))
	n := int(share * float64(img.Rect.Dx()*img.Rect.Dy()))
	for range n {
		x, y := r.IntN(img.Rect.Dx()), r.IntN(img.Rect.Dy())
		v := uint8(0)
		if r.IntN(2) == 0 {
			v = 255
		}
		img.SetRGBA(x, y, color.RGBA{v, v, v, 255})
	}
}
