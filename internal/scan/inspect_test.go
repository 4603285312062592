package scan

import (
	"bytes"
	"context"
	"errors"
	"image"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

func inspect(t *testing.T, data []byte) Inspection {
	t.Helper()
	in, err := Inspect(context.Background(), data, DefaultLimits())
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return in
}

func TestInspect(t *testing.T) {
	born := scantest.BornDigital(t)
	scanned := read(t, scans+"ke-hoach.pdf")
	all := func(k Kind, n int) []Kind {
		ks := make([]Kind, n)
		for i := range ks {
			ks[i] = k
		}
		return ks
	}
	tests := []struct {
		name string
		data []byte
		want Inspection
	}{
		{"scanned pdf", scanned, Inspection{Format: PDF, Pages: 2, Kind: Scanned, PageKinds: all(Scanned, 2)}},
		{"scanned pdf, signed twice", scantest.SignedTwice(t, scanned),
			Inspection{Format: PDF, Pages: 2, Kind: Scanned, PageKinds: all(Scanned, 2), Signed: true}},
		{"born-digital pdf", born, Inspection{Format: PDF, Pages: 2, Kind: BornDigital, PageKinds: all(BornDigital, 2)}},
		{"born-digital pdf, signed twice", scantest.SignedTwice(t, born),
			Inspection{Format: PDF, Pages: 2, Kind: BornDigital, PageKinds: all(BornDigital, 2), Signed: true}},
		{"scan with an invisible OCR layer", scantest.ImagePagePDF("BT 3 Tr /F1 12 Tf 10 10 Td (Ho so) Tj ET"),
			Inspection{Format: PDF, Pages: 1, Kind: Scanned, PageKinds: all(Scanned, 1)}},
		{"image with visible text", scantest.ImagePagePDF("BT /F1 12 Tf 10 10 Td (Ho so) Tj ET"),
			Inspection{Format: PDF, Pages: 1, Kind: BornDigital, PageKinds: all(BornDigital, 1)}},
		{"image with a drawing", scantest.ImagePagePDF("0 0 m 10 10 l S 0 0 m 10 0 l S 5 5 m 5 0 l S"),
			Inspection{Format: PDF, Pages: 1, Kind: BornDigital, PageKinds: all(BornDigital, 1)}},
		{"encrypted without a user password", scantest.QPDFEncrypt(t, scantest.SmallScanPDF(), ""),
			Inspection{Format: PDF, Pages: 1, Kind: Scanned, PageKinds: all(Scanned, 1), Encrypted: true}},
		{"tiff", read(t, scans+"ke-hoach.tiff"), Inspection{Format: TIFF, Pages: 2, Kind: Scanned, PageKinds: all(Scanned, 2)}},
		{"jpeg", read(t, scans+"dkdn.jpg"), Inspection{Format: JPEG, Pages: 1, Kind: Scanned, PageKinds: all(Scanned, 1)}},
	}
	for _, tt := range tests {
		if got := inspect(t, tt.data); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestInspectRefuses(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		code string
	}{
		{"encrypted with a user password", read(t, bad+"encrypted.pdf"), CodeEncrypted},
		{"encrypted by qpdf here", scantest.QPDFEncrypt(t, scantest.BornDigital(t), "mat-khau"), CodeEncrypted},
		{"65000 px wide", read(t, bad+"wide-65000x100.png"), CodeDimensionTooLarge},
		{"tall tiff", scantest.ZeroRGBTIFF(100, 40000), CodeDimensionTooLarge},
		{"pixel bomb", read(t, bad+"bomb-40000x40000.png"), CodeTooManyPixels},
		{"truncated pdf", read(t, bad+"truncated.pdf"), CodeBadPDF},
	}
	for _, tt := range tests {
		_, err := Inspect(context.Background(), tt.data, DefaultLimits())
		var ie *InputError
		if !errors.As(err, &ie) || ie.Code != tt.code {
			t.Errorf("%s: %v, want code %s", tt.name, err, tt.code)
		}
	}
}

// The indexed-colour bomb is refused after inflating its colour table only as far as the table
// could legally go, not to its 100 MiB.
func TestIndexedBombIsCheap(t *testing.T) {
	data := read(t, bad+"indexed-bomb.pdf")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Split(context.Background(), data, DefaultLimits())
	runtime.ReadMemStats(&after)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Code != CodeDecompressionBomb {
		t.Fatalf("got %v, want %s", err, CodeDecompressionBomb)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 10<<20 {
		t.Errorf("allocated %d MB to refuse the bomb", alloc>>20)
	}
	t.Log(err)
}

// A content stream that inflates past the document's budget is refused by Inspect too.
func TestContentBudget(t *testing.T) {
	lim := DefaultLimits()
	lim.MaxDecoded = 1 << 20
	big := scantest.ImagePagePDF(strings.Repeat("0 0 m ", 400_000)) // 2.4 MB of content
	_, err := Inspect(context.Background(), big, lim)
	var ie *InputError
	if !errors.As(err, &ie) || ie.Code != CodeDecompressionBomb {
		t.Fatalf("content over the budget: %v, want %s", err, CodeDecompressionBomb)
	}
}

func TestSplitHonoursCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, f := range []string{"ke-hoach.tiff", "ke-hoach.pdf"} {
		if _, err := Split(ctx, read(t, scans+f), DefaultLimits()); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v", f, err)
		}
	}
}

func TestLexer(t *testing.T) {
	const content = `BT /F1 12 Tf (a \) Tj (b) Tj) Tj [(x) -20 (y)] TJ <48656c6c6f> Tj ET % (c) Tj
		q 10 0 0 10 0 0 cm BI /W 2 /H 1 /BPC 8 /CS /G ID ` + "\x00EI\xff" + ` EI Q /Im1 Do`
	lx := &lexer{data: []byte(content)}
	var ops []string
	for {
		tok, op := lx.next()
		if tok == "" {
			break
		}
		if op {
			ops = append(ops, tok)
			if tok == "BI" {
				lx.skipInlineImage()
			}
		}
	}
	want := []string{"BT", "Tf", "Tj", "TJ", "Tj", "ET", "q", "cm", "BI", "Q", "Do"}
	if !reflect.DeepEqual(ops, want) {
		t.Errorf("operators %q, want %q", ops, want)
	}
}

func TestRender(t *testing.T) {
	testenv.Need(t, "pdftoppm")
	born := scantest.BornDigital(t)
	pages, err := Render(context.Background(), born, DefaultLimits(), RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	for i, p := range pages {
		img, f, err := image.Decode(bytes.NewReader(p.Image))
		if err != nil || f != "png" || p.Index != i || p.DPIX != 300 {
			t.Fatalf("page %d: %s, %v, index %d, %v dpi", i, f, err, p.Index, p.DPIX)
		}
		g, ok := img.(*image.Gray)
		if !ok || g.Bounds().Dx() != p.Width || p.Width != 2481 || p.Height != 3508 {
			t.Fatalf("page %d: %T %dx%d, want grey A4 at 300 dpi (2481x3508)", i, img, p.Width, p.Height)
		}
		dark := 0
		for _, v := range g.Pix {
			if v < 128 {
				dark++
			}
		}
		if dark < 10_000 { // text and a QR code, not a blank page
			t.Errorf("page %d has %d dark pixels", i, dark)
		}
	}
	lim := DefaultLimits()
	lim.MaxSide = 1000
	small, err := Render(context.Background(), born, lim, RenderOptions{Color: true, Pages: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(small[0].Image))
	if err != nil || len(small) != 1 || small[0].Index != 1 || small[0].Height > 1000 || small[0].Height < 990 {
		t.Fatalf("page 2 within 1000 px: %+v, %v", small[0].Height, err)
	}
	if _, ok := img.(*image.RGBA); !ok {
		t.Errorf("colour page is %T", img)
	}
	t.Logf("page 2 in colour at %.2f dpi: %dx%d", small[0].DPIX, small[0].Width, small[0].Height)
}

func TestText(t *testing.T) {
	testenv.Need(t, "pdftotext")
	pages, err := Text(context.Background(), scantest.SignedTwice(t, scantest.BornDigital(t)), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 {
		t.Fatalf("%d pages of text, want 2", len(pages))
	}
	for i, text := range pages {
		for _, want := range []string{"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mã hồ sơ: " + scantest.ReceiptCodes[i], "Nguyễn Thị Hằng"} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d lacks %q:\n%s", i+1, want, text)
			}
		}
		if strings.Contains(text, scantest.ReceiptCodes[1-i]) {
			t.Errorf("page %d has the other page's code", i+1)
		}
	}
	scanned, err := Text(context.Background(), read(t, scans+"ke-hoach.pdf"), DefaultLimits())
	if err != nil || len(scanned) != 2 || strings.TrimSpace(scanned[0]+scanned[1]) != "" {
		t.Errorf("text of a scan: %q, %v; want two empty pages", scanned, err)
	}
}

func FuzzContent(f *testing.F) {
	f.Add([]byte(`BT /F1 12 Tf (a \) Tj) Tj [(x) -20 (y)] TJ ET q BI /W 1 /H 1 ID x EI Q /Im0 Do <</A 1>> % c`))
	f.Add([]byte("3 Tr (a) Tj 0 0 m 1 1 l S BI ID"))
	f.Fuzz(func(t *testing.T, content []byte) {
		var st contentStats
		if err := st.add(nil, content, nil, 0, nil); err != nil {
			t.Fatal(err) // no resources: nothing to look up, nothing to fail
		}
		if st.text < 0 || st.paints < 0 || st.images < 0 {
			t.Fatalf("%+v", st)
		}
	})
}
