package scribble

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // pages from internal/scan are JPEG or PNG
	_ "image/png"
	"math/rand/v2"
)

// Variant is one way of marking a page by hand.
type Variant struct {
	Name string
	draw func(img *image.RGBA, text image.Rectangle, dpi float64, rng *rand.Rand)
}

// Variants lists the markings the tests and the bench put on pages:
// black pen across the text (the case preprocessing must not make worse
// than plain Tesseract), blue pen (which ink dropout removes), and a
// black signature across a red seal.
func Variants() []Variant {
	return []Variant{
		{"signature", func(img *image.RGBA, b image.Rectangle, dpi float64, rng *rand.Rand) {
			x, y := spot(b, 0.15, 0.5, rng)
			Signature(img, Black, x, y, dpi, rng)
			x, y = spot(b, 0.55, 0.9, rng)
			Signature(img, Black, x, y, dpi, rng)
		}},
		{"note", func(img *image.RGBA, b image.Rectangle, dpi float64, rng *rand.Rand) {
			x, y := spot(b, 0.1, 0.45, rng)
			Note(img, Black, x, y, dpi, rng)
			x, y = spot(b, 0.55, 0.9, rng)
			Note(img, Black, x, y, dpi, rng)
		}},
		{"signed-note", func(img *image.RGBA, b image.Rectangle, dpi float64, rng *rand.Rand) {
			x, y := spot(b, 0.2, 0.5, rng)
			Note(img, Black, x, y, dpi, rng)
			x, y = spot(b, 0.6, 0.9, rng)
			Signature(img, Black, x, y, dpi, rng)
		}},
		{"blue", func(img *image.RGBA, b image.Rectangle, dpi float64, rng *rand.Rand) {
			x, y := spot(b, 0.15, 0.5, rng)
			Note(img, Blue, x, y, dpi, rng)
			x, y = spot(b, 0.55, 0.9, rng)
			Signature(img, Blue, x, y, dpi, rng)
		}},
		{"seal", func(img *image.RGBA, b image.Rectangle, dpi float64, rng *rand.Rand) {
			x, y := spot(b, 0.6, 0.85, rng)
			Seal(img, x+0.1*float64(b.Dx()), y, dpi, rng)
			Signature(img, Black, x, y, dpi, rng)
		}},
	}
}

// spot picks a starting point over the text: in the left half of the
// block (a mark runs rightwards from it) and between the given fractions
// of the block's height.
func spot(b image.Rectangle, top, bottom float64, rng *rand.Rand) (float64, float64) {
	x := float64(b.Min.X) + float64(b.Dx())*(0.05+0.4*rng.Float64())
	y := float64(b.Min.Y) + float64(b.Dy())*(top+(bottom-top)*rng.Float64())
	return x, y
}

// Mark returns a copy of page with the variant drawn over its text. The
// same page, variant and seed always give the same image.
func Mark(page image.Image, dpi float64, v Variant, seed uint64) *image.RGBA {
	img := RGBA(page)
	rng := rand.New(rand.NewPCG(seed, 0x5c81bb1e))
	v.draw(img, TextBlock(img), dpi, rng)
	return img
}

// MarkImage is Mark on an encoded page (PNG or JPEG, as internal/scan
// yields pages), returning a PNG that declares the same resolution.
func MarkImage(page []byte, dpi float64, v Variant, seed uint64) ([]byte, error) {
	img, _, err := image.Decode(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("scribble: decode page: %w", err)
	}
	return PNG(Mark(img, dpi, v, seed), dpi)
}
