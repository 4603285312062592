package pdfa

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/testenv"
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
			raster, bpc, cs := rasterize(img, false)
			if bpc != tc.bpc || cs != tc.cs || len(raster) != tc.n {
				t.Errorf("got %d bpc %s, %d bytes; want %d bpc %s, %d bytes", bpc, cs, len(raster), tc.bpc, tc.cs, tc.n)
			}
		})
	}

	t.Run("bilevelBits", func(t *testing.T) {
		raster, _, _ := rasterize(bilevel, false)
		// Row 0: white at even x -> 1010 1010 | 1010 0000 (padded).
		if raster[0] != 0xAA || raster[1] != 0xA0 || raster[2] != 0x55 {
			t.Errorf("packed rows % x", raster)
		}
	})
	t.Run("alphaOnWhite", func(t *testing.T) {
		raster, _, _ := rasterize(alpha, false)
		// Transparent black is white paper; opaque black stays black.
		if raster[0] != 0xFF || raster[w-1] != 5 {
			t.Errorf("row 0: % x", raster[:w])
		}
	})
}

// A bilevel PNG (Go writes a black and white image as a 1-bit palette)
// must stay 1 bit per pixel in the PDF, and grey.
func TestBuildBilevelPNG(t *testing.T) {
	img := image.NewPaletted(image.Rect(0, 0, 850, 1100), color.Palette{color.Black, color.White})
	for i := range img.Pix {
		if i%7 != 0 {
			img.Pix[i] = 1
		}
	}
	path := buildFile(t, []Page{{Image: encodePNG(t, img), Format: "png", DPIX: 100, DPIY: 100}}, Metadata{})
	rows := imageRows(testenv.Run(t, "pdfimages", "-list", path))
	if len(rows) != 1 || rows[0][5] != "gray" || rows[0][7] != "1" || rows[0][9] != "no" {
		t.Errorf("pdfimages -list: %v", rows)
	}
	if out := testenv.Run(t, "pdfinfo", path); !strings.Contains(out, "612 x 792 pts") {
		t.Errorf("want US Letter page:\n%s", out)
	}
}

// TestPNGLossless builds one page per kind of PNG and compares what
// pdfimages extracts with the decoded original, pixel by pixel. raw says
// whether the PNG data can be stored as it is (predictor 15), colour how
// pdfimages -list must describe the stored image.
func TestPNGLossless(t *testing.T) {
	const w, h = 67, 41 // odd sizes exercise row padding of packed pixels
	rect := image.Rect(0, 0, w, h)
	gray, rgb, greyRGB := image.NewGray(rect), image.NewRGBA(rect), image.NewRGBA(rect)
	bw := image.NewPaletted(rect, color.Palette{color.White, color.Black})
	pal := image.NewPaletted(rect, color.Palette{color.White, color.RGBA{200, 0, 0, 255}, color.RGBA{0, 90, 200, 255}})
	gray16, alpha := image.NewGray16(rect), image.NewNRGBA(rect)
	for y := range h {
		for x := range w {
			v := uint8(x*7 + y*13)
			gray.SetGray(x, y, color.Gray{v})
			rgb.SetRGBA(x, y, color.RGBA{v, uint8(x * 3), uint8(y * 5), 255})
			greyRGB.SetRGBA(x, y, color.RGBA{v, v, v, 255})
			bw.SetColorIndex(x, y, uint8((x^y)&1))
			pal.SetColorIndex(x, y, uint8((x+y)%3))
			gray16.SetGray16(x, y, color.Gray16{uint16(v) * 0x101})
			alpha.SetNRGBA(x, y, color.NRGBA{v, 0, 0, 255 - uint8(x)})
		}
	}
	for _, tc := range []struct {
		name   string
		img    image.Image
		raw    bool
		colour string
	}{
		{"gray", gray, true, "gray"},
		{"rgb", rgb, true, "rgb"},
		{"greyRGB", greyRGB, true, "gray"}, // stored as grey, a third of the size
		{"bilevelPalette", bw, true, "gray"},
		{"palette", pal, true, "index"},
		{"gray16", gray16, true, "gray"}, // 16 bits kept: PDF's predictor takes them as they are
		{"alpha", alpha, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := encodePNG(t, tc.img)
			c, err := readPNGChunks(data)
			if err != nil || c.storable() != tc.raw {
				t.Fatalf("readPNGChunks: %v, storable as is %v, want %v", err, c != nil && c.storable(), tc.raw)
			}
			if !tc.raw {
				return // decoded and flattened: covered by TestRasterize
			}
			path := buildFile(t, []Page{{Image: data, Format: "png", DPIX: 100, DPIY: 100}}, Metadata{})
			rows := imageRows(testenv.Run(t, "pdfimages", "-list", path))
			if len(rows) != 1 || rows[0][5] != tc.colour || (tc.name == "gray16") != (rows[0][7] == "16") {
				t.Errorf("pdfimages -list: %v, want colour %s", rows, tc.colour)
			}
			dir := t.TempDir()
			testenv.Run(t, "pdfimages", "-png", path, filepath.Join(dir, "img"))
			f, err := os.ReadFile(filepath.Join(dir, "img-000.png"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := png.Decode(bytes.NewReader(f))
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds() != rect {
				t.Fatalf("extracted %v, want %v", got.Bounds(), rect)
			}
			for y := range h {
				for x := range w {
					r0, g0, b0, _ := tc.img.At(x, y).RGBA()
					r1, g1, b1, _ := got.At(x, y).RGBA()
					if r0 != r1 || g0 != g1 || b0 != b1 {
						t.Fatalf("pixel %d,%d: extracted %v, original %v", x, y, got.At(x, y), tc.img.At(x, y))
					}
				}
			}
		})
	}
}

func TestReadPNGChunksRejects(t *testing.T) {
	data := encodePNG(t, image.NewGray(image.Rect(0, 0, 10, 10)))
	flipped := bytes.Clone(data)
	flipped[len(flipped)-20] ^= 0xFF // inside the IDAT data
	for name, b := range map[string][]byte{
		"truncated": data[:len(data)-12],
		"crc":       flipped,
		"signature": data[1:],
	} {
		if _, err := readPNGChunks(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
