package receipt

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"rsc.io/qr"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestQRReadsBack renders the page as a printer would and reads every
// module of the code, quiet zone included, at its centre: the printed code
// is the bitmap qr.Encode made for the expected text, so any reader decodes
// it to that text.
func TestQRReadsBack(t *testing.T) {
	testenv.Need(t, "pdftoppm")
	withURL := sample()
	withURL.LookupURL = "https://dichvucong.haiphong.gov.vn/tra-cuu/000.00.53.H26-261127-0001"
	for name, c := range map[string]struct {
		r    Receipt
		want string
	}{
		"code": {sample(), sample().DossierCode},
		"url":  {withURL, withURL.LookupURL},
	} {
		t.Run(name, func(t *testing.T) {
			pg, err := layout(clean(c.r))
			if err != nil {
				t.Fatal(err)
			}
			want, err := newQR(c.want, qr.M, qrSide)
			if err != nil {
				t.Fatal(err)
			}
			if !sameBitmap(pg.qr, want) {
				t.Fatalf("the page's QR code does not encode %q", c.want)
			}
			img := render(t, writeFile(t, c.r), 150)
			checkModules(t, img, pg.qr, 150)
		})
	}
}

func sameBitmap(a, b qrBox) bool {
	if a.code.Size != b.code.Size {
		return false
	}
	for y := range a.code.Size {
		for x := range a.code.Size {
			if a.code.Black(x, y) != b.code.Black(x, y) {
				return false
			}
		}
	}
	return true
}

// render rasterises the page with poppler, as a print or a screen would.
func render(t *testing.T, pdf string, dpi int) image.Image {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	testenv.Run(t, "pdftoppm", "-r", strconv.Itoa(dpi), "-png", "-singlefile", pdf, prefix)
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode rendered page: %v", err)
	}
	return img
}

// checkModules compares each module's centre pixel with the bitmap; the
// quiet zone must be white all round.
func checkModules(t *testing.T, img image.Image, b qrBox, dpi float64) {
	t.Helper()
	scale := dpi / 72
	if px := b.module * scale; px < 3 {
		t.Errorf("modules are %.1f pixels at %g dpi; readers want 3 or more", px, dpi)
	}
	n := b.code.Size + 2*quietZone
	bad := 0
	for row := range n {
		for col := range n {
			x := (b.x + (float64(col)+0.5)*b.module) * scale
			y := (pageH - b.y + (float64(row)+0.5)*b.module) * scale
			dark := gray(img.At(int(x), int(y))) < 128
			want := b.code.Black(col-quietZone, row-quietZone)
			if dark != want {
				bad++
				if bad <= 5 {
					t.Errorf("module (%d, %d) at pixel (%.0f, %.0f): dark %v, want %v", col-quietZone, row-quietZone, x, y, dark, want)
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d modules wrong", bad, n*n)
	}
}

func gray(c color.Color) uint8 { return color.GrayModel.Convert(c).(color.Gray).Y }
