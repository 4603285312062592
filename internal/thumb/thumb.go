// Package thumb makes the small pictures of page images the document view shows as thumbnails: a
// page as ingest stored it (JPEG or PNG, a few megapixels) brought down to a given width and sent
// as a JPEG of a few kilobytes.
//
// A page is first averaged down by a whole factor straight from its decoded pixels (a JPEG's own
// Y, Cb and Cr planes, a grey PNG's bytes), which costs one pass over them, then scaled the rest of
// the way with a Catmull-Rom kernel on what is left. Decoding the page is most of the time; the
// kernel alone over the whole page took about twice as long as all of Make on a quiet machine
// (BenchmarkThumbnail), and sampling without averaging makes text a field of noise.
package thumb

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
)

// MaxPixels is the largest page Make decodes. An A4 page at 600 dpi in colour, the most a counter
// scanner is set to, is 35 megapixels; decoded, a page takes up to four bytes a pixel in the API
// process, which also serves every other request.
const MaxPixels = 40_000_000

// ErrTooLarge is a page over MaxPixels: it is not decoded (the caller sends it as stored).
var ErrTooLarge = errors.New("thumb: page over the thumbnail size limit")

// Quality is the JPEG quality of a thumbnail: text stays legible as shapes at a few KB a page.
const Quality = 80

// Make returns a JPEG of the JPEG or PNG page data, width pixels wide (no wider than the page) with
// the page's proportions. The page's size is read from its header first: one over MaxPixels is
// ErrTooLarge without being decoded.
func Make(data []byte, width int) ([]byte, error) {
	if width < 1 {
		return nil, fmt.Errorf("thumb: width %d", width)
	}
	var cfg image.Config
	var decode func() (image.Image, error)
	var err error
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
		decode = func() (image.Image, error) { return jpeg.Decode(bytes.NewReader(data)) }
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
		decode = func() (image.Image, error) { return png.Decode(bytes.NewReader(data)) }
	default:
		return nil, errors.New("thumb: page image is neither JPEG nor PNG")
	}
	if err != nil {
		return nil, fmt.Errorf("thumb: page header: %w", err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return nil, fmt.Errorf("thumb: page of %d×%d pixels", cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return nil, ErrTooLarge
	}
	src, err := decode()
	if err != nil {
		return nil, fmt.Errorf("thumb: decode page: %w", err)
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, Scale(src, width), &jpeg.Options{Quality: Quality}); err != nil {
		return nil, fmt.Errorf("thumb: encode: %w", err)
	}
	return out.Bytes(), nil
}

// Scale returns img brought down to width pixels wide (no wider than img), keeping its proportions.
func Scale(img image.Image, width int) *image.RGBA {
	b := img.Bounds()
	width = max(1, min(width, b.Dx()))
	height := max(1, (b.Dy()*width+b.Dx()/2)/b.Dx())
	// Average down to about twice the width first; the kernel does the last, uneven step well.
	src := image.Image(img)
	if k := b.Dx() / (2 * width); k >= 2 {
		src = shrink(img, k)
	}
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// shrink averages img over k×k blocks (a partial block at the right or bottom edge is dropped: it
// is less than k pixels of a page's margin).
func shrink(img image.Image, k int) *image.RGBA {
	b := img.Bounds()
	dw, dh := b.Dx()/k, b.Dy()/k
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	px, rgb := pixels(img)
	sums := make([][3]uint32, dw)
	n := uint32(k * k)
	for dy := range dh {
		clear(sums)
		for sy := b.Min.Y + dy*k; sy < b.Min.Y+(dy+1)*k; sy++ {
			for dx := range dw {
				s := &sums[dx]
				for sx := b.Min.X + dx*k; sx < b.Min.X+(dx+1)*k; sx++ {
					r, g, bl := px(sx, sy)
					s[0] += uint32(r)
					s[1] += uint32(g)
					s[2] += uint32(bl)
				}
			}
		}
		line := out.Pix[dy*out.Stride:]
		for dx, s := range sums {
			r, g, bl := rgb(uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n))
			line[4*dx], line[4*dx+1], line[4*dx+2], line[4*dx+3] = r, g, bl, 0xFF
		}
	}
	return out
}

// pixels returns how to read the pixel at x, y of img as three 8-bit channels, and how to turn
// their averages into R, G and B. A YCbCr image is read as Y, Cb and Cr, which average as well as
// R, G and B do (the conversion is linear but for its rounding), and converted once averaged. The
// common decoded types are read from their own bytes; anything else goes through the colour model.
func pixels(img image.Image) (read func(x, y int) (uint8, uint8, uint8), rgb func(a, b, c uint8) (uint8, uint8, uint8)) {
	same := func(r, g, b uint8) (uint8, uint8, uint8) { return r, g, b }
	switch m := img.(type) {
	case *image.YCbCr:
		hs, vs := chromaShift(m.SubsampleRatio)
		return func(x, y int) (uint8, uint8, uint8) {
			c := (y>>vs-m.Rect.Min.Y>>vs)*m.CStride + (x>>hs - m.Rect.Min.X>>hs)
			return m.Y[m.YOffset(x, y)], m.Cb[c], m.Cr[c]
		}, color.YCbCrToRGB
	case *image.Gray:
		return func(x, y int) (uint8, uint8, uint8) { v := m.Pix[m.PixOffset(x, y)]; return v, v, v }, same
	case *image.RGBA:
		return func(x, y int) (uint8, uint8, uint8) { p := m.Pix[m.PixOffset(x, y):]; return p[0], p[1], p[2] }, same
	case *image.NRGBA: // scanned pages are opaque: alpha is ignored
		return func(x, y int) (uint8, uint8, uint8) { p := m.Pix[m.PixOffset(x, y):]; return p[0], p[1], p[2] }, same
	}
	return func(x, y int) (uint8, uint8, uint8) {
		c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
		return c.R, c.G, c.B
	}, same
}

// chromaShift is how many bits x and y shift right to index a subsampled chroma plane.
func chromaShift(r image.YCbCrSubsampleRatio) (h, v int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return 1, 0
	case image.YCbCrSubsampleRatio420:
		return 1, 1
	case image.YCbCrSubsampleRatio440:
		return 0, 1
	case image.YCbCrSubsampleRatio411:
		return 2, 0
	case image.YCbCrSubsampleRatio410:
		return 2, 1
	}
	return 0, 0
}
