package pdfa

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
)

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRasterize(t *testing.T) {
	const w, h = 11, 3 // odd width exercises 1-bit row padding
	bilevel := image.NewGray(image.Rect(0, 0, w, h))
	gray := image.NewGray16(image.Rect(0, 0, w, h))
	pal := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.White, color.RGBA{200, 0, 0, 255}})
	alpha := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (x+y)%2 == 0 {
				bilevel.SetGray(x, y, color.Gray{0xFF})
			}
			gray.SetGray16(x, y, color.Gray16{uint16(x * 0x1000)})
			pal.SetColorIndex(x, y, uint8(x%2))
			alpha.SetNRGBA(x, y, color.NRGBA{0, 0, 0, uint8(x * 25)})
		}
	}

	for _, tc := range []struct {
		name string
		img  image.Image
		bpc  int
		cs   string
		n    int
	}{
		{"bilevel", bilevel, 1, "DeviceGray", 2 * h},
		{"gray16", gray, 8, "DeviceGray", w * h},
		{"paletted", pal, 8, "DeviceRGB", 3 * w * h},
		{"alpha", alpha, 8, "DeviceGray", w * h},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Round-trip through PNG so the decoder's image types are used.
			img, err := png.Decode(bytes.NewReader(encodePNG(t, tc.img)))
			if err != nil {
				t.Fatal(err)
			}
			raster, bpc, cs := rasterize(img)
			if bpc != tc.bpc || cs != tc.cs || len(raster) != tc.n {
				t.Errorf("got %d bpc %s, %d bytes; want %d bpc %s, %d bytes", bpc, cs, len(raster), tc.bpc, tc.cs, tc.n)
			}
		})
	}

	t.Run("bilevelBits", func(t *testing.T) {
		raster, _, _ := rasterize(bilevel)
		// Row 0: white at even x -> 1010 1010 | 1010 0000 (padded).
		if raster[0] != 0xAA || raster[1] != 0xA0 || raster[2] != 0x55 {
			t.Errorf("packed rows % x", raster)
		}
	})
	t.Run("alphaOnWhite", func(t *testing.T) {
		raster, _, _ := rasterize(alpha)
		// Transparent black is white paper; opaque black stays black.
		if raster[0] != 0xFF || raster[w-1] != 5 {
			t.Errorf("row 0: % x", raster[:w])
		}
	})
}

// A bilevel PNG must stay 1 bit per pixel in the PDF.
func TestBuildBilevelPNG(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 850, 1100))
	for i := range img.Pix {
		if i%7 != 0 {
			img.Pix[i] = 0xFF
		}
	}
	path := buildFile(t, []Page{{Image: encodePNG(t, img), Format: "png", DPIX: 100, DPIY: 100}}, Metadata{})
	rows := imageRows(run(t, "pdfimages", "-list", path))
	if len(rows) != 1 || rows[0][5] != "gray" || rows[0][7] != "1" || rows[0][9] != "no" {
		t.Errorf("pdfimages -list: %v", rows)
	}
	if out := run(t, "pdfinfo", path); !strings.Contains(out, "612 x 792 pts") {
		t.Errorf("want US Letter page:\n%s", out)
	}
}
