package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// BenchmarkEndToEnd measures the wall time from upload to a signed, indexed document for each
// sample scan sent alone, on 2 workers, and in the same run the time raw `tesseract` takes to read
// the same pages one after another, as the reference a noisy shared machine needs:
//
//	go test ./cmd/sohoa -run '^$' -bench EndToEnd -benchtime 3x
//
// It reports the median seconds per document and its ratio to the reference.
func BenchmarkEndToEnd(b *testing.B) {
	testenv.Need(b, "tesseract")
	sys := startSystem(b, "SOHOA_CONCURRENCY", "2")
	scans := filepath.Join(testenv.Samples(b), "scans")
	for _, name := range []string{"khai-sinh.png", "dkdn.jpg", "xay-dung-skewed.jpg", "ke-hoach.tiff", "ke-hoach.pdf"} {
		data, err := os.ReadFile(filepath.Join(scans, name))
		if err != nil {
			b.Fatal(err)
		}
		ref := tesseractSeconds(b, data)
		b.Run(name, func(b *testing.B) {
			var secs []float64
			for range b.N {
				sys.forget(b, hexSHA(data))
				start := time.Now()
				code, body := sys.upload(b, name, data)
				if code != http.StatusCreated {
					b.Fatalf("upload: %d %s", code, body)
				}
				if d := sys.wait(b, decode[api.Document](b, body).ID, 5*time.Minute); d.Status != "done" {
					b.Fatalf("%s: %s", d.Status, d.Error)
				}
				secs = append(secs, time.Since(start).Seconds())
			}
			slices.Sort(secs)
			med := secs[len(secs)/2]
			b.ReportMetric(med, "s/doc")
			b.ReportMetric(ref, "tesseract-s")
			b.ReportMetric(med/ref, "x-tesseract")
		})
	}
}

// forget renames the document with these bytes, so that uploading them again makes a new document
// that goes through every stage.
func (s system) forget(b testing.TB, sha string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, s.db)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE documents SET sha256 = sha256 || ':' || id WHERE sha256 = $1`, sha); err != nil {
		b.Fatal(err)
	}
}

// tesseractSeconds times the raw tesseract command on each page of data, one after another,
// single-threaded as sohoa runs it.
func tesseractSeconds(b testing.TB, data []byte) float64 {
	pages, err := scan.Split(context.Background(), data, scan.DefaultLimits())
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	start := time.Now()
	for i, p := range pages {
		file := filepath.Join(dir, fmt.Sprintf("%d.%s", i, p.Format))
		os.WriteFile(file, p.Image, 0o644)
		cmd := exec.Command("tesseract", file, "-", "-l", "vie+eng")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("tesseract: %v %s", err, out)
		}
	}
	return time.Since(start).Seconds()
}

// TestBenchCommandRefuses checks the wiring of `sohoa bench ocr`: what is not a run it can make is
// refused before any engine is loaded. (The bench itself is tested in internal/ocr/ocrbench.)
func TestBenchCommandRefuses(t *testing.T) {
	for _, args := range [][]string{
		nil,
		{"pdf"},
		{"ocr"},
		{"ocr", "-workers", "0", "testdata/scans"},
		{"ocr", "-runs", "0", "testdata/scans"},
		{"ocr", "-bogus", "testdata/scans"},
		{"ocr", "-strokes", filepath.Join(t.TempDir(), "missing")},
	} {
		if err := benchCommand(context.Background(), args); err == nil {
			t.Errorf("bench %q: no error", args)
		}
	}
}
