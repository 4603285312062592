package scan

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"image/jpeg"
	"image/png"
)

// decodedSize is what Go's decoder allocates to decode page p, worked out from its header: checkDecode
// weighs it against the parser's memory before a pixel is decoded.
func decodedSize(p Page) (int64, error) {
	if p.Format == JPEG {
		return jpegDecodedSize(p.Index, p.Image)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(p.Image))
	if err != nil {
		return 0, decodeErr(p.Index, "PNG", err)
	}
	n := int64(cfg.Width) * int64(cfg.Height) * pngBytesPerPixel(cfg.ColorModel)
	if pngInterlaced(p.Image) {
		n += n / 2 // each Adam7 pass is decoded to an image of its own, the last holding half the pixels
	}
	return n, nil
}

// pngBytesPerPixel is the size of a pixel of the image Go's PNG decoder returns for a colour model.
func pngBytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBAModel, color.NRGBAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // RGBA64, NRGBA64: 16 bits a channel
}

// pngInterlaced reads the interlace method of the IHDR chunk, which always comes first.
func pngInterlaced(data []byte) bool { return len(data) > 28 && data[28] == 1 }

// jpegDecodedSize is a JPEG's planes at their sampling factors, one byte a sample, with an int32 a
// sample besides for a progressive JPEG, whose coefficients the decoder keeps until its last scan,
// and a CMYK image's four bytes a pixel, converted from the planes at the end.
func jpegDecodedSize(page int, data []byte) (int64, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, decodeErr(page, "JPEG", err)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	sof, ok := jpegFrame(data)
	if !ok {
		// Go's decoder read a frame this walk did not find: assume the costliest it can be.
		sof = jpegSOF{progressive: true, hmax: 1, vmax: 1, components: []struct{ h, v int }{{1, 1}, {1, 1}, {1, 1}, {1, 1}}}
	}
	var samples int64
	for _, c := range sof.components {
		samples += pixels * int64(c.h*c.v) / int64(sof.hmax*sof.vmax)
	}
	n := samples
	if sof.progressive {
		n += 4 * samples
	}
	if cfg.ColorModel == color.CMYKModel {
		n += 4 * pixels
	}
	return n, nil
}

type jpegSOF struct {
	progressive bool
	components  []struct{ h, v int }
	hmax, vmax  int
}

// jpegFrame finds the start-of-frame segment, walking the segments before it. Bytes that are not a
// marker are skipped, as Go's decoder (and libjpeg) skip them.
func jpegFrame(data []byte) (jpegSOF, bool) {
	for i := 2; i+4 <= len(data); {
		marker := data[i+1]
		if data[i] != 0xFF || marker == 0xFF || marker == 0x00 {
			i++
			continue
		}
		size := int(binary.BigEndian.Uint16(data[i+2:]))
		seg := data[i+4 : min(len(data), i+2+size)]
		switch marker {
		case 0xC0, 0xC1, 0xC2:
			return parseSOF(seg, marker == 0xC2)
		case 0xDA, 0xD9: // scan data or the end before any frame
			return jpegSOF{}, false
		}
		i += 2 + size
	}
	return jpegSOF{}, false
}

func parseSOF(seg []byte, progressive bool) (jpegSOF, bool) {
	if len(seg) < 6 {
		return jpegSOF{}, false
	}
	n := int(seg[5])
	if n == 0 || len(seg) < 6+3*n {
		return jpegSOF{}, false
	}
	sof := jpegSOF{progressive: progressive, hmax: 1, vmax: 1}
	for k := range n {
		f := seg[6+3*k+1]
		h, v := max(int(f>>4), 1), max(int(f&0xF), 1)
		sof.components = append(sof.components, struct{ h, v int }{h, v})
		sof.hmax, sof.vmax = max(sof.hmax, h), max(sof.vmax, v)
	}
	return sof, true
}
