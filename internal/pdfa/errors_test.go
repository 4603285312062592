package pdfa

import (
	"bytes"
	"image"
	"os"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

func TestBuildRejects(t *testing.T) {
	jpg := readScan(t, "dkdn.jpg")
	bad := func(name string) []byte {
		b, err := os.ReadFile("../../testdata/bad/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ok := Page{Image: jpg, Format: "jpeg", DPIX: 300, DPIY: 300}
	for _, tc := range []struct {
		name  string
		page  Page
		wants string
	}{
		{"noDPI", Page{Image: jpg, Format: "jpeg"}, "resolution"},
		{"format", Page{Image: jpg, Format: "tiff", DPIX: 300, DPIY: 300}, "unsupported format"},
		{"size", Page{Image: jpg, Format: "jpeg", Width: 100, Height: 100, DPIX: 300, DPIY: 300}, "2480x3507"},
		{"truncated", Page{Image: bad("truncated.jpg"), Format: "jpeg", DPIX: 300, DPIY: 300}, "jpeg"},
		{"empty", Page{Image: bad("empty.jpg"), Format: "jpeg", DPIX: 300, DPIY: 300}, "jpeg"},
		{"notImage", Page{Image: bad("not-an-image.jpg"), Format: "jpeg", DPIX: 300, DPIY: 300}, "jpeg"},
		{"notPNG", Page{Image: jpg, Format: "png", DPIX: 300, DPIY: 300}, "png"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(&bytes.Buffer{}, []Page{ok, tc.page}, Metadata{})
			if err == nil {
				t.Fatal("Build succeeded")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "pdfa: page 2") || !strings.Contains(msg, tc.wants) {
				t.Errorf("error %q, want page 2 and %q", msg, tc.wants)
			}
		})
	}
	if _, err := Build(&bytes.Buffer{}, nil, Metadata{}); err == nil {
		t.Error("Build with no pages succeeded")
	}
}

// Odd OCR input must not break the text layer: empty and whitespace-only
// words, degenerate boxes, control characters and characters outside the
// BMP (which need their own ToUnicode entries).
func TestBuildOddWords(t *testing.T) {
	p := testPages(t)[1]
	p.Lines = [][]Word{
		{},
		{
			{Text: "", Box: image.Rect(100, 100, 200, 150)},
			{Text: "Tên", Box: image.Rect(300, 100, 420, 150)},
			{Text: "𠀧\t𨋢", Box: image.Rect(440, 100, 560, 150)},
			{Text: "zero", Box: image.Rect(570, 100, 570, 150)},
			{Text: "😀", Box: image.Rect(580, 150, 620, 100)}, // upside-down box
		},
	}
	path := buildFile(t, []Page{p}, Metadata{})
	testenv.Run(t, "qpdf", "--check", path)
	got := strings.TrimSpace(strings.Trim(testenv.Run(t, "pdftotext", path, "-"), "\f\n"))
	if got != "Tên 𠀧𨋢 😀" {
		t.Errorf("pdftotext: %q", got)
	}
}
