package scribble

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // pages from internal/scan are JPEG or PNG
	_ "image/png"
	"math/rand/v2"
)

// Variant is one way of marking a page by hand.
type Variant struct {
	Name  string
	marks []mark
}

// mark is one signature or note, started at a random point of a band of
// the text block.
type mark struct {
	shape       func(img *image.RGBA, ink color.RGBA, x, y, dpi float64, rng *rand.Rand)
	ink         color.RGBA
	top, bottom float64 // the band, as fractions of the block's height
	sealed      bool    // a red seal is stamped first, a tenth of the block to the right
}

// Variants lists the markings the tests and the bench put on pages:
// black pen across the text (the case preprocessing must not make worse
// than plain Tesseract), blue pen (which ink dropout removes), and a
// black signature across a red seal.
func Variants() []Variant {
	return []Variant{
		{"signature", []mark{{Signature, Black, 0.15, 0.5, false}, {Signature, Black, 0.55, 0.9, false}}},
		{"note", []mark{{Note, Black, 0.1, 0.45, false}, {Note, Black, 0.55, 0.9, false}}},
		{"signed-note", []mark{{Note, Black, 0.2, 0.5, false}, {Signature, Black, 0.6, 0.9, false}}},
		{"blue", []mark{{Note, Blue, 0.15, 0.5, false}, {Signature, Blue, 0.55, 0.9, false}}},
		{"seal", []mark{{Signature, Black, 0.6, 0.85, true}}},
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
	b := TextBlock(img)
	for _, m := range v.marks {
		x, y := spot(b, m.top, m.bottom, rng)
		if m.sealed {
			Seal(img, x+0.1*float64(b.Dx()), y, dpi, rng)
		}
		m.shape(img, m.ink, x, y, dpi, rng)
	}
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
