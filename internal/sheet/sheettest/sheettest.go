// Package sheettest makes the scans the tests of sheet detection feed sohoa: a printed sheet
// rasterised as a scanner would (Rasterize), turned, skewed, soiled and compressed as a counter
// scanner does (Scan), plain paper pages with Vietnamese text (Paper), and a scanner's image-only
// PDF of such pages (StackPDF). Only tests import it.
package sheettest

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// Rasterize draws the first page of pdf at dpi with poppler's pdftoppm, as a printer and a scanner
// between them would, and returns it in RGB.
func Rasterize(t testing.TB, pdf []byte, dpi int) image.Image {
	t.Helper()
	dir := t.TempDir()
	in, prefix := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "page")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.Run(t, "pdftoppm", "-r", strconv.Itoa(dpi), "-png", "-singlefile", "-f", "1", "-l", "1", in, prefix)
	b, err := os.ReadFile(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode pdftoppm page: %v", err)
	}
	return img
}
