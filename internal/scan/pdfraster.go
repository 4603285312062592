package scan

import (
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// colorSpace is the subset of PDF colour spaces that scanners produce.
type colorSpace struct {
	comps   int
	palette color.Palette // Indexed only
}

func resolveColorSpace(ctx *model.Context, o types.Object, depth int, b *budget) (colorSpace, error) {
	o, err := ctx.Dereference(o)
	if err != nil || depth > 3 {
		return colorSpace{}, fmt.Errorf("colour space: %v", err)
	}
	switch v := o.(type) {
	case types.Name:
		switch v {
		case "DeviceGray", "CalGray", "G":
			return colorSpace{comps: 1}, nil
		case "DeviceRGB", "CalRGB", "RGB":
			return colorSpace{comps: 3}, nil
		case "DeviceCMYK", "CMYK":
			return colorSpace{comps: 4}, nil
		}
		return colorSpace{}, fmt.Errorf("colour space %s not supported", v)
	case types.Array:
		if len(v) == 0 {
			break
		}
		name, _ := v[0].(types.Name)
		switch name {
		// Calibrated spaces only add colorimetry, which OCR and the
		// archive copy do not need; Lab is approximated as RGB.
		case "CalGray":
			return colorSpace{comps: 1}, nil
		case "CalRGB", "Lab":
			return colorSpace{comps: 3}, nil
		case "ICCBased":
			if len(v) < 2 {
				break
			}
			sd, _, err := ctx.DereferenceStreamDict(v[1])
			if err != nil || sd == nil {
				return colorSpace{}, fmt.Errorf("ICC profile: %v", err)
			}
			if n := sd.IntEntry("N"); n != nil && (*n == 1 || *n == 3 || *n == 4) {
				return colorSpace{comps: *n}, nil
			}
		case "Indexed", "I":
			return indexedColorSpace(ctx, v, depth, b)
		}
	}
	return colorSpace{}, fmt.Errorf("colour space %v not supported", o)
}

// lutSlack is how much longer than declared a colour table may be: some
// writers pad it to 256 entries whatever hival says.
const lutSlack = 64 << 10

// indexedColorSpace sizes the lookup table by its declared entries,
// (hival+1)×components, before inflating it: a table stream that inflates to
// more than that (with some slack) is a bomb, refused once it has produced
// that many bytes rather than after it has filled memory.
func indexedColorSpace(ctx *model.Context, v types.Array, depth int, b *budget) (colorSpace, error) {
	if len(v) < 4 {
		return colorSpace{}, fmt.Errorf("indexed colour space: %d entries", len(v))
	}
	base, err := resolveColorSpace(ctx, v[1], depth+1, b)
	if err != nil || base.palette != nil || base.comps == 4 {
		return colorSpace{}, fmt.Errorf("indexed base: %v", err)
	}
	hival, err := ctx.DereferenceInteger(v[2])
	if err != nil || hival == nil || hival.Value() < 0 || hival.Value() > 255 {
		return colorSpace{}, fmt.Errorf("indexed hival: %v", err)
	}
	n := hival.Value() + 1
	var lut []byte
	lo, err := ctx.Dereference(v[3])
	if err != nil {
		return colorSpace{}, fmt.Errorf("indexed lookup table: %w", err)
	}
	switch l := lo.(type) {
	case types.StringLiteral:
		lut, err = types.Unescape(l.Value())
	case types.HexLiteral:
		lut, err = l.Bytes()
	case types.StreamDict:
		lut, err = b.decode(&l, int64(n*base.comps)+lutSlack, "bảng màu (lookup table) của ảnh")
		var ie *InputError
		if errors.As(err, &ie) {
			return colorSpace{}, ie
		}
	}
	if err != nil || len(lut) < n*base.comps {
		return colorSpace{}, fmt.Errorf("indexed lookup table: %v", err)
	}
	pal := make(color.Palette, n)
	for i := range pal {
		c := lut[i*base.comps:]
		if base.comps == 1 {
			pal[i] = color.Gray{Y: c[0]}
		} else {
			pal[i] = color.RGBA{R: c[0], G: c[1], B: c[2], A: 255}
		}
	}
	return colorSpace{comps: 1, palette: pal}, nil
}

// rasterFromSamples turns the decoded sample stream of a non-JPEG image
// into an image.Image for lossless PNG encoding.
func rasterFromSamples(ctx *model.Context, i int, im pdfImage, dec decoding) (image.Image, error) {
	d := im.sd.Dict
	bpc := 1
	var cs colorSpace
	if mask := d.BooleanEntry("ImageMask"); mask != nil && *mask {
		cs = colorSpace{comps: 1} // stencil: 0 paints, which is black ink on paper
	} else {
		if b := d.IntEntry("BitsPerComponent"); b != nil {
			bpc = *b
		}
		var err error
		if cs, err = resolveColorSpace(ctx, d["ColorSpace"], 0, dec.budget); err != nil {
			var ie *InputError
			if errors.As(err, &ie) {
				return nil, ie
			}
			return nil, inputErr(CodeUnsupportedType, fmt.Sprintf(
				"Ảnh trang %d của tệp PDF dùng hệ màu chưa được hỗ trợ.", i+1), err)
		}
	}
	if bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16 {
		return nil, inputErr(CodeCorrupt, fmt.Sprintf("Ảnh trang %d của tệp PDF có số bit mỗi mẫu không hợp lệ (%d).", i+1, bpc), nil)
	}
	rowBytes := (im.w*cs.comps*bpc + 7) / 8
	pixelBytes := int64(4) // RGBA, CMYK
	if cs.comps == 1 {
		pixelBytes = 1 // Gray, Paletted
	}
	if err := checkDecode(i, int64(rowBytes)*int64(im.h)+pixelBytes*int64(im.w)*int64(im.h), dec.file, dec.lim); err != nil {
		return nil, err
	}
	samples, err := decodeSamples(i, im, int64(rowBytes)*int64(im.h))
	if err != nil {
		return nil, err
	}
	invert := false
	if dec := d.ArrayEntry("Decode"); len(dec) >= 2 && cs.palette == nil {
		if f, ok := dec[0].(types.Integer); ok && f.Value() == 1 {
			invert = true
		} else if f, ok := dec[0].(types.Float); ok && f.Value() == 1 {
			invert = true
		}
	}

	maxv := 1<<min(bpc, 8) - 1
	sample := func(row []byte, k int) uint8 {
		switch bpc {
		case 8:
			return row[k]
		case 16:
			return row[2*k]
		}
		bit := k * bpc
		v := int(row[bit/8]>>(8-bpc-bit%8)) & maxv
		return uint8(v * 255 / maxv)
	}
	fix := func(v uint8) uint8 {
		if invert {
			return 255 - v
		}
		return v
	}
	r := image.Rect(0, 0, im.w, im.h)
	switch {
	case cs.palette != nil:
		img := image.NewPaletted(r, cs.palette)
		for y := 0; y < im.h; y++ {
			row := samples[y*rowBytes:]
			for x := 0; x < im.w; x++ {
				v := sample(row, x)
				if bpc < 8 {
					v = uint8(int(v) * maxv / 255) // palette index, not intensity
				}
				img.Pix[y*img.Stride+x] = min(v, uint8(len(cs.palette)-1))
			}
		}
		return img, nil
	case cs.comps == 1:
		img := image.NewGray(r)
		for y := 0; y < im.h; y++ {
			row := samples[y*rowBytes:]
			for x := 0; x < im.w; x++ {
				img.Pix[y*img.Stride+x] = fix(sample(row, x))
			}
		}
		return img, nil
	case cs.comps == 3:
		img := image.NewRGBA(r)
		for y := 0; y < im.h; y++ {
			row := samples[y*rowBytes:]
			for x := 0; x < im.w; x++ {
				p := img.Pix[y*img.Stride+4*x:]
				p[0], p[1], p[2], p[3] = fix(sample(row, 3*x)), fix(sample(row, 3*x+1)), fix(sample(row, 3*x+2)), 255
			}
		}
		return img, nil
	default:
		img := image.NewCMYK(r)
		for y := 0; y < im.h; y++ {
			row := samples[y*rowBytes:]
			for x := 0; x < 4*im.w; x++ {
				img.Pix[y*img.Stride+x] = fix(sample(row, x))
			}
		}
		return img, nil
	}
}
