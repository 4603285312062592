package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/internal/scan/cage"
	"github.com/sohoa-vn/sohoa/internal/testenv"
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
	// And as its scan child.
	if len(os.Args) > 1 && os.Args[1] == cage.Command {
		if err := cage.Main(); err != nil {
			fmt.Fprintln(os.Stderr, "scan child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	testenv.SingleThreadedTesseract()
	os.Exit(m.Run())
}
