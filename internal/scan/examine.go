package scan

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"runtime"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/semaphore"

	"github.com/sohoa-vn/sohoa/internal/sheet"
)

// examineBudget is how many pixels examine holds decoded at once, all its pages together: at up to
// four bytes a pixel, 64 megapixels keep a scan child (cage.DefaultMemory, 1 GiB) clear of its
// limit beside the file and the runtime. A page bigger than the budget is decoded alone, as it was
// before pages were examined side by side.
const examineBudget = 64_000_000

// examine decodes each page in full, which proves a JPEG passed through (or a PNG original) complete,
// and looks on it for a sohoa sheet (sheet.Find). The pages are examined side by side, as many at
// once as there are cores and examineBudget allows, since decoding is most of what splitting a
// scanned stack costs. A page whose decoding would not fit in the parser's memory is refused
// unread (checkDecode). The error returned is that of the first failing page.
func examine(ctx context.Context, pages []Page, ex examination) error {
	mem := semaphore.NewWeighted(examineBudget)
	errs := make([]error, len(pages))
	var firstBad atomic.Int64 // pages after a failed one need not be examined
	firstBad.Store(int64(len(pages)))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(pages)) {
		wg.Go(func() {
			for i := range next {
				if int64(i) > firstBad.Load() {
					continue
				}
				if errs[i] = ex.page(ctx, &pages[i], mem); errs[i] != nil {
					lowerTo(&firstBad, int64(i))
				}
			}
		})
	}
	for i := range pages {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// examination is what examine knows of the file the pages come from.
type examination struct {
	lim  Limits
	file int // the file's size in bytes
	// verifyPNG says PNG pages are the sender's, to be proved complete too; other PNG pages are
	// this package's own re-encodings, decoded only to be looked at, and not at all when they are
	// too big to be a sheet or findSheets is false.
	verifyPNG, findSheets bool
}

func (ex examination) page(ctx context.Context, p *Page, mem *semaphore.Weighted) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("split before page %d: %w", p.Index+1, err)
	}
	pixels := int64(p.Width) * int64(p.Height)
	canBeSheet := ex.findSheets && pixels <= sheet.MaxPixels
	if !canBeSheet && p.Format == PNG && !ex.verifyPNG {
		return nil
	}
	need, err := decodedSize(*p)
	if err != nil {
		return err
	}
	if err := checkDecode(p.Index, need, ex.file, ex.lim); err != nil {
		return err
	}
	weight := min(pixels, examineBudget)
	if err := mem.Acquire(ctx, weight); err != nil {
		return fmt.Errorf("split before page %d: %w", p.Index+1, err)
	}
	defer mem.Release(weight)
	img, err := decodePage(*p)
	if err != nil {
		return err
	}
	if !canBeSheet {
		return nil
	}
	if s, ok := sheet.Find(img); ok {
		p.Sheet = &s
	}
	return nil
}

// decodePage decodes a page's image, with a refusal that names the page when it does not decode.
func decodePage(p Page) (image.Image, error) {
	if p.Format == JPEG {
		return decodeJPEG(p.Index, p.Image)
	}
	img, err := png.Decode(bytes.NewReader(p.Image))
	if err != nil {
		return nil, decodeErr(p.Index, "PNG", err)
	}
	return img, nil
}

// lowerTo sets v to n if n is smaller.
func lowerTo(v *atomic.Int64, n int64) {
	for {
		old := v.Load()
		if n >= old || v.CompareAndSwap(old, n) {
			return
		}
	}
}
