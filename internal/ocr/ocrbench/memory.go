package ocrbench

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // the first page may be a PNG
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/ocr/cer"
)

// soak reads the pages round and round and prints the resident set
// after 50 pages and at the end: a worker runs for days, so it must be flat.
func soak(ctx context.Context, out io.Writer, engines []*ocr.Engine, pages []page, total int) error {
	var mu sync.Mutex
	done := 0
	start := time.Now()
	return parallel(ctx, len(engines), total, func(ctx context.Context, slot, i int) error {
		p := pages[i%len(pages)]
		if _, err := engines[slot].RecognizeDPI(ctx, p.image, p.dpi); err != nil {
			return fmt.Errorf("ocrbench: %s: %w", p.name, err)
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		if done == 50 || done == total || done%100 == 0 {
			runtime.GC() // what remains is what is held, not garbage yet to collect
			fmt.Fprintf(out, "after %4d pages (%5.0f s): RSS %d MB\n", done, time.Since(start).Seconds(), rssBytes()>>20)
		}
		return nil
	})
}

// a4 reads a 600 dpi A4 colour page made from the first page, for the
// worker's peak memory. The upscaled image is produced row by row into the
// JPEG encoder, so making it does not itself inflate the peak.
func a4(ctx context.Context, out io.Writer, e *ocr.Engine, first page) error {
	src, _, err := image.Decode(bytes.NewReader(first.image))
	if err != nil {
		return fmt.Errorf("ocrbench: decode %s: %w", first.name, err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, upscaled{src, image.Rect(0, 0, 4960, 7016)}, &jpeg.Options{Quality: 90}); err != nil {
		return fmt.Errorf("ocrbench: make 600 dpi page: %w", err)
	}
	runtime.GC()
	before := rssBytes()
	t := time.Now()
	p, err := e.RecognizeDPI(ctx, buf.Bytes(), 600)
	if err != nil {
		return fmt.Errorf("ocrbench: 600 dpi page: %w", err)
	}
	c := "-"
	if first.hasGT {
		c = fmt.Sprintf("%.2f%%", 100*cer.Rate(p.Text, first.gt))
	}
	fmt.Fprintf(out, "600 dpi A4 colour page from %s (4960×7016, JPEG %d MB): CER %s, %.1f s, RSS before %d MB, peak RSS %d MB\n",
		first.name, buf.Len()>>20, c, time.Since(t).Seconds(), before>>20, peakRSS()>>20)
	return nil
}

// upscaled is src stretched to r, nearest neighbour, computed on demand.
type upscaled struct {
	src image.Image
	r   image.Rectangle
}

func (u upscaled) ColorModel() color.Model { return color.RGBAModel }
func (u upscaled) Bounds() image.Rectangle { return u.r }
func (u upscaled) At(x, y int) color.Color {
	b := u.src.Bounds()
	return u.src.At(b.Min.X+x*b.Dx()/u.r.Dx(), b.Min.Y+y*b.Dy()/u.r.Dy())
}
