package thumb

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/draw"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// page is a w×h page, white with a red band across its top third and black below: averaging
// must keep both the colour and where it is.
func page(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
			switch {
			case y < h/3:
				c = color.RGBA{0xC0, 0x10, 0x10, 0xFF}
			case y >= 2*h/3:
				c = color.RGBA{0, 0, 0, 0xFF}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func near(a, b uint8, by int) bool { d := int(a) - int(b); return d <= by && d >= -by }

// A JPEG (YCbCr), a colour PNG and a grey PNG come out as JPEGs of the width asked, with the
// page's proportions, colours and layout.
func TestMake(t *testing.T) {
	src := page(1240, 1754)
	grey := image.NewGray(src.Bounds())
	draw.Draw(grey, grey.Bounds(), src, image.Point{}, draw.Src)
	for _, c := range []struct {
		name     string
		data     []byte
		top      color.RGBA
		tolerate int
	}{
		{"jpeg", encodeJPEG(t, src), color.RGBA{0xC0, 0x10, 0x10, 0xFF}, 12},
		{"png", encodePNG(t, src), color.RGBA{0xC0, 0x10, 0x10, 0xFF}, 6},
		{"grey png", encodePNG(t, grey), color.RGBA{grey.GrayAt(0, 0).Y, grey.GrayAt(0, 0).Y, grey.GrayAt(0, 0).Y, 0xFF}, 6},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := Make(c.data, 160)
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("not a JPEG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 160 || b.Dy() != 226 {
				t.Fatalf("thumbnail %v, want 160×226", b)
			}
			at := func(y int) color.RGBA { return color.RGBAModel.Convert(img.At(80, y)).(color.RGBA) }
			for _, p := range []struct {
				y    int
				want color.RGBA
			}{{30, c.top}, {113, color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}}, {200, color.RGBA{0, 0, 0, 0xFF}}} {
				got := at(p.y)
				if !near(got.R, p.want.R, c.tolerate) || !near(got.G, p.want.G, c.tolerate) || !near(got.B, p.want.B, c.tolerate) {
					t.Errorf("row %d: %v, want about %v", p.y, got, p.want)
				}
			}
		})
	}
}

// A thumbnail of a real office scan (A4, 300 dpi, colour, 1.2 MB) is a few kilobytes.
func TestMakeSample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "dkdn.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Make(data, 240)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(out))
	if err != nil || cfg.Width != 240 || len(out) > 40_000 {
		t.Errorf("thumbnail %+v of %d bytes (%v), want 240 wide and under 40 KB", cfg, len(out), err)
	}
}

// A width above the page's gives the page's own size; a page over MaxPixels is not decoded; what is
// neither JPEG nor PNG, or does not decode, is an error.
func TestMakeLimits(t *testing.T) {
	out, err := Make(encodePNG(t, page(90, 120)), 400)
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := jpeg.DecodeConfig(bytes.NewReader(out)); err != nil || cfg.Width != 90 || cfg.Height != 120 {
		t.Errorf("a thumbnail wider than its page: %+v %v", cfg, err)
	}
	// A header claiming 8000×8000 pixels: refused before anything is decoded.
	big := encodePNG(t, image.NewGray(image.Rect(0, 0, 8000, 8000)))
	if _, err := Make(big, 200); !errors.Is(err, ErrTooLarge) {
		t.Errorf("a 64-megapixel page: %v, want ErrTooLarge", err)
	}
	for name, data := range map[string][]byte{
		"text":      []byte("not an image"),
		"truncated": encodeJPEG(t, page(300, 400))[:200],
	} {
		if _, err := Make(data, 100); err == nil || errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want an error", name, err)
		}
	}
	if _, err := Make(encodePNG(t, page(10, 10)), 0); err == nil {
		t.Error("width 0 accepted")
	}
}

// BenchmarkThumbnail is a 240-pixel thumbnail of the sample office scan (an A4 page at 300 dpi in
// colour), as Make does it, against the reference of the Catmull-Rom kernel over the whole page.
//
//	go test ./internal/thumb -bench Thumbnail -count 5
func BenchmarkThumbnail(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(testenv.Samples(b), "scans", "dkdn.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("make", func(b *testing.B) {
		for b.Loop() {
			if _, err := Make(data, 240); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference: kernel over the whole page", func(b *testing.B) {
		for b.Loop() {
			src, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			w := 240
			dst := image.NewRGBA(image.Rect(0, 0, w, src.Bounds().Dy()*w/src.Bounds().Dx()))
			draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
			if err := jpeg.Encode(&bytes.Buffer{}, dst, &jpeg.Options{Quality: Quality}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
