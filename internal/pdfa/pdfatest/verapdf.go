package pdfatest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// VeraEnv names the veraPDF command the PDF/A tests cross-check against.
// veraPDF is not packaged for Debian, npm or Go and comes only from Maven
// Central or its own site, which this project's machines cannot reach, so
// the cross-check is opt-in: set SOHOA_TEST_VERAPDF=verapdf (or a path) on
// a machine that has it, and every built and signed file is run through it.
const VeraEnv = "SOHOA_TEST_VERAPDF"

// VeraPDF validates path as PDF/A-2u with veraPDF when VeraEnv asks for
// it, failing the test if the file does not pass or the named command is
// missing. Without VeraEnv it does nothing: pdfa.Check is then the
// validator (README, "PDF/A and signatures").
func VeraPDF(t testing.TB, path string) {
	t.Helper()
	cmd := os.Getenv(VeraEnv)
	if cmd == "" {
		return
	}
	if _, err := exec.LookPath(cmd); err != nil {
		t.Fatalf("%s=%s but it is not installed: %v", VeraEnv, cmd, err)
	}
	out, err := exec.Command(cmd, "--flavour", "2u", "--format", "text", path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Errorf("verapdf %s: %v\n%s", path, err, out)
	}
}
