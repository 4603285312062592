package ocr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"github.com/sohoa-vn/sohoa/internal/scan"
)

// readable returns img as Leptonica must be given it. Leptonica, like every decoder, takes a CMYK
// JPEG's inks as stored inverted, as Adobe stores them; a CMYK JPEG without Adobe's APP14 segment
// stores them plainly, and would reach Tesseract as a negative of the page (130 % CER on the
// sample). Such a page is decoded here and handed over as a lossless grey PNG; every other image is
// returned as it is. The archive keeps the original bytes either way.
func readable(img []byte) ([]byte, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(img))
	if err != nil || !scan.PlainCMYK(img, cfg) {
		return img, nil
	}
	m, err := jpeg.Decode(bytes.NewReader(scan.WithAdobeMarker(img, cfg)))
	if err != nil {
		return nil, fmt.Errorf("decode CMYK JPEG: %w", err)
	}
	inverted, ok := m.(*image.CMYK)
	if !ok {
		return img, nil
	}
	b := inverted.Bounds()
	grey := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := inverted.CMYKAt(x, y)
			// The decoder inverted inks that were never inverted: invert them back.
			grey.Set(x, y, color.CMYK{C: 255 - c.C, M: 255 - c.M, Y: 255 - c.Y, K: 255 - c.K})
		}
	}
	var out bytes.Buffer
	if err := png.Encode(&out, grey); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
