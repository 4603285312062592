package sheet

import (
	"image"
	"image/color"
)

// shrinkGray returns img in grey, shrunk by the smallest whole factor that brings its longer side
// to at most side pixels, each pixel the mean of the block it replaces.
func shrinkGray(img image.Image, side int) *image.Gray {
	b := img.Bounds()
	k := max((max(b.Dx(), b.Dy())+side-1)/side, 1)
	dw, dh := b.Dx()/k, b.Dy()/k
	out := image.NewGray(image.Rect(0, 0, dw, dh))
	if dw == 0 || dh == 0 {
		return out
	}
	luma := lumaRows(img)
	row := make([]uint8, b.Dx())
	sums := make([]uint32, dw)
	for dy := range dh {
		clear(sums)
		for sy := dy * k; sy < (dy+1)*k; sy++ {
			luma(b.Min.Y+sy, row)
			for dx := range dw {
				var s uint32
				for _, v := range row[dx*k : (dx+1)*k] {
					s += uint32(v)
				}
				sums[dx] += s
			}
		}
		line := out.Pix[dy*out.Stride:][:dw]
		for dx, s := range sums {
			line[dx] = uint8(s / uint32(k*k))
		}
	}
	return out
}

// lumaRows returns a function that writes the luma of row y of img, left to right, into row. The
// common decoded types are read straight from their pixels: a JPEG's own Y plane, a grey PNG's
// bytes; anything else goes through the colour model, a few times slower.
func lumaRows(img image.Image) func(y int, row []uint8) {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.YCbCr:
		return func(y int, row []uint8) { copy(row, m.Y[m.YOffset(b.Min.X, y):]) }
	case *image.Gray:
		return func(y int, row []uint8) { copy(row, m.Pix[m.PixOffset(b.Min.X, y):][:len(row)]) }
	case *image.RGBA:
		return func(y int, row []uint8) { rgbLuma(m.Pix[m.PixOffset(b.Min.X, y):], row) }
	case *image.NRGBA:
		// Scanned pages are opaque; alpha is ignored.
		return func(y int, row []uint8) { rgbLuma(m.Pix[m.PixOffset(b.Min.X, y):], row) }
	}
	return func(y int, row []uint8) {
		for i := range row {
			row[i] = color.GrayModel.Convert(img.At(b.Min.X+i, y)).(color.Gray).Y
		}
	}
}

// rgbLuma is color.GrayModel's weighting (ITU-R BT.601) on 8-bit RGBA pixels.
func rgbLuma(pix []uint8, row []uint8) {
	for i := range row {
		p := pix[4*i:][:3]
		row[i] = uint8((19595*uint32(p[0]) + 38470*uint32(p[1]) + 7471*uint32(p[2]) + 1<<15) >> 16)
	}
}
