package main

import (
	"fmt"
	"os"
	"syscall"
	"testing"
)

// TestMain runs the tests as sohoa runs: Tesseract single-threaded (see singleThreadedOCR).
func TestMain(m *testing.M) {
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		err := syscall.Exec(os.Args[0], os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
		fmt.Fprintln(os.Stderr, "re-execute with OMP_THREAD_LIMIT=1:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}
