package sheet_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/internal/sheet/sheettest"
)

var testTime = time.Date(2026, 11, 27, 9, 20, 0, 0, time.UTC)

// BenchmarkFindEncoded is what a page costs ingest: decoding its JPEG, and Find. Most pages of a
// stack are paper, on which Find makes all its tries.
func BenchmarkFindEncoded(b *testing.B) {
	for _, dpi := range []int{200, 300} {
		pages := map[string][]byte{
			"paper": sheettest.Scan(sheettest.Paper(b, 0, dpi), sheettest.Options{}),
			"cover": sheettest.Scan(printed(b, dpi)["cover"].img, sheettest.Options{UpsideDown: true, SkewDegrees: 2}),
		}
		for _, name := range []string{"paper", "cover"} {
			b.Run(fmt.Sprintf("%s-%ddpi", name, dpi), func(b *testing.B) {
				for b.Loop() {
					if _, _, err := sheet.FindEncoded(pages[name]); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkFind is Find alone, on a page already decoded.
func BenchmarkFind(b *testing.B) {
	for _, dpi := range []int{200, 300} {
		img := decode(b, sheettest.Scan(sheettest.Paper(b, 0, dpi), sheettest.Options{}))
		b.Run(fmt.Sprintf("paper-%ddpi", dpi), func(b *testing.B) {
			for b.Loop() {
				sheet.Find(img)
			}
		})
	}
}
