package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"

	"github.com/sohoa-vn/sohoa/internal/ocr/ocrbench"
)

const benchUsage = `usage: sohoa bench ocr [-workers N] [-runs R] [-langs vie] [-strokes] [-soak PAGES] [-a4-600] DIR...

Splits every scan in DIR with internal/scan as the workers do, reads the
pages with N goroutines of one engine each, and prints per page the
character error rate of sohoa and of plain "tesseract FILE - -l vie" (run
on the same page files, in the same process tree, with the same
parallelism) against NAME.gt.txt beside the scan (pages separated by form
feeds), the confidence, the seconds of each and the preprocessing steps
sohoa applied; then pages per minute and CPU seconds per page of both,
sohoa's peak RSS, and the ratios. With -runs R, times are medians over R runs.
-strokes adds copies of every page marked by hand: black signatures and
notes across the text, blue ink, a signature over a red seal.
-soak reads the pages round and round up to that many and prints RSS after
50 and at the end. -a4-600 instead reads one 600 dpi A4 colour page made by
upscaling the first page and prints peak RSS.`

// benchCommand is `sohoa bench ocr`, `sohoa bench access` and `sohoa bench report`.
func benchCommand(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "access" {
		return benchAccess(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "report" {
		return benchReport(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "search" {
		return benchSearch(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "ocr" {
		return errors.New(benchUsage + "\n" + accessUsage + "\n" + reportUsage)
	}
	fs := flag.NewFlagSet("bench ocr", flag.ContinueOnError)
	c := ocrbench.Config{Out: os.Stdout}
	fs.IntVar(&c.Workers, "workers", runtime.NumCPU(), "pages read at once")
	fs.IntVar(&c.Runs, "runs", 1, "runs; times are medians")
	langs := fs.String("langs", "vie", "Tesseract languages, joined by +")
	fs.BoolVar(&c.Strokes, "strokes", false, "add copies of the pages marked with pen strokes and seals")
	fs.IntVar(&c.Soak, "soak", 0, "read pages round and round up to this many, printing RSS")
	fs.BoolVar(&c.A4, "a4-600", false, "read one 600 dpi A4 colour page and print peak RSS")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), benchUsage) }
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	c.Dirs, c.Langs = fs.Args(), strings.Split(*langs, "+")
	if len(c.Dirs) == 0 || c.Workers < 1 || c.Runs < 1 {
		return errors.New(benchUsage)
	}
	if err := ompSingleThread(); err != nil {
		return err
	}
	return ocrbench.Run(ctx, c)
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
