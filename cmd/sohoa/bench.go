package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/ocr/cer"
	"github.com/sohoa-vn/sohoa/internal/scan"
)

const benchUsage = `usage: sohoa bench ocr [-workers N] [-runs R] [-langs vie] [-soak PAGES] [-a4-600] DIR...

Splits every scan in DIR with internal/scan as the workers do, reads the
pages with N goroutines of one engine each, and prints per page the
character error rate against NAME.gt.txt beside the scan (pages separated
by form feeds), the confidence and the seconds; then pages per minute, CPU
seconds per page and peak RSS, and the same for raw "tesseract FILE - -l
vie" run in the same process tree with the same parallelism, and the
ratio. With -runs R, figures are medians over R runs. -soak reads the pages
round and round up to that many and prints RSS after 50 and at the end.
-a4-600 instead reads one 600 dpi A4 colour page made by upscaling the first
page and prints peak RSS.`

// benchPage is one page of the corpus.
type benchPage struct {
	name string
	page scan.Page
	file string // the page image written out for the tesseract CLI
	gt   string // ground truth, "" when there is none
	has  bool   // a ground truth exists
}

// benchResult is one page read once.
type benchResult struct {
	text    string
	conf    float64
	seconds float64
}

// benchCommand is `sohoa bench ocr`.
func benchCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "ocr" {
		return errors.New(benchUsage)
	}
	fs := flag.NewFlagSet("bench ocr", flag.ContinueOnError)
	workers := fs.Int("workers", runtime.NumCPU(), "pages read at once")
	runs := fs.Int("runs", 1, "runs; figures are medians")
	langs := fs.String("langs", "vie", "Tesseract languages, joined by +")
	soak := fs.Int("soak", 0, "read pages round and round up to this many, printing RSS")
	a4 := fs.Bool("a4-600", false, "read one 600 dpi A4 colour page and print peak RSS")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), benchUsage) }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() == 0 || *workers < 1 || *runs < 1 {
		return errors.New(benchUsage)
	}
	if err := ompSingleThread(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "sohoa-bench-")
	if err != nil {
		return fmt.Errorf("bench: temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	pages, err := benchLoad(fs.Args(), tmp)
	if err != nil {
		return err
	}
	engines, err := benchEngines(*workers, strings.Split(*langs, "+"))
	if err != nil {
		return err
	}
	defer func() {
		for _, e := range engines {
			e.Close()
		}
	}()
	switch {
	case *a4:
		return benchA4(ctx, engines[0], pages[0])
	case *soak > 0:
		return benchSoak(ctx, engines, pages, *soak)
	}
	return benchCompare(ctx, engines, pages, *runs, *langs)
}

// ompSingleThread makes sure OMP_THREAD_LIMIT=1 is in force. libgomp reads
// it when it is loaded, before main, so setting it now would do nothing:
// the command re-executes itself with it set.
func ompSingleThread() error {
	if os.Getenv("OMP_THREAD_LIMIT") != "" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: find own executable to set OMP_THREAD_LIMIT: %w", err)
	}
	err = syscall.Exec(exe, os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
	return fmt.Errorf("bench: re-execute with OMP_THREAD_LIMIT=1: %w", err)
}

func benchLoad(dirs []string, tmp string) ([]benchPage, error) {
	var pages []benchPage
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("bench: read %s: %w", dir, err)
		}
		for _, ent := range entries {
			name := ent.Name()
			if ent.IsDir() || strings.HasSuffix(name, ".txt") || strings.HasPrefix(name, ".") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return nil, fmt.Errorf("bench: %w", err)
			}
			split, err := scan.Split(context.Background(), data, scan.DefaultLimits())
			if err != nil {
				return nil, fmt.Errorf("bench: split %s: %w", name, err)
			}
			gtb, gterr := os.ReadFile(filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".gt.txt"))
			gts := cer.Pages(string(gtb))
			for i, p := range split {
				bp := benchPage{name: name, page: p}
				if len(split) > 1 {
					bp.name = fmt.Sprintf("%s p%d", name, i+1)
				}
				if gterr == nil && i < len(gts) {
					bp.gt, bp.has = gts[i], true
				}
				bp.file = filepath.Join(tmp, fmt.Sprintf("%03d.%s", len(pages), p.Format))
				if err := os.WriteFile(bp.file, p.Image, 0o600); err != nil {
					return nil, fmt.Errorf("bench: %w", err)
				}
				pages = append(pages, bp)
			}
		}
	}
	if len(pages) == 0 {
		return nil, errors.New("bench: no pages")
	}
	return pages, nil
}

