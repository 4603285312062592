package sheet_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestOrdinaryPagesAreNotSheets runs Find on every page of the sample scans, the repository's and
// the shared set, as Split gives them.
func TestOrdinaryPagesAreNotSheets(t *testing.T) {
	root := testenv.RepoRoot(t)
	dirs := []string{filepath.Join(root, "testdata", "scans"), filepath.Join(root, "..", "shared", "samples", "scans")}
	seen := 0
	for _, dir := range dirs {
		files, err := os.ReadDir(dir)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f.Name(), ".txt") {
				continue
			}
			data := scantest.Read(t, filepath.Join(dir, f.Name()))
			pages, err := scan.InProcess{}.Split(context.Background(), data, scan.DefaultLimits())
			if err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			for _, p := range pages {
				seen++
				if s, ok, err := sheet.FindEncoded(p.Image); ok || err != nil {
					t.Errorf("%s page %d: FindEncoded = %+v, %v, %v; want no sheet", f.Name(), p.Index+1, s, ok, err)
				}
			}
		}
	}
	if seen < 5 {
		t.Fatalf("only %d sample pages found", seen)
	}
}

// TestReceiptIsNotASheet checks that the receipt's code is read, and refused as not a sheet's.
func TestReceiptIsNotASheet(t *testing.T) {
	var b bytes.Buffer
	r := receipt.Receipt{DossierCode: dossier, Agency: "Bộ phận Một cửa quận Lê Chân", ReceivedAt: testTime}
	if err := receipt.Write(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, dpi := range []int{200, 300} {
		img := sheettest.Rasterize(t, b.Bytes(), dpi)
		src := gozxing.NewLuminanceSourceFromImage(img)
		bmp, _ := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
		res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
		if err != nil || res.GetText() != dossier {
			t.Fatalf("at %d dpi the receipt's own code does not read as %q: %v", dpi, dossier, err)
		}
		if s, ok := sheet.Find(decode(t, sheettest.Scan(img, sheettest.Options{}))); ok {
			t.Errorf("at %d dpi the receipt is taken for %+v", dpi, s)
		}
	}
}

func TestPaperIsNotASheet(t *testing.T) {
	for seed, dpi := range []int{200, 300, 600} {
		if s, ok := sheet.Find(sheettest.Paper(t, seed, dpi)); ok {
			t.Errorf("paper at %d dpi taken for %+v", dpi, s)
		}
	}
}

func TestFindEncoded(t *testing.T) {
	img := printed(t, 200)["separator"].img
	var pngPage bytes.Buffer
	if err := png.Encode(&pngPage, img); err != nil {
		t.Fatal(err)
	}
	jpg := sheettest.Scan(img, sheettest.Options{UpsideDown: true})
	want := sheet.Sheet{Kind: sheet.Separator, Dossier: dossier}
	for name, c := range map[string]struct {
		data  []byte
		found bool
		err   string
	}{
		"jpeg":      {jpg, true, ""},
		"png":       {pngPage.Bytes(), true, ""},
		"paper":     {sheettest.Scan(sheettest.Paper(t, 1, 200), sheettest.Options{}), false, ""},
		"48 MP":     {scantest.GrayPNG(8000, 6000), false, ""}, // skipped from its header, not decoded
		"truncated": {jpg[:len(jpg)/2], false, "decode jpeg page"},
		"tiff":      {[]byte("II*\x00\x08\x00\x00\x00"), false, "neither JPEG nor PNG"},
		"empty":     {nil, false, "neither JPEG nor PNG"},
	} {
		s, ok, err := sheet.FindEncoded(c.data)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want one containing %q", name, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case ok != c.found || ok && s != want:
			t.Errorf("%s: FindEncoded = %+v, %v; want found %v", name, s, ok, c.found)
		}
	}
}
