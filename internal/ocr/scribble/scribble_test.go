package scribble

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/scan"
)

// page is a white page with ten lines of black "print" bars, 200 dpi.
func page() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 1654, 2339))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for i := range 10 {
		y := 400 + 50*i
		draw.Draw(img, image.Rect(200, y, 1450, y+18), image.Black, image.Point{}, draw.Src)
	}
	return img
}

func TestMarkIsDeterministicAndOverTheText(t *testing.T) {
	src := page()
	text := TextBlock(src)
	if want := image.Rect(200, 400, 1450, 868); text != want {
		t.Fatalf("text block %v, want %v", text, want)
	}
	for i, v := range Variants() {
		a, b := Mark(src, 200, v, 7), Mark(src, 200, v, 7)
		if !bytes.Equal(a.Pix, b.Pix) {
			t.Errorf("%s: two marks with one seed differ", v.Name)
		}
		if c := Mark(src, 200, v, 8); bytes.Equal(a.Pix, c.Pix) {
			t.Errorf("%s: seeds 7 and 8 drew the same marks", v.Name)
		}
		inked, inside := 0, 0
		grow := text.Inset(-250) // marks start over the text and may run past it
		for y := range a.Bounds().Dy() {
			for x := range a.Bounds().Dx() {
				if a.RGBAAt(x, y) != src.RGBAAt(x, y) {
					inked++
					if (image.Point{x, y}).In(grow) {
						inside++
					}
				}
			}
		}
		if inked < 1000 || inside < inked*9/10 {
			t.Errorf("%s (%d): %d pixels inked, %d of them near the text", v.Name, i, inked, inside)
		}
		if src.RGBAAt(100, 100) != (color.RGBA{255, 255, 255, 255}) {
			t.Fatal("Mark changed its source")
		}
	}
}

func TestPNGDeclaresResolution(t *testing.T) {
	data, err := PNG(page(), 300)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := scan.Split(t.Context(), data, scan.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pages[0].DPIX != 300 || pages[0].DPIY != 300 {
		t.Fatalf("pages %d, resolution %v×%v, want one at 300×300", len(pages), pages[0].DPIX, pages[0].DPIY)
	}
	if _, _, err := image.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
}
