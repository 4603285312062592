// Package ocrbench measures sohoa's OCR against plain Tesseract on a
// corpus of page images with ground truth: the character error rate of
// both page by page, and pages per minute, CPU seconds per page and peak
// memory, as ratios to the plain run made in the same process tree with
// the same parallelism, since the machines it runs on are shared.
//
// "Plain Tesseract" is the command line, `tesseract IMG - -l vie`, run as
// a subprocess on the very bytes sohoa reads: what a deployment without
// sohoa's preprocessing would get, including the CLI's own handling of
// the file's resolution, which the engine alone would not reproduce.
package ocrbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// Config says what to measure.
type Config struct {
	Dirs    []string // folders of page images, each NAME with NAME.gt.txt beside it
	Workers int      // pages read at once
	Runs    int      // repetitions; times are medians over them
	Langs   []string // Tesseract languages for sohoa
	// Strokes adds, for every page with a ground truth, copies marked by
	// hand (scribble.Variants: black signatures and notes across the
	// text, blue ink, a signature over a red seal).
	Strokes bool
	Soak    int  // instead: read the pages round and round up to this many, printing RSS
	A4      bool // instead: read one 600 dpi A4 colour page made from the first, printing peak RSS
	Out     io.Writer
}

// Run loads the corpus and the engines, then measures what c asks for.
// The process must run with OMP_THREAD_LIMIT=1, as workers do.
func Run(ctx context.Context, c Config) error {
	if len(c.Dirs) == 0 || c.Workers < 1 || c.Runs < 1 || c.Out == nil {
		return errors.New("ocrbench: need folders, at least one worker and one run, and an output")
	}
	tmp, err := os.MkdirTemp("", "sohoa-bench-")
	if err != nil {
		return fmt.Errorf("ocrbench: temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	pages, err := load(c.Dirs, tmp, c.Strokes)
	if err != nil {
		return err
	}
	engines, err := newEngines(c.Workers, c.Langs)
	if err != nil {
		return err
	}
	defer func() {
		for _, e := range engines {
			e.Close()
		}
	}()
	switch {
	case c.A4:
		return a4(ctx, c.Out, engines[0], pages[0])
	case c.Soak > 0:
		return soak(ctx, c.Out, engines, pages, c.Soak)
	}
	return compare(ctx, c.Out, engines, pages, c.Runs, strings.Join(c.Langs, "+"))
}

// newEngines loads the engines before any timing: workers keep theirs
// across pages, so model loading is no part of a page's cost.
func newEngines(n int, langs []string) ([]*ocr.Engine, error) {
	var engines []*ocr.Engine
	for range n {
		e, err := ocr.NewEngine(langs...)
		if err != nil {
			for _, e := range engines {
				e.Close()
			}
			return nil, fmt.Errorf("ocrbench: %w", err)
		}
		engines = append(engines, e)
	}
	return engines, nil
}
