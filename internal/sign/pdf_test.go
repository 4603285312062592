package sign

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// testPDF builds a one-page PDF by hand, with a correct classic xref table,
// so tests depend on no PDF writer. imageBytes > 0 adds an uncompressed
// greyscale image of about that size, which is how scans look to the signer.
func testPDF(imageBytes int) []byte {
	content := "BT /F1 18 Tf 72 720 Td (Ban sao so hoa) Tj ET"
	resources := "/Font << /F1 4 0 R >>"
	var image string
	if imageBytes > 0 {
		side := 1
		for side*side < imageBytes {
			side++
		}
		content += " q 400 0 0 400 100 200 cm /Im1 Do Q"
		resources += " /XObject << /Im1 6 0 R >>"
		pix := make([]byte, side*side)
		for i := range pix {
			pix[i] = byte(i*7 + i/side)
		}
		image = fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 /Length %d >>\nstream\n%s\nendstream", side, side, len(pix), pix)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << " + resources + " >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
	}
	if image != "" {
		objs = append(objs, image)
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func needTool(t testing.TB, name string) {
	t.Helper()
	testenv.Need(t, name) // a missing verifier fails the test: skipping would hide it from CI
}

// pdfsig runs poppler's verifier; it exits non-zero when a signature is not
// valid, so the exit status is not treated as a test failure here.
func pdfsig(t *testing.T, path string) string {
	t.Helper()
	needTool(t, "pdfsig")
	out, _ := exec.Command("pdfsig", path).CombinedOutput()
	return string(out)
}

func qpdfCheck(t *testing.T, path string) {
	t.Helper()
	needTool(t, "qpdf")
	out, err := exec.Command("qpdf", "--check", path).CombinedOutput()
	if err != nil {
		t.Fatalf("qpdf --check %s: %v\n%s", path, err, out)
	}
	if !strings.Contains(string(out), "No syntax or stream encoding errors found") {
		t.Fatalf("qpdf --check %s:\n%s", path, out)
	}
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTestPDFIsValid(t *testing.T) {
	for _, n := range []int{0, 10000} {
		qpdfCheck(t, writeTemp(t, "in.pdf", testPDF(n)))
	}
}
