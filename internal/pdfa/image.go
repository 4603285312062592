package pdfa

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// jpegTailLen is how far from the end the EOI marker is looked for; a
// missing EOI means the upload was cut short.
const jpegTailLen = 4096

// imageXObject stores the page image and returns its reference and pixel
// size.
func imageXObject(xt *model.XRefTable, z *deflater, p Page) (*types.IndirectRef, image.Point, error) {
	var (
		sd   *types.StreamDict
		size image.Point
		err  error
	)
	switch p.Format {
	case "jpeg", "jpg":
		sd, size, err = jpegStream(xt, p.Image)
	case "png":
		sd, size, err = pngStream(z, p.Image)
	default:
		return nil, image.Point{}, fmt.Errorf("unsupported format %q", p.Format)
	}
	if err != nil {
		return nil, image.Point{}, err
	}
	// pdfcpu sets Interpolate on small images; PDF/A forbids it, and a
	// scan should be shown as scanned anyway.
	sd.Delete("Interpolate")
	ref, err := xt.IndRefForNewObject(*sd)
	if err != nil {
		return nil, image.Point{}, err
	}
	return ref, size, nil
}

// jpegStream embeds the JPEG bytes unchanged (DCTDecode): re-encoding would
// lose quality and the archive copy should be the scan as delivered.
func jpegStream(xt *model.XRefTable, data []byte) (*types.StreamDict, image.Point, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, image.Point{}, fmt.Errorf("jpeg header: %w", err)
	}
	// DecodeConfig reads only the header; a truncated file would otherwise
	// end up in the archive.
	if !bytes.Contains(data[max(0, len(data)-jpegTailLen):], []byte{0xFF, 0xD9}) {
		return nil, image.Point{}, errors.New("jpeg: missing end-of-image marker (truncated?)")
	}
	var cs string
	switch cfg.ColorModel {
	case color.GrayModel:
		cs = model.DeviceGrayCS
	case color.YCbCrModel:
		cs = model.DeviceRGBCS
	case color.CMYKModel:
		// pdfcpu adds the Decode inversion that Adobe CMYK JPEGs need.
		cs = model.DeviceCMYKCS
	default:
		return nil, image.Point{}, fmt.Errorf("jpeg: unsupported color model %T", cfg.ColorModel)
	}
	sd, err := model.CreateDCTImageStreamDict(xt, data, cfg.Width, cfg.Height, 8, cs)
	if err != nil {
		return nil, image.Point{}, err
	}
	return sd, image.Pt(cfg.Width, cfg.Height), nil
}

// pngStream stores the PNG's image data as it is when PDF can show it
// directly (see rawPNGStream). Otherwise it decodes the PNG and stores its
// pixels Flate-compressed in the smallest lossless form: 1-bit gray for
// bilevel scans, 8-bit gray when all pixels are neutral, otherwise 8-bit
// RGB. Transparency is flattened onto white (paper) because PDF/A-2
// archives should not depend on soft masks.
//
// An RGB PNG is decoded all the same: scanners and converters often save
// grey paper as RGB, and as 8-bit grey (or 1-bit) it takes a third of the
// space or less, which matters for the size limit on small scans. A colour
// one stops the check at its first coloured pixel and is stored as is.
func pngStream(z *deflater, data []byte) (*types.StreamDict, image.Point, error) {
	raw, size, ok, err := rawPNGStream(data)
	if err != nil || (ok && data[25] != pngRGB) {
		return raw, size, err
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, image.Point{}, fmt.Errorf("png: %w", err)
	}
	if ok && !neutral(img) {
		return raw, size, nil
	}
	size = img.Bounds().Size()
	if size.X <= 0 || size.Y <= 0 {
		return nil, image.Point{}, errors.New("png: empty image")
	}
	raster, bpc, cs := rasterize(img)
	sd, err := z.stream(raster, types.Dict{
		"Type":             types.Name("XObject"),
		"Subtype":          types.Name("Image"),
		"Width":            types.Integer(size.X),
		"Height":           types.Integer(size.Y),
		"BitsPerComponent": types.Integer(bpc),
		"ColorSpace":       types.Name(cs),
	})
	if err != nil {
		return nil, image.Point{}, err
	}
	return sd, size, nil
}

