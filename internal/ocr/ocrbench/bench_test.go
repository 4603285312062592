package ocrbench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/ocr/scribble"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

func TestMain(m *testing.M) {
	testenv.SingleThreadedTesseract()
	os.Exit(m.Run())
}

// TestCompareWithStrokes runs the bench on the shortest sample page and its
// marked copies and checks that every page gets both CERs and the summary
// both speeds.
func TestCompareWithStrokes(t *testing.T) {
	testenv.Need(t, "tesseract")
	dir := t.TempDir()
	src := filepath.Join(testenv.RepoRoot(t), "testdata", "scans")
	for _, f := range []string{"ke-hoach.tiff", "ke-hoach.gt.txt"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	err := Run(context.Background(), Config{Dirs: []string{dir}, Workers: 2, Runs: 1, Langs: []string{"vie"}, Strokes: true, Out: &out})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	row := regexp.MustCompile(`(?m)^(ke-hoach\.tiff p[12](?: [a-z-]+)?) +(\d+\.\d\d)% +(\d+\.\d\d)% +[+-]\d+\.\d\d `)
	rows := row.FindAllStringSubmatch(out.String(), -1)
	pages := map[string]bool{}
	for _, r := range rows {
		pages[r[1]] = true
	}
	for _, p := range []string{"p1", "p2"} {
		want := []string{"ke-hoach.tiff " + p}
		for _, v := range scribble.Variants() {
			want = append(want, "ke-hoach.tiff "+p+" "+v.Name)
		}
		for _, w := range want {
			if !pages[w] {
				t.Errorf("no row with both CERs for %q", w)
			}
		}
	}
	for _, line := range []string{"pages/min", "tesseract -l vie (2 at once)", "ratio sohoa/tesseract wall time"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("summary lacks %q", line)
		}
	}
}

func TestConfigRefused(t *testing.T) {
	for _, c := range []Config{{}, {Dirs: []string{"x"}, Workers: 0, Runs: 1, Out: &bytes.Buffer{}}, {Dirs: []string{"x"}, Workers: 1, Runs: 1}} {
		if err := Run(context.Background(), c); err == nil {
			t.Errorf("no error for %+v", c)
		}
	}
}
