package main

import (
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/ocr/child"
)

// TestMain runs the tests as sohoa runs: Tesseract single-threaded (see singleThreadedOCR).
func TestMain(m *testing.M) {
	// The app under test starts this binary as its OCR child.
	if len(os.Args) > 1 && os.Args[1] == child.Command {
		if err := child.Main(); err != nil {
			fmt.Fprintln(os.Stderr, "ocr child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		err := syscall.Exec(os.Args[0], os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
		fmt.Fprintln(os.Stderr, "re-execute with OMP_THREAD_LIMIT=1:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}
