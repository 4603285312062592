package scan

import (
	"bytes"
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
)

const (
	scans = "../../testdata/scans/"
	bad   = "../../testdata/bad/"
)

var read = scantest.Read

func TestSplitSamples(t *testing.T) {
	tests := []struct {
		file   string
		pages  int
		format Format
		dpi    float64
		w, h   int
	}{
		{"khai-sinh.png", 1, PNG, 200, 1653, 2338},
		{"dkdn.jpg", 1, JPEG, 300, 2480, 3507},
		{"xay-dung-skewed.jpg", 1, JPEG, 200, 1653, 2338},
		{"ke-hoach.tiff", 2, PNG, 200, 1653, 2338},
		{"ke-hoach.pdf", 2, JPEG, 200, 1653, 2338},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data := read(t, scans+tt.file)
			pages, err := Split(context.Background(), data, DefaultLimits())
			if err != nil {
				t.Fatalf("Split: %v", err)
			}
			if len(pages) != tt.pages {
				t.Fatalf("got %d pages, want %d", len(pages), tt.pages)
			}
			for i, p := range pages {
				if p.Index != i || p.Format != tt.format || p.Width != tt.w || p.Height != tt.h {
					t.Errorf("page %d: index %d format %s %dx%d, want %d %s %dx%d",
						i, p.Index, p.Format, p.Width, p.Height, i, tt.format, tt.w, tt.h)
				}
				if math.Abs(p.DPIX-tt.dpi) > 0.5 || math.Abs(p.DPIY-tt.dpi) > 0.5 {
					t.Errorf("page %d: dpi %.2fx%.2f, want %.0f", i, p.DPIX, p.DPIY, tt.dpi)
				}
				// The page image must really be what Format and the size say.
				cfg, f, err := image.DecodeConfig(bytes.NewReader(p.Image))
				if err != nil || Format(f) != p.Format || cfg.Width != p.Width || cfg.Height != p.Height {
					t.Errorf("page %d: image decodes as %s %dx%d (%v)", i, f, cfg.Width, cfg.Height, err)
				}
				// JPEG sources must not be recompressed.
				if p.Format == JPEG && !bytes.Contains(data, p.Image) {
					t.Errorf("page %d: JPEG bytes not found verbatim in the original", i)
				}
			}
			if len(pages) == 2 && bytes.Equal(pages[0].Image, pages[1].Image) {
				t.Error("both pages have the same image")
			}
		})
	}
}

func TestSplitBad(t *testing.T) {
	entries, err := os.ReadDir(bad)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) == ".md" {
			continue
		}
		code, ok := scantest.BadCodes[e.Name()]
		if !ok {
			t.Errorf("%s: no expectation; add it to scantest.BadCodes", e.Name())
			continue
		}
		if scantest.NeedsCage[e.Name()] {
			t.Logf("%s: refused by the memory limit of the cage, tested in scan/cage", e.Name())
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			_, err := Split(context.Background(), read(t, filepath.Join(bad, e.Name())), DefaultLimits())
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v (%T), want *InputError", err, err)
			}
			if ie.Code != code {
				t.Errorf("code %q, want %q (%v)", ie.Code, code, err)
			}
			if ie.Message == "" {
				t.Error("empty message")
			}
			t.Logf("%v", err)
		})
	}
}