// neutral reports whether every pixel of an opaque image is a grey.
func neutral(img image.Image) bool {
	if m, ok := img.(*image.RGBA); ok {
		r := m.Bounds()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			row := m.Pix[m.PixOffset(r.Min.X, y):][:4*r.Dx()]
			for i := 0; i < len(row); i += 4 {
				if row[i] != row[i+1] || row[i] != row[i+2] {
					return false
				}
			}
		}
		return true
	}
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr != cg || cr != cb {
				return false
			}
		}
	}
	return true
}

// rasterize returns the image's samples in PDF order together with their
// bits per component and colour space.
func rasterize(img image.Image) ([]byte, int, string) {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	rgb := make([]byte, 0, 3*w*h)
	gray, bilevel := true, true

	for y := r.Min.Y; y < r.Max.Y; y++ {
		rgb = appendRow(rgb, img, y)
	}
	for i := 0; i < len(rgb); i += 3 {
		c := rgb[i]
		if rgb[i+1] != c || rgb[i+2] != c {
			gray, bilevel = false, false
			break
		}
		if c != 0 && c != 0xFF {
			bilevel = false
		}
	}

	switch {
	case bilevel:
		return packBits(rgb, w, h), 1, model.DeviceGrayCS
	case gray:
		g := make([]byte, w*h)
		for i := range g {
			g[i] = rgb[3*i]
		}
		return g, 8, model.DeviceGrayCS
	}
	return rgb, 8, model.DeviceRGBCS
}

// appendRow appends row y as 8-bit RGB, composited onto white. The common
// decoder outputs get fast paths; a 3000x4000 scan is 12M pixels.
func appendRow(dst []byte, img image.Image, y int) []byte {
	r := img.Bounds()
	switch m := img.(type) {
	case *image.Gray:
		row := m.Pix[m.PixOffset(r.Min.X, y):][:r.Dx()]
		for _, v := range row {
			dst = append(dst, v, v, v)
		}
		return dst
	case *image.RGBA:
		row := m.Pix[m.PixOffset(r.Min.X, y):][:4*r.Dx()]
		for i := 0; i < len(row); i += 4 {
			// Premultiplied: on white, c' = c + (255 - a).
			bg := 0xFF - row[i+3]
			dst = append(dst, row[i]+bg, row[i+1]+bg, row[i+2]+bg)
		}
		return dst
	case *image.NRGBA:
		row := m.Pix[m.PixOffset(r.Min.X, y):][:4*r.Dx()]
		for i := 0; i < len(row); i += 4 {
			a := uint32(row[i+3])
			dst = append(dst, overWhite(row[i], a), overWhite(row[i+1], a), overWhite(row[i+2], a))
		}
		return dst
	}
	for x := r.Min.X; x < r.Max.X; x++ {
		cr, cg, cb, ca := img.At(x, y).RGBA() // premultiplied, 16 bit
		bg := 0xFFFF - ca
		dst = append(dst, byte((cr+bg)>>8), byte((cg+bg)>>8), byte((cb+bg)>>8))
	}
	return dst
}

// overWhite composites a non-premultiplied 8-bit sample onto white.
func overWhite(c byte, a uint32) byte {
	return byte((uint32(c)*a + 0xFF*(0xFF-a) + 0x7F) / 0xFF)
}

// packBits packs a bilevel RGB raster into 1-bit rows (1 = white, as in
// DeviceGray), each row padded to a byte boundary as PDF requires.
func packBits(rgb []byte, w, h int) []byte {
	stride := (w + 7) / 8
	out := make([]byte, stride*h)
	for y := 0; y < h; y++ {
		row := out[y*stride:]
		for x := 0; x < w; x++ {
			if rgb[3*(y*w+x)] != 0 {
				row[x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return out
}
