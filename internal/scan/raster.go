package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
)

func splitJPEG(data []byte, lim Limits) (Page, error) {
	cfg, err := checkJPEG(0, data, lim)
	if err != nil {
		return Page{}, err
	}
	dx, dy := jpegDensity(data)
	dx, dy = resolveDPI(cfg.Width, cfg.Height, dx, dy)
	return Page{Image: data, Format: JPEG, Width: cfg.Width, Height: cfg.Height, DPIX: dx, DPIY: dy}, nil
}

// checkJPEG checks the size from the header. The whole image is decoded
// later, by examine, which proves it complete.
func checkJPEG(page int, data []byte, lim Limits) (image.Config, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return image.Config{}, decodeErr(page, "JPEG", err)
	}
	return cfg, checkPixels(page, cfg.Width, cfg.Height, lim)
}

// decodeJPEG decodes the whole image: a truncated upload decodes
// "successfully" in many viewers as a half-grey page, and we would rather
// refuse it than archive it.
func decodeJPEG(page int, data []byte) (image.Image, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, decodeErr(page, "JPEG", err)
	}
	img, err := jpeg.Decode(bytes.NewReader(WithAdobeMarker(data, cfg)))
	if err != nil {
		if !hasJPEGEnd(data) {
			// The decoder reports a cut-off entropy stream as a format
			// error; a missing end-of-image marker says what really happened.
			err = fmt.Errorf("%w (no end-of-image marker): %w", io.ErrUnexpectedEOF, err)
		}
		return nil, decodeErr(page, "JPEG", err)
	}
	return img, nil
}

// WithAdobeMarker returns data as Go's decoder reads it. A CMYK JPEG without Adobe's APP14
// segment is valid, and scanners write them, but image/jpeg refuses its colour model; this returns
// a copy with an APP14 segment put after SOI, which image/jpeg decodes taking the inks as stored
// inverted, as Adobe stores them (so the plain file's inks come out inverted). Any other JPEG, cfg
// being its header, is returned as it is. The file archived is always the original.
func WithAdobeMarker(data []byte, cfg image.Config) []byte {
	if !PlainCMYK(data, cfg) {
		return data
	}
	app14 := []byte{0xFF, 0xEE, 0x00, 0x0E, 'A', 'd', 'o', 'b', 'e', 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00}
	return slices.Concat(data[:2], app14, data[2:])
}

// PlainCMYK reports whether data, a JPEG whose header is cfg, holds CMYK without Adobe's APP14
// segment: its inks are stored as they are, where decoders assume them inverted.
func PlainCMYK(data []byte, cfg image.Config) bool {
	return cfg.ColorModel == color.CMYKModel && len(data) >= 2 && !bytes.Contains(data[:min(len(data), 64<<10)], []byte("Adobe"))
}

// hasJPEGEnd looks for the EOI marker, tolerating the padding some
// writers append after it.
func hasJPEGEnd(data []byte) bool {
	end := bytes.TrimRight(data, "\x00")
	return len(end) >= 2 && end[len(end)-2] == 0xFF && end[len(end)-1] == 0xD9
}

// splitPNG passes the PNG through (examine decodes it completely): it is
// already lossless, and re-encoding would only cost time.
func splitPNG(data []byte, lim Limits) (Page, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Page{}, decodeErr(0, "PNG", err)
	}
	if err := checkPixels(0, cfg.Width, cfg.Height, lim); err != nil {
		return Page{}, err
	}
	dx, dy := pngDensity(data)
	dx, dy = resolveDPI(cfg.Width, cfg.Height, dx, dy)
	return Page{Image: data, Format: PNG, Width: cfg.Width, Height: cfg.Height, DPIX: dx, DPIY: dy}, nil
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	// Speed over size: pages are re-compressed when the archive PDF is built.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeErr classifies a decoder failure: running out of bytes means the
// upload was cut short, anything else that the content is damaged.
func decodeErr(page int, kind string, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return inputErr(CodeTruncated,
			fmt.Sprintf("Ảnh %s của trang %d bị cắt cụt (tệp tải lên không đầy đủ).", kind, page+1), err)
	}
	return inputErr(CodeCorrupt, fmt.Sprintf("Ảnh %s của trang %d bị hỏng, không đọc được.", kind, page+1), err)
}
