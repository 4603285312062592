package pdfa

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// jpegTailLen is how far from the end the EOI marker is looked for; a
// missing EOI means the upload was cut short.
const jpegTailLen = 4096

// imageXObject stores the page image and returns its reference, its
// pixel size and what the archive copy does differently from the scan.
func imageXObject(prof *profiles, z *deflater, p Page) (*types.IndirectRef, image.Point, []change, error) {
	var (
		sd      *types.StreamDict
		size    image.Point
		changes []change
		err     error
	)
	switch p.Format {
	case "jpeg", "jpg":
		sd, size, changes, err = jpegStream(prof, p.Image)
	case "png":
		sd, size, changes, err = pngStream(prof, z, p.Image)
	default:
		return nil, image.Point{}, nil, fmt.Errorf("unsupported format %q", p.Format)
	}
	if err != nil {
		return nil, image.Point{}, nil, err
	}
	ref, err := prof.xt.IndRefForNewObject(*sd)
	if err != nil {
		return nil, image.Point{}, nil, err
	}
	return ref, size, changes, nil
}

// jpegStream embeds the JPEG bytes unchanged (DCTDecode): re-encoding would
// lose quality and the archive copy should be the scan as delivered. The
// colour space is the JPEG's own ICC profile when it has a usable one,
// else the device space of its components (CMYK: the built-in profile).
func jpegStream(prof *profiles, data []byte) (*types.StreamDict, image.Point, []change, error) {
	h, err := readJPEGHeader(data)
	if err != nil {
		return nil, image.Point{}, nil, err
	}
	// The header says nothing of the rest; a truncated file would
	// otherwise end up in the archive.
	if !bytes.Contains(data[max(0, len(data)-jpegTailLen):], []byte{0xFF, 0xD9}) {
		return nil, image.Point{}, nil, errors.New("jpeg: missing end-of-image marker (truncated?)")
	}
	if h.components != 1 && h.components != 3 && h.components != 4 {
		return nil, image.Point{}, nil, fmt.Errorf("jpeg: %d colour components", h.components)
	}
	cs, changes, err := prof.space(h.icc, h.components)
	if err != nil {
		return nil, image.Point{}, nil, err
	}
	n := int64(len(data))
	d := types.Dict{
		"Type":             types.Name("XObject"),
		"Subtype":          types.Name("Image"),
		"Width":            types.Integer(h.width),
		"Height":           types.Integer(h.height),
		"BitsPerComponent": types.Integer(8),
		"ColorSpace":       cs,
		"Filter":           types.Name(filter.DCT),
		"Length":           types.Integer(n),
	}
	if h.components == 4 && h.adobe {
		// Adobe's CMYK (and YCCK) JPEGs store 255 for no ink; DCTDecode
		// hands the samples over as stored, so the image undoes it.
		d.Insert("Decode", types.NewIntegerArray(1, 0, 1, 0, 1, 0, 1, 0))
	}
	return &types.StreamDict{
		Dict:           d,
		Raw:            data,
		StreamLength:   &n,
		FilterPipeline: []types.PDFFilter{{Name: filter.DCT}},
	}, image.Pt(h.width, h.height), changes, nil
}

// pngStream stores the PNG's image data as it is when PDF can show it
// directly (see rawPNGStream), with the PNG's own ICC profile (iCCP) when
// it has a usable one. Otherwise it decodes the PNG and stores its pixels
// Flate-compressed in the smallest lossless form: 1-bit gray for bilevel
// scans, 8-bit gray when all pixels are neutral, otherwise 8-bit RGB.
// Transparency is flattened onto white (paper) because PDF/A-2 archives
// should not depend on soft masks; the changes say when that happened.
//
// An 8-bit RGB PNG without a profile is decoded all the same: scanners and
// converters often save grey paper as RGB, and as 8-bit grey (or 1-bit) it
// takes a third of the space or less, with the same pixel values, which
// matters for the size limit on small scans. A colour one stops the check
// at its first coloured pixel and is stored as is.
func pngStream(prof *profiles, z *deflater, data []byte) (*types.StreamDict, image.Point, []change, error) {
	c, err := readPNGChunks(data)
	if err != nil {
		return nil, image.Point{}, nil, err
	}
	size := image.Pt(c.width, c.height)
	icc, changes := c.profile()
	var img image.Image
	if c.storable() {
		if c.colour != pngRGB || c.depth != 8 || c.iccp != nil {
			sd, more, err := rawPNGStream(prof, c, icc)
			return sd, size, append(changes, more...), err
		}
		if img, err = png.Decode(bytes.NewReader(data)); err != nil {
			return nil, image.Point{}, nil, fmt.Errorf("png: %w", err)
		}
		if !neutral(img) {
			sd, more, err := rawPNGStream(prof, c, icc)
			return sd, size, append(changes, more...), err
		}
	} else {
		if img, err = png.Decode(bytes.NewReader(data)); err != nil {
			return nil, image.Point{}, nil, fmt.Errorf("png: %w", err)
		}
		changes = append(changes, c.decodeChanges()...)
	}
	size = img.Bounds().Size()
	if size.X <= 0 || size.Y <= 0 {
		return nil, image.Point{}, nil, errors.New("png: empty image")
	}
	n := c.components()
	keepRGB := n == 3 && icc != nil && profileProblem(icc, n) == ""
	raster, bpc, cs := rasterize(img, keepRGB)
	var space types.Object = types.Name(cs)
	if icc != nil {
		var more []change
		if space, more, err = prof.space(icc, n); err != nil {
			return nil, image.Point{}, nil, err
		}
		changes = append(changes, more...)
		if more != nil {
			space = types.Name(cs) // the raster's own device space
		}
	}
	sd, err := z.stream(raster, types.Dict{
		"Type":             types.Name("XObject"),
		"Subtype":          types.Name("Image"),
		"Width":            types.Integer(size.X),
		"Height":           types.Integer(size.Y),
		"BitsPerComponent": types.Integer(bpc),
		"ColorSpace":       space,
	})
	if err != nil {
		return nil, image.Point{}, nil, err
	}
	return sd, size, changes, nil
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
// bits per component and colour space; keepRGB keeps grey pixels RGB, for
// an RGB profile to apply to.
func rasterize(img image.Image, keepRGB bool) ([]byte, int, string) {
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
	case keepRGB:
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
