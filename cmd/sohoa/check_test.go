package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

func TestCheckCommand(t *testing.T) {
	var out bytes.Buffer
	if err := checkFiles(&out, []string{"pdfa", "-h"}); err != nil || !strings.Contains(out.String(), "6.6.4") {
		t.Errorf("check pdfa -h: %v\n%s", err, out.String())
	}
	out.Reset()
	// A scanner's PDF is not PDF/A: the command says which rules break, and fails.
	scanner := filepath.Join(testenv.Samples(t), "scans", "ke-hoach.pdf")
	err := checkFiles(&out, []string{"pdfa", scanner})
	if err == nil || !strings.Contains(out.String(), "6.6.4") || !strings.Contains(out.String(), "6.2.3") {
		t.Errorf("check pdfa on a plain PDF: %v\n%s", err, out.String())
	}
	if err := checkFiles(&out, []string{"pdfb", scanner}); err == nil {
		t.Error("check accepted an unknown standard")
	}
}
