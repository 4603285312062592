package ocrbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/ocr/cer"
)

// result is one page read once.
type result struct {
	text    string
	conf    float64
	prep    string // the steps sohoa applied, "" for the CLI
	seconds float64
}

// run is one pass over the corpus by one reader.
type run struct {
	pages     []result
	wall, cpu float64
}

// readSohoa reads every page once with the engines.
func readSohoa(ctx context.Context, engines []*ocr.Engine, pages []page) (run, error) {
	r := run{pages: make([]result, len(pages))}
	cpu0, start := cpuSeconds(syscall.RUSAGE_SELF), time.Now()
	err := parallel(ctx, len(engines), len(pages), func(ctx context.Context, slot, i int) error {
		t := time.Now()
		p, err := engines[slot].RecognizeDPI(ctx, pages[i].image, pages[i].dpi)
		if err != nil {
			return fmt.Errorf("ocrbench: %s: %w", pages[i].name, err)
		}
		r.pages[i] = result{p.Text, p.Confidence, steps(p), time.Since(t).Seconds()}
		return nil
	})
	r.wall, r.cpu = time.Since(start).Seconds(), cpuSeconds(syscall.RUSAGE_SELF)-cpu0
	return r, err
}

// readPlain runs the tesseract CLI on the same page images with the same
// parallelism; CPU seconds are the children's.
func readPlain(ctx context.Context, workers int, pages []page) (run, error) {
	r := run{pages: make([]result, len(pages))}
	env := append(os.Environ(), "OMP_THREAD_LIMIT=1")
	cpu0, start := cpuSeconds(syscall.RUSAGE_CHILDREN), time.Now()
	err := parallel(ctx, workers, len(pages), func(ctx context.Context, _, i int) error {
		t := time.Now()
		cmd := exec.CommandContext(ctx, "tesseract", pages[i].file, "-", "-l", "vie")
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("ocrbench: tesseract %s: %w: %s", pages[i].name, err, errOut.Bytes())
		}
		r.pages[i] = result{text: out.String(), seconds: time.Since(t).Seconds()}
		return nil
	})
	r.wall, r.cpu = time.Since(start).Seconds(), cpuSeconds(syscall.RUSAGE_CHILDREN)-cpu0
	return r, err
}

// steps names what sohoa did to a page: ink dropped, scaled, turned,
// deskewed, or the skew it left because the page has hand marks.
func steps(p *ocr.Page) string {
	var s []string
	if p.Prep.InkDropped {
		s = append(s, "ink")
	}
	if p.Prep.Scaled {
		s = append(s, "scale")
	}
	if p.Rotation != 0 {
		s = append(s, fmt.Sprintf("turn%d", p.Rotation))
	}
	if p.Skew != 0 {
		s = append(s, fmt.Sprintf("deskew%.1f", p.Skew))
	} else if p.Prep.FoundSkew != 0 {
		s = append(s, fmt.Sprintf("(skew%.1f)", p.Prep.FoundSkew))
	}
	if p.Prep.Marks > 0 {
		s = append(s, fmt.Sprintf("marks%d", p.Prep.Marks))
	}
	if l := p.Prep.Lines; l != [2]int{} {
		s = append(s, fmt.Sprintf("lines%d/%d", l[0], l[1]))
	}
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, " ")
}

// compare reads the corpus runs times with sohoa and with the CLI and
// prints both CERs page by page, then speed, CPU and memory.
func compare(ctx context.Context, out io.Writer, engines []*ocr.Engine, pages []page, runs int, langs string) error {
	var walls, cpus, twalls, tcpus, ratios []float64
	secs, tsecs := make([][]float64, len(pages)), make([][]float64, len(pages))
	var last, tlast run
	for r := range runs {
		// Alternate which goes first, so drift in the machine's load
		// (other jobs share it) does not always favour the same side.
		var err error
		if r%2 == 0 {
			if last, err = readSohoa(ctx, engines, pages); err == nil {
				tlast, err = readPlain(ctx, len(engines), pages)
			}
		} else {
			if tlast, err = readPlain(ctx, len(engines), pages); err == nil {
				last, err = readSohoa(ctx, engines, pages)
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "run %d: sohoa %.1f s, tesseract %.1f s, ratio %.3f\n", r+1, last.wall, tlast.wall, last.wall/tlast.wall)
		walls, cpus = append(walls, last.wall), append(cpus, last.cpu)
		twalls, tcpus = append(twalls, tlast.wall), append(tcpus, tlast.cpu)
		ratios = append(ratios, last.wall/tlast.wall)
		for i := range pages {
			secs[i] = append(secs[i], last.pages[i].seconds)
			tsecs[i] = append(tsecs[i], tlast.pages[i].seconds)
		}
	}
	worst, worse := printPages(out, pages, last, tlast, secs, tsecs)
	n := float64(len(pages))
	fmt.Fprintf(out, "\nsohoa (%s, %d workers): %.1f pages/min, %.2f CPU s/page, peak RSS %d MB, worst CER %.2f%%, worse than tesseract on %d of %d pages\n",
		langs, len(engines), 60*n/median(walls), median(cpus)/n, peakRSS()>>20, 100*worst, worse, len(pages))
	fmt.Fprintf(out, "tesseract -l vie (%d at once): %.1f pages/min, %.2f CPU s/page\n",
		len(engines), 60*n/median(twalls), median(tcpus)/n)
	fmt.Fprintf(out, "ratio sohoa/tesseract wall time: %.3f, CPU time: %.3f (medians of %d runs)\n",
		median(ratios), median(cpus)/median(tcpus), runs)
	return nil
}

// printPages prints the page table and returns sohoa's worst CER and on
// how many pages it read worse than the CLI.
func printPages(out io.Writer, pages []page, sohoa, plain run, secs, tsecs [][]float64) (worst float64, worse int) {
	fmt.Fprintf(out, "\n%-34s %8s %8s %7s %5s %6s %6s  %s\n", "page", "CER", "tess CER", "Δ", "conf", "s", "tess s", "steps")
	for i, p := range pages {
		c, tc, d := "-", "-", "-"
		if p.hasGT {
			v, tv := cer.Rate(sohoa.pages[i].text, p.gt), cer.Rate(plain.pages[i].text, p.gt)
			worst = max(worst, v)
			if v > tv {
				worse++
			}
			c, tc, d = fmt.Sprintf("%.2f%%", 100*v), fmt.Sprintf("%.2f%%", 100*tv), fmt.Sprintf("%+.2f", 100*(v-tv))
		}
		fmt.Fprintf(out, "%-34s %8s %8s %7s %5.1f %6.2f %6.2f  %s\n", p.name, c, tc, d,
			sohoa.pages[i].conf, median(secs[i]), median(tsecs[i]), sohoa.pages[i].prep)
	}
	return worst, worse
}
