package child

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

const sample = "../../../testdata/scans/khai-sinh.png"

func newPool(t *testing.T, size int, opts ocr.Options) (*Pool, *testenv.Buffer) {
	t.Helper()
	p := New(size, opts, os.Args[0], Command)
	log := &testenv.Buffer{}
	p.Stderr = log
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p, log
}

func readSample(t *testing.T) []byte {
	t.Helper()
	img, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// blank is a small white page: quick to recognise, no words.
func blank(t *testing.T) []byte {
	t.Helper()
	m := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range m.Pix {
		m.Pix[i] = 0xff
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// exited reports whether pid is gone: the pool reaps its children, so a dead one does not linger
// as a zombie.
func exited(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

// What the pool does with children in general (a kill from outside, stdout junk, Close) is tested
// in internal/childproc; these tests are about Tesseract in them.

func TestSameAsInProcess(t *testing.T) {
	img := readSample(t)
	e, err := ocr.NewEngine()
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	want, err := e.RecognizeDPI(context.Background(), img, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := newPool(t, 1, ocr.Options{})
	got, err := p.RecognizeDPI(context.Background(), img, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("child's page differs from the in-process one:\nchild: %.300q\nlocal: %.300q", got.Text, want.Text)
	}
	if len(got.Lines) < 10 || got.Confidence < 80 {
		t.Errorf("%d lines, confidence %.1f: the sample was not read", len(got.Lines), got.Confidence)
	}
}

// TestCrashTakesOnePage: a child dying on one page fails that page only; a page read meanwhile in
// the other child succeeds, and the pool reads the next page in a fresh child.
func TestCrashTakesOnePage(t *testing.T) {
	img := readSample(t)
	p, log := newPool(t, 2, ocr.Options{})
	var wg sync.WaitGroup
	var good *ocr.Page
	var goodErr error
	wg.Go(func() { good, goodErr = p.RecognizeDPI(context.Background(), img, 0) })
	_, err := p.RecognizeDPI(context.Background(), []byte(crashImage), 0)
	var crash *CrashError
	if !errors.As(err, &crash) || !errors.Is(err, ErrCrashed) {
		t.Fatalf("crashing page: %v, want a CrashError", err)
	}
	if crash.Signal != "SIGSEGV" || crash.Status() != "signal SIGSEGV" {
		t.Errorf("status %q (signal %q), want signal SIGSEGV", crash.Status(), crash.Signal)
	}
	if !strings.Contains(strings.Join(crash.Stderr, "\n"), "crashing on purpose") {
		t.Errorf("stderr tail %q lacks the child's last words", crash.Stderr)
	}
	if !exited(crash.PID) {
		t.Errorf("crashed child %d still exists", crash.PID)
	}
	wg.Wait()
	if goodErr != nil || len(good.Lines) < 10 {
		t.Fatalf("page read alongside the crash: %v", goodErr)
	}
	if ids := p.pids(); len(ids) != 1 || ids[0] == crash.PID {
		t.Errorf("live children %v, want the one that read the good page", ids)
	}
	if _, err := p.RecognizeDPI(context.Background(), blank(t), 300); err != nil {
		t.Errorf("page after the crash: %v", err)
	}
	if !strings.Contains(log.String(), "ocr-child["+strconv.Itoa(crash.PID)+"]: test child: crashing on purpose") {
		t.Errorf("child's stderr not passed on with its prefix:\n%s", log)
	}
}

// TestDeadline: a ctx that ends mid-page kills the child and returns the ctx's error.
func TestDeadline(t *testing.T) {
	p, _ := newPool(t, 1, ocr.Options{})
	if _, err := p.RecognizeDPI(context.Background(), blank(t), 300); err != nil {
		t.Fatal(err)
	}
	pid := p.pids()[0]
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := p.RecognizeDPI(ctx, []byte(hangImage), 0)
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrCrashed) {
		t.Fatalf("hung page: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 30*time.Second { // a hang guard, not a speed goal
		t.Errorf("returned after %v", d)
	}
	if !exited(pid) {
		t.Errorf("child %d survived its deadline", pid)
	}
	if _, err := p.RecognizeDPI(context.Background(), blank(t), 300); err != nil {
		t.Errorf("page after the deadline: %v", err)
	}
	if ids := p.pids(); len(ids) != 1 || ids[0] == pid {
		t.Errorf("live children %v, want one new child", ids)
	}
}

// TestWatchdog: a child silent past the engine's PageTimeout is killed, as a page timeout.
func TestWatchdog(t *testing.T) {
	p, _ := newPool(t, 1, ocr.Options{PageTimeout: 300 * time.Millisecond})
	p.grace = 0
	_, err := p.RecognizeDPI(context.Background(), []byte(hangImage), 0)
	if !errors.Is(err, ocr.ErrTimeout) {
		t.Fatalf("hung page: %v, want ocr.ErrTimeout", err)
	}
}

func TestStartFailures(t *testing.T) {
	p, _ := newPool(t, 1, ocr.Options{Languages: []string{"no-such-language"}})
	if _, err := p.RecognizeDPI(context.Background(), blank(t), 300); err == nil || !strings.Contains(err.Error(), "no-such-language") {
		t.Errorf("missing model: %v, want it named", err)
	}
	q := New(1, ocr.Options{}, "/bin/echo", "not a child")
	q.Stderr = &testenv.Buffer{}
	defer q.Close()
	if _, err := q.RecognizeDPI(context.Background(), blank(t), 300); err == nil || errors.Is(err, ErrCrashed) {
		t.Errorf("a binary that is no child: %v, want a start error blaming no page", err)
	} else {
		t.Log(err)
	}
}
