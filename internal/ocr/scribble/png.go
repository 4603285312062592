package scribble

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"math"
)

// PNG encodes img with its resolution in a pHYs chunk, which image/png
// does not write: without it Tesseract would guess the resolution of a
// marked page while reading the unmarked one at the scanner's.
func PNG(img image.Image, dpi float64) ([]byte, error) {
	var b bytes.Buffer
	// Test pages are written once and read once: speed over size.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, img); err != nil {
		return nil, err
	}
	out := b.Bytes()
	if dpi <= 0 {
		return out, nil
	}
	ppm := uint32(math.Round(dpi / 0.0254))
	data := make([]byte, 9)
	binary.BigEndian.PutUint32(data[0:], ppm)
	binary.BigEndian.PutUint32(data[4:], ppm)
	data[8] = 1 // unit: metre
	chunk := make([]byte, 0, 21)
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(len(data)))
	chunk = append(chunk, "pHYs"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	// The signature (8 bytes) and IHDR (25) come first; pHYs must precede IDAT.
	const afterIHDR = 8 + 25
	return append(out[:afterIHDR:afterIHDR], append(chunk, out[afterIHDR:]...)...), nil
}