// The bomb is 280 kB on disk and 1.6 gigapixels decoded: refusing it must not
// decode it (what that costs in time is for benchmarks; memory shows decoding).
func TestBombIsCheap(t *testing.T) {
	data := read(t, bad+"bomb-40000x40000.png")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Split(context.Background(), data, DefaultLimits())
	runtime.ReadMemStats(&after)
	if !IsInputError(err) {
		t.Fatalf("got %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 10<<20 {
		t.Errorf("allocated %d MB to refuse the bomb", alloc>>20)
	}
}

func TestSplitLimits(t *testing.T) {
	tests := []struct {
		file string
		lim  Limits
		code string
	}{
		{"khai-sinh.png", Limits{MaxBytes: 1000}, CodeTooLarge},
		{"dkdn.jpg", Limits{MaxPixels: 1_000_000}, CodeTooManyPixels},
		{"ke-hoach.tiff", Limits{MaxPixels: 1_000_000}, CodeTooManyPixels},
		{"ke-hoach.pdf", Limits{MaxPixels: 1_000_000}, CodeTooManyPixels},
		{"ke-hoach.tiff", Limits{MaxPages: 1}, CodeTooManyPages},
		{"ke-hoach.pdf", Limits{MaxPages: 1}, CodeTooManyPages},
	}
	for _, tt := range tests {
		_, err := Split(context.Background(), read(t, scans+tt.file), tt.lim)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Code != tt.code {
			t.Errorf("%s with %+v: got %v, want code %s", tt.file, tt.lim, err, tt.code)
		}
	}
}

func TestTruncatedTIFF(t *testing.T) {
	data := read(t, scans+"ke-hoach.tiff")
	_, err := Split(context.Background(), data[:len(data)/2], DefaultLimits())
	if !IsInputError(err) {
		t.Fatalf("half a TIFF: got %v, want *InputError", err)
	}
	t.Logf("%v", err)
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want Format
		code string
	}{
		{"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG, ""},
		{"\x89PNG\r\n\x1a\n\x00\x00", PNG, ""},
		{"II*\x00\x08\x00\x00\x00", TIFF, ""},
		{"MM\x00*\x00\x00\x00\x08", TIFF, ""},
		{"%PDF-1.7\n", PDF, ""},
		{"\r\n%PDF-1.4\n", PDF, ""},
		{"", "", CodeEmpty},
		{"GIF89a", "", CodeUnsupportedType},
		{"PK\x03\x04", "", CodeUnsupportedType},
		{"\xff\xd8", "", CodeUnsupportedType},
	}
	for _, tt := range tests {
		got, err := Sniff([]byte(tt.head))
		var ie *InputError
		switch {
		case tt.code == "" && (err != nil || got != tt.want):
			t.Errorf("Sniff(%q) = %q, %v; want %q", tt.head, got, err, tt.want)
		case tt.code != "" && (!errors.As(err, &ie) || ie.Code != tt.code):
			t.Errorf("Sniff(%q) error %v; want code %s", tt.head, err, tt.code)
		}
	}
}

func TestInputErrorText(t *testing.T) {
	inner := errors.New("unexpected EOF")
	e := &InputError{Code: "truncated", Message: "Tệp bị cắt cụt.", Err: inner}
	if got, want := e.Error(), "truncated: Tệp bị cắt cụt.: unexpected EOF"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, inner) {
		t.Error("Unwrap does not reach the cause")
	}
	if got := (&InputError{Code: "empty", Message: "Tệp rỗng (0 byte)."}).Error(); got != "empty: Tệp rỗng (0 byte)." {
		t.Errorf("Error() without cause = %q", got)
	}
}

func TestResolveDPI(t *testing.T) {
	tests := []struct {
		w, h         int
		x, y         float64
		wantX, wantY float64
	}{
		{1653, 2338, 200, 200, 200, 200},
		{1653, 2338, 199.9996, 199.9996, 200, 200},
		{1653, 2338, 72, 72, 72, 72},
		{1653, 2338, 0, 0, 200, 200},      // missing: A4 portrait
		{3507, 2480, 1, 1, 300, 300},      // absurd: A4 landscape
		{2480, 3507, 300, 5000, 300, 300}, // one good axis wins
	}
	for _, tt := range tests {
		x, y := resolveDPI(tt.w, tt.h, tt.x, tt.y)
		if x != tt.wantX || y != tt.wantY {
			t.Errorf("resolveDPI(%d,%d,%v,%v) = %v,%v; want %v,%v", tt.w, tt.h, tt.x, tt.y, x, y, tt.wantX, tt.wantY)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, dir := range []string{scans, bad} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); ext == ".txt" || ext == ".md" {
				continue
			}
			b := read(f, filepath.Join(dir, e.Name()))
			f.Add(b[:min(len(b), 1024)])
		}
	}
	// Small limits keep each iteration fast; the code paths are the same.
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 4_000_000, MaxPages: 4}
	f.Fuzz(func(t *testing.T, data []byte) {
		pages, err := Split(context.Background(), data, lim)
		if err == nil && len(pages) == 0 {
			t.Fatal("no error and no pages")
		}
		for _, p := range pages {
			if len(p.Image) == 0 || p.Width <= 0 || p.Height <= 0 {
				t.Fatalf("bad page %+v", p)
			}
		}
	})
}

// Scanners that do not write JPEG compress pages with Flate; such a page
// must come out as a PNG with exactly the original pixels.
func TestSplitFlatePDF(t *testing.T) {
	src := read(t, scans+"khai-sinh.png")
	var pdf bytes.Buffer
	if err := api.ImportImages(nil, &pdf, []io.Reader{bytes.NewReader(src)}, api.DefaultImportConfig(), nil); err != nil {
		t.Fatalf("build test pdf: %v", err)
	}
	pages, err := Split(context.Background(), pdf.Bytes(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 1 || pages[0].Format != PNG {
		t.Fatalf("got %d pages, first %+v", len(pages), pages[0].Format)
	}
	want, _, err := image.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := image.Decode(bytes.NewReader(pages[0].Image))
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	for y := 0; y < want.Bounds().Dy(); y += 7 {
		for x := 0; x < want.Bounds().Dx(); x += 7 {
			r1, g1, b1, _ := got.At(x, y).RGBA()
			r2, g2, b2, _ := want.At(x, y).RGBA()
			if r1>>8 != r2>>8 || g1>>8 != g2>>8 || b1>>8 != b2>>8 {
				t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, got.At(x, y), want.At(x, y))
			}
		}
	}
	t.Logf("page %dx%d at %.0fx%.0f dpi", pages[0].Width, pages[0].Height, pages[0].DPIX, pages[0].DPIY)
}
