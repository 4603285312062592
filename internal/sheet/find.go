package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// MaxPixels is the largest page FindEncoded decodes. A sheet is an A4 page: at 600 dpi in colour,
// the most a counter scanner is set to, it is 35 megapixels. A bigger page is not a sheet, and
// decoding it (three bytes a pixel and more) would take memory that the process splitting the
// file, the OCR child after it, needs for the pages themselves.
const MaxPixels = 40_000_000

// readSide is the longest side, in pixels, a page is brought down to before the QR reader sees
// it: about 100 to 140 dpi on A4, where a module of a sheet's code (1.9 mm, package receipt) is 8
// to 10 pixels. The averaging that shrinks the page smooths the scanner's noise away, and the
// reader's time grows with the pixels it is given: a few milliseconds at this size.
const readSide = 1200

// Find looks for a sohoa sheet's QR code on a page image, in any orientation, and reports the sheet
// it names. A page without a QR code, or with one that is not a sheet's (Parse), is not a sheet.
//
// The reader samples each module at one point and sizes the code from its finder patterns: noise
// and a skew that lays modules across pixel boundaries now and then defeat it at one scale or with
// one threshold, and not with another. So a page on which no code was read is tried with zxing's
// other binariser, then both again at half the size; each try takes a few milliseconds, less than
// decoding the page's JPEG.
//
// zxing was ported from Java, where a fault in decoding is an exception the reader catches; a page
// that makes the port panic instead is not a sheet, rather than the end of the process splitting
// the file (which would refuse the whole file as crashing its parser).
func Find(img image.Image) (s Sheet, ok bool) {
	defer func() {
		if recover() != nil {
			s, ok = Sheet{}, false
		}
	}()
	g := shrinkGray(img, readSide)
	for range 2 {
		if g.Rect.Dx() < 21 || g.Rect.Dy() < 21 { // the smallest QR code, without its quiet zone
			return Sheet{}, false
		}
		if text, ok := readQR(g); ok {
			return Parse(text)
		}
		g = shrinkGray(g, (max(g.Rect.Dx(), g.Rect.Dy())+1)/2)
	}
	return Sheet{}, false
}

// FindEncoded is Find on a JPEG or PNG page, the formats ingest makes pages of. A page over
// MaxPixels, read from its header, is not decoded and is not a sheet; only data that is neither
// format, or that does not decode, is an error.
func FindEncoded(data []byte) (Sheet, bool, error) {
	var decodeConfig func(r *bytes.Reader) (image.Config, error)
	var decode func(r *bytes.Reader) (image.Image, error)
	var kind string
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		kind = "jpeg"
		decodeConfig = func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) }
		decode = func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) }
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		kind = "png"
		decodeConfig = func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) }
		decode = func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) }
	default:
		return Sheet{}, false, errors.New("sheet: page image is neither JPEG nor PNG")
	}
	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return Sheet{}, false, fmt.Errorf("sheet: %s page header: %w", kind, err)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Sheet{}, false, nil
	}
	img, err := decode(bytes.NewReader(data))
	if err != nil {
		return Sheet{}, false, fmt.Errorf("sheet: decode %s page of %dx%d: %w", kind, cfg.Width, cfg.Height, err)
	}
	s, ok := Find(img)
	return s, ok, nil
}

// readQR decodes the one QR code the reader finds on g, thresholding g first by blocks (zxing's
// hybrid binariser, which copes with uneven lighting), then by its whole histogram (which copes
// better with specks). TRY_HARDER makes the finder-pattern search look at every row rather than
// every few: on a page of this size it costs little and catches a small or noisy code.
func readQR(g *image.Gray) (string, bool) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	src, err := gozxing.NewPlanarYUVLuminanceSource(g.Pix, g.Stride, h, 0, 0, w, h, false)
	if err != nil {
		return "", false
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	for _, bin := range []gozxing.Binarizer{gozxing.NewHybridBinarizer(src), gozxing.NewGlobalHistgramBinarizer(src)} {
		bmp, err := gozxing.NewBinaryBitmap(bin)
		if err != nil {
			continue
		}
		if res, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil {
			return res.GetText(), true
		}
	}
	return "", false
}
