package scan

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
)

// The generated files of testdata/bad come from scantest; this keeps the committed copies honest,
// and `go test ./internal/scan -run TestBadFilesUpToDate -write-bad` rewrites them.
var writeBad = flag.Bool("write-bad", false, "rewrite the generated files of testdata/bad")

func TestBadFilesUpToDate(t *testing.T) {
	for name, gen := range scantest.Generated {
		want := gen()
		path := filepath.Join(bad, name)
		if *writeBad {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from what scantest makes (%v); run with -write-bad", path, err)
		}
	}
}
