package pdfa

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// PNG colour types (PNG spec 11.2.2).
const (
	pngGray      = 0
	pngRGB       = 2
	pngPalette   = 3
	pngGrayAlpha = 4
	pngRGBAlpha  = 6
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngChunks is what rawPNGStream needs from a PNG file.
type pngChunks struct {
	width, height int
	depth, colour byte
	interlaced    bool
	plte          []byte
	trns          bool
	iccp          []byte // the iCCP chunk: profile name, method, zlib data
	idat          []byte // the concatenated IDAT data: one zlib stream
}

// storable reports whether the PNG's image data can go into the PDF as
// it is: not for alpha or a transparency key (PDF/A-2 archives should not
// depend on soft masks), nor for interlacing (PDF has no predictor for
// Adam7).
func (c *pngChunks) storable() bool {
	if c.interlaced || c.trns {
		return false
	}
	switch c.colour {
	case pngGray, pngPalette:
		return true
	case pngRGB:
		return c.depth == 8 || c.depth == 16
	}
	return false
}

// components is the number of colour components the PNG's pixels have
// (alpha not counted; a palette's entries are RGB).
func (c *pngChunks) components() int {
	if c.colour == pngGray || c.colour == pngGrayAlpha {
		return 1
	}
	return 3
}

// maxICC bounds a decompressed iCCP profile; real ones are well below.
const maxICC = 16 << 20

// profile returns the PNG's ICC profile, decompressed, or nil.
func (c *pngChunks) profile() ([]byte, []change) {
	if c.iccp == nil {
		return nil, nil
	}
	broken := []change{{ChangeProfileIgnored, "hồ sơ màu ICC (iCCP) của ảnh PNG bị hỏng, trang được hiển thị theo hồ sơ màu mặc định"}}
	i := bytes.IndexByte(c.iccp, 0)
	if i < 1 || i+2 > len(c.iccp) || c.iccp[i+1] != 0 {
		return nil, broken
	}
	zr, err := zlib.NewReader(bytes.NewReader(c.iccp[i+2:]))
	if err != nil {
		return nil, broken
	}
	icc, err := io.ReadAll(io.LimitReader(zr, maxICC+1))
	if err != nil || len(icc) > maxICC {
		return nil, broken
	}
	return icc, nil
}

// decodeChanges says what decoding costs a PNG that is not storable.
func (c *pngChunks) decodeChanges() []change {
	var out []change
	if c.trns || c.colour == pngGrayAlpha || c.colour == pngRGBAlpha {
		out = append(out, change{ChangeFlattened, "ảnh PNG có vùng trong suốt, đã được đặt lên nền trắng như mặt giấy"})
	}
	if c.depth == 16 {
		out = append(out, change{ChangeDepthReduced, "ảnh PNG 16 bit có độ trong suốt hoặc xen kẽ, đã được lưu lại ở 8 bit mỗi kênh"})
	} else if c.interlaced {
		out = append(out, change{ChangeDeinterlaced, "ảnh PNG xen kẽ (interlaced) đã được giải mã và lưu lại, không mất điểm ảnh nào"})
	}
	return out
}

// rawPNGStream stores the PNG's compressed image data as it is: PNG's
// IDAT is a zlib stream of filtered rows, which is exactly a FlateDecode
// stream with predictor 15, at any of PNG's bit depths including 16
// (both big-endian). Nothing is decoded or compressed again, so the page
// costs no CPU and the PDF is no larger than the PNG. c must be storable.
func rawPNGStream(prof *profiles, c *pngChunks, icc []byte) (*types.StreamDict, []change, error) {
	var (
		cs      types.Object
		decode  types.Array
		changes []change
		err     error
	)
	switch c.colour {
	case pngGray:
		cs, changes, err = prof.space(icc, 1)
	case pngRGB:
		cs, changes, err = prof.space(icc, 3)
	case pngPalette:
		cs, decode, changes, err = paletteSpace(prof, c.plte, c.depth, icc)
	}
	if err != nil {
		return nil, nil, err
	}
	colours := 1
	if c.colour == pngRGB {
		colours = 3
	}
	parms := types.Dict{
		"Predictor":        types.Integer(15),
		"Colors":           types.Integer(colours),
		"BitsPerComponent": types.Integer(c.depth),
		"Columns":          types.Integer(c.width),
	}
	n := int64(len(c.idat))
	d := types.Dict{
		"Type":             types.Name("XObject"),
		"Subtype":          types.Name("Image"),
		"Width":            types.Integer(c.width),
		"Height":           types.Integer(c.height),
		"BitsPerComponent": types.Integer(c.depth),
		"ColorSpace":       cs,
		"Filter":           types.Name(filter.Flate),
		"DecodeParms":      parms,
		"Length":           types.Integer(n),
	}
	if decode != nil {
		d.Insert("Decode", decode)
	}
	return &types.StreamDict{
		Dict:           d,
		Raw:            c.idat,
		StreamLength:   &n,
		FilterPipeline: []types.PDFFilter{{Name: filter.Flate, DecodeParms: parms}},
	}, changes, nil
}

// paletteSpace returns the colour space for palette indices. A black and
// white (or grey ramp) palette without a profile, which is how bilevel
// scans are usually saved, becomes plain DeviceGray so extraction tools
// see a grey image; any other palette becomes an Indexed space over
// DeviceRGB or the PNG's own RGB profile.
func paletteSpace(prof *profiles, plte []byte, depth byte, icc []byte) (types.Object, types.Array, []change, error) {
	n := len(plte) / 3
	if n == 0 || len(plte)%3 != 0 || n > 1<<depth {
		return nil, nil, nil, fmt.Errorf("png: bad palette of %d bytes for %d-bit indices", len(plte), depth)
	}
	if n == 1<<depth && depth < 8 && icc == nil {
		up, down := true, true
		for i := range n {
			v := byte(i * 255 / (n - 1))
			r, g, b := plte[3*i], plte[3*i+1], plte[3*i+2]
			up = up && r == v && g == v && b == v
			down = down && r == 255-v && g == 255-v && b == 255-v
		}
		switch {
		case up:
			return types.Name(model.DeviceGrayCS), nil, nil, nil
		case down:
			return types.Name(model.DeviceGrayCS), types.NewIntegerArray(1, 0), nil, nil
		}
	}
	base, changes, err := prof.space(icc, 3)
	if err != nil {
		return nil, nil, nil, err
	}
	return types.Array{
		types.Name("Indexed"), base, types.Integer(n - 1),
		types.NewHexLiteral(plte),
	}, nil, changes, nil
}

// readPNGChunks walks the chunk list, checking every CRC and requiring
// IEND: the IDAT bytes go into the archive without being decoded, so this
// is what stands between a damaged upload and a damaged archive copy.
func readPNGChunks(data []byte) (*pngChunks, error) {
	if !bytes.HasPrefix(data, pngSignature) {
		return nil, errors.New("png: not a PNG file")
	}
	c := &pngChunks{}
	rest := data[len(pngSignature):]
	first := true
	for {
		if len(rest) < 12 {
			return nil, errors.New("png: missing IEND chunk (truncated?)")
		}
		n := binary.BigEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-12) {
			return nil, errors.New("png: chunk runs past the end of the file (truncated?)")
		}
		typ, body := string(rest[4:8]), rest[8:8+n]
		if crc32.ChecksumIEEE(rest[4:8+n]) != binary.BigEndian.Uint32(rest[8+n:]) {
			return nil, fmt.Errorf("png: %s chunk has a bad CRC", typ)
		}
		rest = rest[12+n:]
		if first != (typ == "IHDR") {
			return nil, errors.New("png: IHDR is not the first chunk")
		}
		first = false
		switch typ {
		case "IHDR":
			if err := c.header(body); err != nil {
				return nil, err
			}
		case "PLTE":
			c.plte = body
		case "tRNS":
			c.trns = true
		case "iCCP":
			c.iccp = body
		case "IDAT":
			if c.idat == nil {
				c.idat = make([]byte, 0, len(rest)+len(body))
			}
			c.idat = append(c.idat, body...)
		case "IEND":
			return c, c.checkData()
		}
	}
}

func (c *pngChunks) header(b []byte) error {
	if len(b) != 13 {
		return errors.New("png: bad IHDR length")
	}
	w, h := binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:])
	if w == 0 || h == 0 || w > 1<<24 || h > 1<<24 {
		return fmt.Errorf("png: bad size %dx%d", w, h)
	}
	c.width, c.height = int(w), int(h)
	c.depth, c.colour = b[8], b[9]
	if b[10] != 0 || b[11] != 0 {
		return errors.New("png: unknown compression or filter method")
	}
	c.interlaced = b[12] != 0
	return nil
}

// checkData makes sure the image data at least starts as a zlib stream,
// which FlateDecode requires.
func (c *pngChunks) checkData() error {
	if len(c.idat) < 2 || c.idat[0]&0x0F != 8 || (uint(c.idat[0])<<8|uint(c.idat[1]))%31 != 0 {
		return errors.New("png: image data is not a zlib stream")
	}
	return nil
}
