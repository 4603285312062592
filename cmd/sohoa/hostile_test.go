package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestHostileFiles sends the files that broke or bloated the worker when it parsed uploads itself
// (decompression bombs of Leptonica, of Go's PNG decoder, of a PDF's colour table; an encrypted PDF;
// a page too wide for Tesseract): each fails alone at ingest with its code, the worker process stays
// up and small, and reads a good scan afterwards. Run it alone for its memory figure:
// go test ./cmd/sohoa -run TestHostileFiles -v.
func TestHostileFiles(t *testing.T) {
	sys := startSystem(t, "SOHOA_S3_NOTIFY_ARN", "")
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "bad")
	for _, name := range []string{"tiff-12000x12000-rgb.tiff", "png-12000x12000-rgb16.png", "indexed-bomb.pdf",
		"encrypted.pdf", "wide-65000x100.png"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		code, body := sys.upload(t, name, data)
		if code != http.StatusCreated {
			t.Fatalf("%s: upload %d %s", name, code, body)
		}
		d := sys.wait(t, decode[api.Document](t, body).ID, 2*time.Minute)
		want := scantest.BadCodes[name]
		if d.Status != "failed" || d.Stage != "ingest" || d.ErrorCode != want || d.Error == "" || strings.Contains(d.Error, want) {
			t.Errorf("%s: %s at %s with %q (%s), want failed at ingest with code %s and a sentence", name, d.Status, d.Stage, d.Error, d.ErrorCode, want)
		}
		if code, body := sys.get(t, "/readyz"); code != http.StatusOK {
			t.Errorf("after %s: /readyz %d %s", name, code, body)
		}
		t.Logf("%-26s %s", name, d.Error)
	}

	good, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	code, body := sys.upload(t, "khai-sinh.png", good)
	if code != http.StatusCreated {
		t.Fatalf("good upload after hostile ones: %d %s", code, body)
	}
	if d := sys.wait(t, decode[api.Document](t, body).ID, 3*time.Minute); d.Status != "done" {
		t.Errorf("good scan after hostile ones: %s: %s", d.Status, d.Error)
	}

	var self syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	t.Logf("peak RSS: the worker process (this test, API and workers in it) %d MB; its largest scan child %d MB",
		self.Maxrss>>10, sys.app.scan.PeakRSS()>>20)
	if self.Maxrss > 400<<10 {
		t.Errorf("the worker process peaked at %d MB, want under 400 MB", self.Maxrss>>10)
	}
}
