// Package pdfatest makes the scans the archive tests need and that the
// sample set lacks (pages turned a quarter, CMYK JPEGs with or without
// Adobe's inversion, JPEGs carrying an ICC profile), and runs veraPDF when
// a test run asks for it.
package pdfatest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
)

// Turn returns img turned quads quarter turns clockwise.
func Turn(img image.Image, quads int) *image.RGBA {
	quads = (quads%4 + 4) % 4
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	src := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	if quads == 0 {
		return src
	}
	dw, dh := w, h
	if quads%2 == 1 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch quads {
			case 1:
				dx, dy = h-1-y, x
			case 2:
				dx, dy = w-1-x, h-1-y
			case 3:
				dx, dy = y, w-1-x
			}
			copy(dst.Pix[dst.PixOffset(dx, dy):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return dst
}

// CMYK says how to write a CMYK JPEG.
type CMYK struct {
	// Adobe writes an Adobe APP14 marker and the samples inverted (255 =
	// no ink), as Photoshop, libjpeg with write_Adobe_marker and
	// ImageMagick do; without it the JPEG is plain 4-component CMYK.
	Adobe bool
	// ICC, when set, is embedded as APP2 ICC_PROFILE segments.
	ICC     []byte
	Quality int // 1..100; 0 means 90
}

// CMYKJPEG encodes img as a baseline CMYK JPEG. Go's encoder writes only
// grey and YCbCr, so each ink is encoded as a grey JPEG and the four
// entropy-coded scans are joined under one four-component frame: a
// non-interleaved baseline JPEG, as valid as an interleaved one, with the
// same quantisation and (standard) Huffman tables for every component.
func CMYKJPEG(img image.Image, o CMYK) ([]byte, error) {
	b := img.Bounds()
	inks := [4]*image.Gray{}
	for i := range inks {
		inks[i] = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.CMYKModel.Convert(img.At(x, y)).(color.CMYK)
			for i, v := range [4]uint8{c.C, c.M, c.Y, c.K} {
				if o.Adobe {
					v = 255 - v
				}
				inks[i].Pix[(y-b.Min.Y)*inks[i].Stride+x-b.Min.X] = v
			}
		}
	}
	q := o.Quality
	if q == 0 {
		q = 90
	}
	var tables, scans [][]byte
	for i, ink := range inks {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, ink, &jpeg.Options{Quality: q}); err != nil {
			return nil, err
		}
		segs, data, err := splitJPEG(buf.Bytes())
		if err != nil {
			return nil, fmt.Errorf("ink %d: %w", i, err)
		}
		if i == 0 {
			tables = segs
		}
		scans = append(scans, data)
	}
	out := []byte{0xFF, 0xD8}
	if o.Adobe {
		// "Adobe", version 100, no flags, transform 0 (CMYK as is).
		out = appendSegment(out, 0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))
	}
	out = appendICC(out, o.ICC)
	for _, s := range tables {
		switch s[1] {
		case 0xDB, 0xC4: // quantisation and Huffman tables
			out = append(out, s...)
		case 0xC0:
			sof := []byte{8, 0, 0, 0, 0, 4}
			binary.BigEndian.PutUint16(sof[1:], uint16(b.Dy()))
			binary.BigEndian.PutUint16(sof[3:], uint16(b.Dx()))
			for id := byte(1); id <= 4; id++ {
				sof = append(sof, id, 0x11, 0)
			}
			out = appendSegment(out, 0xC0, sof)
		}
	}
	for i, data := range scans {
		out = appendSegment(out, 0xDA, []byte{1, byte(i + 1), 0x00, 0, 63, 0})
		out = append(out, data...)
	}
	return append(out, 0xFF, 0xD9), nil
}

// WithICC returns a JPEG with icc embedded after its SOI marker.
func WithICC(jpg, icc []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = appendICC(out, icc)
	return append(out, jpg[2:]...)
}

func appendICC(out, icc []byte) []byte {
	const chunk = 65533 - 14 // a segment body holds 65533 bytes, 14 of them the id and sequence bytes
	count := (len(icc) + chunk - 1) / chunk
	for i := 0; i < count; i++ {
		part := icc[i*chunk : min(len(icc), (i+1)*chunk)]
		seg := append([]byte("ICC_PROFILE\x00"), byte(i+1), byte(count))
		out = appendSegment(out, 0xE2, append(seg, part...))
	}
	return out
}

func appendSegment(out []byte, marker byte, body []byte) []byte {
	out = append(out, 0xFF, marker, 0, 0)
	binary.BigEndian.PutUint16(out[len(out)-2:], uint16(len(body)+2))
	return append(out, body...)
}

// splitJPEG returns the marker segments before a single-scan JPEG's scan
// and its entropy-coded data.
func splitJPEG(b []byte) (segs [][]byte, data []byte, err error) {
	for i := 2; i+4 <= len(b); {
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		seg := b[i : i+2+n]
		if b[i+1] == 0xDA {
			end := bytes.LastIndex(b, []byte{0xFF, 0xD9})
			return segs, b[i+2+n : end], nil
		}
		segs = append(segs, seg)
		i += 2 + n
	}
	return nil, nil, errors.New("no scan")
}
