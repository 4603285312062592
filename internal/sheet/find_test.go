package sheet_test

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/pdfa/pdfatest"
	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
)

const dossier = "000.00.53.H26-261127-0001"

// printed are the sheets as the counter prints them, rasterised at dpi.
func printed(t testing.TB, dpi int) map[string]struct {
	want sheet.Sheet
	img  image.Image
} {
	t.Helper()
	var cover, sep, bare bytes.Buffer
	if err := receipt.WriteCover(&cover, receipt.Cover{DossierCode: dossier, Agency: "Bộ phận Một cửa quận Lê Chân",
		Procedure: "Đăng ký khai sinh", OwnerName: "Nguyễn Thị Hồng Nhung"}); err != nil {
		t.Fatal(err)
	}
	if err := receipt.WriteSeparator(&sep, receipt.Separator{DossierCode: dossier}); err != nil {
		t.Fatal(err)
	}
	if err := receipt.WriteSeparator(&bare, receipt.Separator{}); err != nil {
		t.Fatal(err)
	}
	out := map[string]struct {
		want sheet.Sheet
		img  image.Image
	}{}
	for name, c := range map[string]struct {
		pdf  []byte
		want sheet.Sheet
	}{
		"cover":          {cover.Bytes(), sheet.Sheet{Kind: sheet.Cover, Dossier: dossier}},
		"separator":      {sep.Bytes(), sheet.Sheet{Kind: sheet.Separator, Dossier: dossier}},
		"bare separator": {bare.Bytes(), sheet.Sheet{Kind: sheet.Separator}},
	} {
		out[name] = struct {
			want sheet.Sheet
			img  image.Image
		}{c.want, sheettest.Rasterize(t, c.pdf, dpi)}
	}
	return out
}

func decode(t testing.TB, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestFindScanned(t *testing.T) {
	scans := map[string]sheettest.Options{
		"clean":          {Quality: 90},
		"upside down":    {UpsideDown: true},
		"skewed 3°":      {SkewDegrees: 3},
		"skewed -4°":     {SkewDegrees: -4, UpsideDown: true},
		"noisy":          {Noise: 0.05},
		"noisy, jpeg 30": {Noise: 0.02, Quality: 30, SkewDegrees: 2, UpsideDown: true},
		"very noisy":     {Noise: 0.1, Quality: 50, SkewDegrees: -0.7},
	}
	for _, dpi := range []int{200, 300} {
		for name, p := range printed(t, dpi) {
			for scan, o := range scans {
				t.Run(fmt.Sprintf("%s at %d dpi, %s", name, dpi, scan), func(t *testing.T) {
					got, ok := sheet.Find(decode(t, sheettest.Scan(p.img, o)))
					if !ok || got != p.want {
						t.Errorf("Find = %+v, %v; want %+v", got, ok, p.want)
					}
				})
			}
		}
	}
}

func TestFindQuarterTurns(t *testing.T) {
	p := printed(t, 200)["cover"]
	for quads := range 4 {
		got, ok := sheet.Find(pdfatest.Turn(p.img, quads))
		if !ok || got != p.want {
			t.Errorf("turned %d quarters: Find = %+v, %v; want %+v", quads, got, ok, p.want)
		}
	}
}
