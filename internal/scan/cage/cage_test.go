package cage

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

const (
	scans = "../../../testdata/scans/"
	bad   = "../../../testdata/bad/"
)

func newPool(t *testing.T, cfg Config) *Pool {
	t.Helper()
	cfg.Argv = []string{os.Args[0], Command}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard // a child's last words are in the errors the tests look at
	}
	p := New(cfg)
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

var read = scantest.Read

func exited(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

// waitBusy returns the pid of the pool's child once it has one, 0 if none started within seconds.
func waitBusy(p *Pool) int {
	for range 500 {
		if ids := p.PIDs(); len(ids) > 0 {
			return ids[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0
}

// wantCode checks that err is what a person reads with code, and of kind.
func wantCode(t *testing.T, what string, err error, code string, kind fault.Kind) {
	t.Helper()
	got, reason, ok := fault.Reason(err)
	if !ok || got != code || reason == "" || fault.KindOf(err) != kind {
		t.Errorf("%s: %v (code %q, kind %v), want code %s of kind %v", what, err, got, fault.KindOf(err), code, kind)
	}
}

func TestSameAsInProcess(t *testing.T) {
	p := newPool(t, Config{})
	ctx, lim := context.Background(), scan.DefaultLimits()
	for _, f := range []string{"ke-hoach.pdf", "ke-hoach.tiff", "khai-sinh.png", "dkdn.jpg"} {
		data := read(t, scans+f)
		want, err := scan.Split(ctx, data, lim)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Split(ctx, data, lim)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d pages (%v), want the %d pages split in process", f, len(got), err, len(want))
		}
	}
	born := scantest.SignedTwice(t, scantest.BornDigital(t))
	wantIn, _ := scan.Inspect(ctx, born, lim)
	if got, err := p.Inspect(ctx, born, lim); err != nil || !reflect.DeepEqual(got, wantIn) || !got.Signed || got.Kind != scan.BornDigital {
		t.Errorf("inspect: %+v, %v; want %+v", got, err, wantIn)
	}
	wantText, _ := scan.Text(ctx, born, lim)
	if got, err := p.Text(ctx, born, lim); err != nil || !reflect.DeepEqual(got, wantText) || !strings.Contains(got[1], scantest.ReceiptCodes[1]) {
		t.Errorf("text: %q, %v", got, err)
	}
	wantPages, _ := scan.Render(ctx, born, lim, scan.RenderOptions{Pages: []int{1}})
	if got, err := p.Render(ctx, born, lim, scan.RenderOptions{Pages: []int{1}}); err != nil || !reflect.DeepEqual(got, wantPages) {
		t.Errorf("render: %d pages, %v", len(got), err)
	}
}

// TestBadFiles: each bad file fails alone with its code; the parent stays small however much the
// children took, and the pool goes on reading good files.
func TestBadFiles(t *testing.T) {
	const memory = 1 << 30
	p := newPool(t, Config{Memory: memory})
	entries, err := os.ReadDir(bad)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		code, ok := scantest.BadCodes[e.Name()]
		if !ok {
			continue // README.md; scan's tests require every file to have a code
		}
		before := p.PIDs()
		_, err := p.Split(context.Background(), read(t, filepath.Join(bad, e.Name())), scan.DefaultLimits())
		wantCode(t, e.Name(), err, code, fault.Input)
		t.Logf("%-26s %v", e.Name(), err)
		var crash *childproc.CrashError
		switch e.Name() {
		case "png-12000x12000-rgb16.png":
			// Go's PNG decoder would take 1.15 GB at once, which RLIMIT_DATA does not always
			// refuse (scan.Limits.Memory): the child refuses the page from its header, unread,
			// and lives.
			if errors.As(err, &crash) || !allLive(before, p.PIDs()) {
				t.Errorf("%s: %v, children %v then %v; want the page refused by a child that lives on", e.Name(), err, before, p.PIDs())
			}
		case "tiff-12000x12000-rgb.tiff":
			// Leptonica checks its mallocs, which map fresh memory the limit does refuse: the
			// child lives, its allocation refused.
			if errors.As(err, &crash) || !strings.Contains(err.Error(), "alloc fail") {
				t.Errorf("%s: %v, want Leptonica's allocation refused", e.Name(), err)
			}
		}
	}
	if peak := p.PeakRSS(); peak > memory+outsideLimit(t) {
		// RLIMIT_DATA bounds what a child allocates; its resident pages also hold the executable's
		// own, which no limit on allocations counts.
		t.Errorf("a child peaked at %d MB, over its %d MB limit and the %d MB outside it", peak>>20, memory>>20, outsideLimit(t)>>20)
	}
	if pages, err := p.Split(context.Background(), read(t, scans+"ke-hoach.tiff"), scan.DefaultLimits()); err != nil || len(pages) != 2 {
		t.Errorf("a good tiff after the bad files: %d pages, %v", len(pages), err)
	}
	self := peakRSS(t)
	t.Logf("peak RSS: this process %d MB, its largest child %d MB", self>>20, p.PeakRSS()>>20)
	if self > 400<<20 {
		t.Errorf("this process peaked at %d MB, want under 400 MB", self>>20)
	}
}

// peakRSS is this process's peak resident memory.
func peakRSS(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Maxrss << 10
}

// slowFile takes seconds to split when memory allows: two 576 MB rasters and a 144-megapixel PNG.
func slowFile(t *testing.T) []byte { return read(t, bad+"tiff-12000x12000-rgb.tiff") }

// TestCancel: a Split whose context is cancelled mid-file returns at once and leaves no child.
func TestCancel(t *testing.T) {
	p := newPool(t, Config{Memory: 4 << 30})
	ctx, cancel := context.WithCancel(context.Background())
	pid := make(chan int, 1)
	go func() {
		id := waitBusy(p)
		time.Sleep(300 * time.Millisecond) // into the decoding
		pid <- id
		cancel()
	}()
	start := time.Now()
	_, err := p.Split(ctx, slowFile(t), scan.DefaultLimits())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled split: %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Minute { // a hang guard, not a speed goal
		t.Errorf("returned after %v", d)
	}
	if id := <-pid; id == 0 || !exited(id) {
		t.Errorf("child %d still exists after the cancel", id)
	}
	if ids := p.PIDs(); len(ids) != 0 {
		t.Errorf("children %v left after the cancel", ids)
	}
}

func TestTimeout(t *testing.T) {
	p := newPool(t, Config{Memory: 4 << 30, Timeout: 300 * time.Millisecond})
	_, err := p.Split(context.Background(), slowFile(t), scan.DefaultLimits())
	wantCode(t, "slow file", err, scan.CodeTooSlow, fault.Input)
}

// TestKilledFromOutside: a child the machine's OOM killer takes is worth retrying.
func TestKilledFromOutside(t *testing.T) {
	p := newPool(t, Config{Memory: 4 << 30})
	go func() {
		if id := waitBusy(p); id != 0 {
			time.Sleep(300 * time.Millisecond)
			syscall.Kill(id, syscall.SIGKILL)
		}
	}()
	_, err := p.Split(context.Background(), slowFile(t), scan.DefaultLimits())
	wantCode(t, "killed child", err, scan.CodeParserKilled, fault.Other)
	if !fault.KindOf(err).Retryable() {
		t.Errorf("%v is not retryable", err)
	}
}

func TestCrash(t *testing.T) {
	p := newPool(t, Config{})
	_, err := p.Split(context.Background(), []byte(crashFile), scan.DefaultLimits())
	wantCode(t, "crash", err, scan.CodeParserCrash, fault.Input)
	var crash *childproc.CrashError
	if !errors.As(err, &crash) || crash.Signal != "SIGSEGV" {
		t.Errorf("crash: %v, want a SIGSEGV CrashError", err)
	}
	if _, err := p.Split(context.Background(), read(t, scans+"khai-sinh.png"), scan.DefaultLimits()); err != nil {
		t.Errorf("after the crash: %v", err)
	}
}

// TestRenderUnderLimit: pdftoppm, started by the child, is bound by the child's memory limit too.
func TestRenderUnderLimit(t *testing.T) {
	testenv.Need(t, "pdftoppm")
	p := newPool(t, Config{Memory: 200 << 20})
	_, err := p.Render(context.Background(), scantest.BornDigital(t), scan.DefaultLimits(),
		scan.RenderOptions{DPI: 1200, Color: true, Pages: []int{1}})
	wantCode(t, "A4 at 1200 dpi in 200 MB", err, scan.CodeMemoryLimit, fault.Input)
	t.Log(err)
}

// outsideLimit is what a child may hold resident beyond its RLIMIT_DATA: the pages of its
// executable (the test binary, run as the child) and 64 MB of stacks and runtime.
// allLive reports whether every child of before is still among now's.
func allLive(before, now []int) bool {
	for _, pid := range before {
		if !slices.Contains(now, pid) {
			return false
		}
	}
	return true
}

func outsideLimit(t *testing.T) int64 {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(exe)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size() + 64<<20
}
