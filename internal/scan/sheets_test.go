package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/receipt"
	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

const stackDossier = "000.00.53.H26-261127-0001"

var testTime = time.Date(2026, 11, 27, 9, 20, 0, 0, time.UTC)

// stackPage is one page of a test stack: its JPEG and the sheet it is, if any.
type stackPage struct {
	jpeg  []byte
	sheet *sheet.Sheet
}

// dossierStack is a dossier's 12 pages as counter staff scan them in one go at 200 dpi: the cover,
// then papers parted by three separators (one fed upside down, one skewed, one naming no dossier),
// among the papers the dossier's receipt, with its own QR code, and two of the sample scans.
func dossierStack(t testing.TB) []stackPage {
	t.Helper()
	print := func(write func(*bytes.Buffer) error) image.Image {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		return sheettest.Rasterize(t, b.Bytes(), 200)
	}
	cover := print(func(b *bytes.Buffer) error {
		return receipt.WriteCover(b, receipt.Cover{DossierCode: stackDossier, Agency: "Bộ phận Một cửa quận Lê Chân", OwnerName: "Nguyễn Thị Hồng Nhung"})
	})
	named := print(func(b *bytes.Buffer) error {
		return receipt.WriteSeparator(b, receipt.Separator{DossierCode: stackDossier})
	})
	bare := print(func(b *bytes.Buffer) error { return receipt.WriteSeparator(b, receipt.Separator{}) })
	slip := print(func(b *bytes.Buffer) error {
		return receipt.Write(b, receipt.Receipt{DossierCode: stackDossier, ReceivedAt: testTime, Components: []string{"Tờ khai"}})
	})
	paper := func(seed int) stackPage {
		return stackPage{jpeg: sheettest.Scan(sheettest.Paper(t, seed, 200), sheettest.Options{Noise: 0.002})}
	}
	scan := func(img image.Image, o sheettest.Options, s *sheet.Sheet) stackPage {
		return stackPage{jpeg: sheettest.Scan(img, o), sheet: s}
	}
	samples := testenv.Samples(t) + "/scans/"
	return []stackPage{
		scan(cover, sheettest.Options{Noise: 0.01}, &sheet.Sheet{Kind: sheet.Cover, Dossier: stackDossier}),
		scan(slip, sheettest.Options{}, nil),
		paper(1),
		scan(named, sheettest.Options{SkewDegrees: 2.5}, &sheet.Sheet{Kind: sheet.Separator, Dossier: stackDossier}),
		paper(2),
		{jpeg: scantest.Read(t, samples+"dkdn.jpg")},
		scan(named, sheettest.Options{UpsideDown: true, Noise: 0.02}, &sheet.Sheet{Kind: sheet.Separator, Dossier: stackDossier}),
		paper(3),
		{jpeg: scantest.Read(t, samples+"xay-dung-skewed.jpg")},
		scan(bare, sheettest.Options{SkewDegrees: -3, Quality: 50}, &sheet.Sheet{Kind: sheet.Separator}),
		paper(4),
		paper(5),
	}
}

func jpegs(pages []stackPage) [][]byte {
	out := make([][]byte, len(pages))
	for i, p := range pages {
		out[i] = p.jpeg
	}
	return out
}

func TestSplitFindsSheets(t *testing.T) {
	stack := dossierStack(t)
	pdf := sheettest.StackPDF(jpegs(stack))
	ctx, lim := context.Background(), DefaultLimits()
	in, err := Inspect(ctx, pdf, lim)
	if err != nil || in.Kind != Scanned || in.Pages != len(stack) {
		t.Fatalf("Inspect = %+v, %v; want %d scanned pages", in, err, len(stack))
	}
	pages, err := Split(ctx, pdf, lim)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != len(stack) {
		t.Fatalf("%d pages, want %d", len(pages), len(stack))
	}
	for i, p := range pages {
		if p.Format != JPEG || !bytes.Equal(p.Image, stack[i].jpeg) {
			t.Errorf("page %d: %s of %d bytes, want the stack's JPEG of %d bytes byte for byte", i+1, p.Format, len(p.Image), len(stack[i].jpeg))
		}
		if got, want := fmt.Sprint(deref(p.Sheet)), fmt.Sprint(deref(stack[i].sheet)); got != want {
			t.Errorf("page %d: sheet %s, want %s", i+1, got, want)
		}
	}
}

// TestSplitSheetAlone is a sheet scanned on its own, as a JPEG or a PNG file.
func TestSplitSheetAlone(t *testing.T) {
	stack := dossierStack(t)
	for name, c := range map[string]struct {
		data []byte
		want *sheet.Sheet
	}{
		"cover jpeg": {stack[0].jpeg, stack[0].sheet},
		"paper jpeg": {stack[2].jpeg, nil},
		"bare png":   {toPNG(t, stack[9].jpeg), stack[9].sheet},
	} {
		pages, err := Split(context.Background(), c.data, DefaultLimits())
		if err != nil || len(pages) != 1 {
			t.Fatalf("%s: %d pages, %v", name, len(pages), err)
		}
		if got, want := fmt.Sprint(deref(pages[0].Sheet)), fmt.Sprint(deref(c.want)); got != want {
			t.Errorf("%s: sheet %s, want %s", name, got, want)
		}
	}
}

func deref(s *sheet.Sheet) any {
	if s == nil {
		return "none"
	}
	return *s
}

func toPNG(t testing.TB, jpg []byte) []byte {
	t.Helper()
	img, err := decodeJPEG(0, jpg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := encodePNG(img)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkSplitStack splits a 300-page stack scanned at 200 dpi (the 12 pages of dossierStack 25
// times over), looking for sheets and not.
func BenchmarkSplitStack(b *testing.B) {
	stack := dossierStack(b)
	var pages [][]byte
	for range 25 {
		pages = append(pages, jpegs(stack)...)
	}
	pdf := sheettest.StackPDF(pages)
	for _, find := range []bool{false, true} {
		b.Run(fmt.Sprintf("sheets=%v", find), func(b *testing.B) {
			for b.Loop() {
				got, err := split(context.Background(), pdf, DefaultLimits(), find)
				if err != nil || len(got) != len(pages) {
					b.Fatalf("%d pages, %v", len(got), err)
				}
			}
		})
	}
}