// benchEngines loads the engines before any timing: workers keep theirs
// across pages, so model loading is no part of a page's cost.
func benchEngines(n int, langs []string) ([]*ocr.Engine, error) {
	var engines []*ocr.Engine
	for range n {
		e, err := ocr.NewEngine(langs...)
		if err != nil {
			for _, e := range engines {
				e.Close()
			}
			return nil, fmt.Errorf("bench: %w", err)
		}
		engines = append(engines, e)
	}
	return engines, nil
}

// benchParallel runs do(i) for every page index with len(workers) goroutines,
// worker w always using slot w.
func benchParallel(ctx context.Context, workers, n int, do func(ctx context.Context, slot, i int) error) error {
	next := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for slot := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := do(ctx, slot, i); err != nil {
					errs <- err
					cancel()
					return
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

// benchSohoa reads every page once; returns results, wall and CPU seconds.
func benchSohoa(ctx context.Context, engines []*ocr.Engine, pages []benchPage) ([]benchResult, float64, float64, error) {
	res := make([]benchResult, len(pages))
	cpu0, start := cpuSeconds(syscall.RUSAGE_SELF), time.Now()
	err := benchParallel(ctx, len(engines), len(pages), func(ctx context.Context, slot, i int) error {
		t := time.Now()
		p, err := engines[slot].RecognizeDPI(ctx, pages[i].page.Image, pages[i].page.DPIX)
		if err != nil {
			return fmt.Errorf("bench: %s: %w", pages[i].name, err)
		}
		res[i] = benchResult{p.Text, p.Confidence, time.Since(t).Seconds()}
		return nil
	})
	return res, time.Since(start).Seconds(), cpuSeconds(syscall.RUSAGE_SELF) - cpu0, err
}

// benchTesseract runs the raw CLI on the same page images with the same
// parallelism; CPU seconds are the children's.
func benchTesseract(ctx context.Context, workers int, pages []benchPage) ([]benchResult, float64, float64, error) {
	res := make([]benchResult, len(pages))
	env := append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cpu0, start := cpuSeconds(syscall.RUSAGE_CHILDREN), time.Now()
	err := benchParallel(ctx, workers, len(pages), func(ctx context.Context, _, i int) error {
		t := time.Now()
		cmd := exec.CommandContext(ctx, "tesseract", pages[i].file, "-", "-l", "vie")
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("bench: tesseract %s: %w", pages[i].name, err)
		}
		res[i] = benchResult{text: out.String(), seconds: time.Since(t).Seconds()}
		return nil
	})
	return res, time.Since(start).Seconds(), cpuSeconds(syscall.RUSAGE_CHILDREN) - cpu0, err
}

func benchCompare(ctx context.Context, engines []*ocr.Engine, pages []benchPage, runs int, langs string) error {
	n := float64(len(pages))
	var walls, cpus, twalls, tcpus, ratios []float64
	secs := make([][]float64, len(pages))
	var last, tlast []benchResult
	for r := range runs {
		// Alternate which goes first, so drift in the machine's load
		// (other jobs share it) does not always favour the same side.
		var err error
		var w, c, tw, tc float64
		if r%2 == 0 {
			if last, w, c, err = benchSohoa(ctx, engines, pages); err == nil {
				tlast, tw, tc, err = benchTesseract(ctx, len(engines), pages)
			}
		} else {
			if tlast, tw, tc, err = benchTesseract(ctx, len(engines), pages); err == nil {
				last, w, c, err = benchSohoa(ctx, engines, pages)
			}
		}
		if err != nil {
			return err
		}
		fmt.Printf("run %d: sohoa %.1f s, tesseract %.1f s, ratio %.3f\n", r+1, w, tw, w/tw)
		walls, cpus, twalls, tcpus = append(walls, w), append(cpus, c), append(twalls, tw), append(tcpus, tc)
		ratios = append(ratios, w/tw)
		for i, res := range last {
			secs[i] = append(secs[i], res.seconds)
		}
	}
	fmt.Printf("\n%-28s %9s %9s %6s %8s\n", "page", "CER", "tess CER", "conf", "seconds")
	worst := 0.0
	for i, p := range pages {
		c, tc := "-", "-"
		if p.has {
			v := cer.Rate(last[i].text, p.gt)
			worst = max(worst, v)
			c = fmt.Sprintf("%.2f%%", 100*v)
			tc = fmt.Sprintf("%.2f%%", 100*cer.Rate(tlast[i].text, p.gt))
		}
		fmt.Printf("%-28s %9s %9s %6.1f %8.2f\n", p.name, c, tc, last[i].conf, median(secs[i]))
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Printf("\nsohoa (%s, %d workers): %.1f pages/min, %.2f CPU s/page, peak RSS %d MB, worst CER %.2f%%\n",
		langs, len(engines), 60*n/median(walls), median(cpus)/n, ru.Maxrss/1024, 100*worst)
	fmt.Printf("tesseract -l vie (%d at once): %.1f pages/min, %.2f CPU s/page\n",
		len(engines), 60*n/median(twalls), median(tcpus)/n)
	fmt.Printf("ratio sohoa/tesseract wall time: %.3f (median of %d runs)\n", median(ratios), runs)
	return nil
}

// benchSoak reads the pages round and round and prints the resident set
// after 50 pages and at the end: a worker runs for days, so it must be flat.
func benchSoak(ctx context.Context, engines []*ocr.Engine, pages []benchPage, total int) error {
	var mu sync.Mutex
	done := 0
	start := time.Now()
	return benchParallel(ctx, len(engines), total, func(ctx context.Context, slot, i int) error {
		p := pages[i%len(pages)]
		if _, err := engines[slot].RecognizeDPI(ctx, p.page.Image, p.page.DPIX); err != nil {
			return fmt.Errorf("bench: %s: %w", p.name, err)
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		if done == 50 || done == total || done%100 == 0 {
			runtime.GC() // what remains is what is held, not garbage yet to collect
			fmt.Printf("after %4d pages (%5.0f s): RSS %d MB\n", done, time.Since(start).Seconds(), rssBytes()>>20)
		}
		return nil
	})
}

// benchA4 reads a 600 dpi A4 colour page made from the first page, for
// the worker's peak memory. The upscaled image is produced row by row
// into the JPEG encoder, so making it does not itself inflate the peak.
func benchA4(ctx context.Context, e *ocr.Engine, first benchPage) error {
	src, _, err := image.Decode(bytes.NewReader(first.page.Image))
	if err != nil {
		return fmt.Errorf("bench: decode %s: %w", first.name, err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, upscaled{src, image.Rect(0, 0, 4960, 7016)}, &jpeg.Options{Quality: 90}); err != nil {
		return fmt.Errorf("bench: make 600 dpi page: %w", err)
	}
	runtime.GC()
	before := rssBytes()
	t := time.Now()
	p, err := e.RecognizeDPI(ctx, buf.Bytes(), 600)
	if err != nil {
		return fmt.Errorf("bench: 600 dpi page: %w", err)
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	c := "-"
	if first.has {
		c = fmt.Sprintf("%.2f%%", 100*cer.Rate(p.Text, first.gt))
	}
	fmt.Printf("600 dpi A4 colour page from %s (4960×7016, JPEG %d MB): CER %s, %.1f s, RSS before %d MB, peak RSS %d MB\n",
		first.name, buf.Len()>>20, c, time.Since(t).Seconds(), before>>20, ru.Maxrss/1024)
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

func cpuSeconds(who int) float64 {
	var ru syscall.Rusage
	syscall.Getrusage(who, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// rssBytes is the current resident set (not the peak), from /proc.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	fmt.Sscan(string(b), &size, &resident)
	return resident * int64(os.Getpagesize())
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
