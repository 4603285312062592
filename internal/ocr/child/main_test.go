package child

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// Images that make the test child misbehave, as a page that breaks Tesseract would.
const (
	crashImage = "CRASH" // SIGSEGV, after a line on stderr
	hangImage  = "HANG"  // never answers, as Tesseract stuck in layout analysis
)

// TestMain doubles as the child: the pool under test starts this test binary with Command.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == Command {
		if err := mainWith(testEngine); err != nil {
			fmt.Fprintln(os.Stderr, "test child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	testenv.SingleThreadedTesseract()
	os.Exit(m.Run())
}

func testEngine(o ocr.Options) (engine, error) {
	e, err := ocr.NewEngineWith(o)
	if err != nil {
		return nil, err
	}
	return misbehaving{e}, nil
}

type misbehaving struct{ *ocr.Engine }

func (e misbehaving) RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*ocr.Page, error) {
	switch string(img) {
	case crashImage:
		fmt.Fprintln(os.Stderr, "test child: crashing on purpose")
		syscall.Kill(os.Getpid(), syscall.SIGSEGV)
		select {}
	case hangImage:
		time.Sleep(time.Hour)
	}
	return e.Engine.RecognizeDPI(ctx, img, dpi)
}
