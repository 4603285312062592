package sign

import (
	"bytes"
	"context"
	"crypto/x509"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/sign/tsa"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
)

// fixedClock is the signing time the regulation's example uses.
func fixedClock() time.Time { return time.Date(2026, 11, 27, 9, 20, 0, 0, time.UTC) }

func rootPool(root *Signer) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(root.Chain[0])
	return p
}

func ourVerify(t *testing.T, pdf []byte, roots *x509.CertPool) *verify.Report {
	t.Helper()
	rep, err := verify.File(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), roots)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// assertBothValid checks that poppler and our verifier agree the file's
// signatures are valid, and that ours sees a timestamp when want.
func assertBothValid(t *testing.T, pdf []byte, roots *x509.CertPool, sigs int, timestamped bool) *verify.Report {
	t.Helper()
	report := pdfsig(t, writeTemp(t, "signed.pdf", pdf))
	if got := strings.Count(report, validLine); got != sigs {
		t.Fatalf("pdfsig: want %d valid signatures, got %d:\n%s", sigs, got, report)
	}
	rep := ourVerify(t, pdf, roots)
	if err := rep.Err(); err != nil {
		t.Fatalf("our verifier: %v", err)
	}
	if len(rep.Signatures) != sigs {
		t.Fatalf("our verifier found %d signatures, want %d", len(rep.Signatures), sigs)
	}
	last := rep.Signatures[sigs-1]
	if timestamped && (last.Timestamp == nil || !last.Timestamp.Valid) {
		t.Errorf("no valid timestamp reported: %+v", last)
	}
	if last.Signer != testAgency {
		t.Errorf("signer %q, want %q", last.Signer, testAgency)
	}
	return rep
}

func TestPAdESBTWithBlockVerifies(t *testing.T) {
	s, root, tsaURL := devKit(t)
	s.TSA, s.Block = &tsa.Client{URL: tsaURL}, &Block{}
	s.Reason = testReason
	in := testPDF(0)
	out := sign(t, s, in)
	roots := rootPool(root)
	rep := assertBothValid(t, out, roots, 1, true)
	sig := rep.Signatures[0]
	if sig.SubFilter != "ETSI.CAdES.detached" || !sig.CoversWholeFile || rep.ModifiedAfterSigning {
		t.Errorf("report: %+v", rep)
	}
	if sig.Reason != testReason {
		t.Errorf("reason %q, want %q (UTF-16 round trip)", sig.Reason, testReason)
	}
	if d := sig.Timestamp.Time.Sub(time.Now()); d > time.Minute || d < -time.Minute {
		t.Errorf("timestamp time %v is not now", sig.Timestamp.Time)
	}
	qpdfCheck(t, writeTemp(t, "signed.pdf", out))

	// Untrusted roots: the signature is intact but the chain fails.
	other, _ := devSigner(t)
	if rep := ourVerify(t, out, rootPool(other)); rep.Valid || rep.Signatures[0].Chain.OK || !rep.Signatures[0].Integrity.OK {
		t.Errorf("foreign root accepted or integrity misreported: %+v", rep.Signatures[0])
	}

	// One byte flipped inside the signed range: both verifiers reject.
	tampered := bytes.Clone(out)
	i := bytes.Index(tampered, []byte("Ban sao so hoa"))
	tampered[i] = 'X'
	if r := pdfsig(t, writeTemp(t, "tampered.pdf", tampered)); strings.Contains(r, validLine) {
		t.Fatalf("pdfsig accepts a tampered file:\n%s", r)
	}
	if rep := ourVerify(t, tampered, roots); rep.Valid || rep.Signatures[0].Integrity.OK {
		t.Fatalf("our verifier accepts a tampered file: %+v", rep.Signatures[0])
	}

	// Bytes appended after signing: the ranges still verify, the file not.
	appended := append(bytes.Clone(out), []byte("\n% appended after signing\n")...)
	rep = ourVerify(t, appended, roots)
	if !rep.ModifiedAfterSigning || rep.Valid || rep.Err() == nil || !strings.Contains(rep.Err().Error(), "modified after signing") {
		t.Fatalf("appended bytes not reported: %+v", rep)
	}

	for name, pdf := range map[string][]byte{"signed": out, "unsigned": in} {
		got, err := verify.HasSignature(bytes.NewReader(pdf), int64(len(pdf)))
		if err != nil || got != (name == "signed") {
			t.Errorf("HasSignature(%s) = %v, %v", name, got, err)
		}
	}
}

// A second agency signs on top: both signatures stay valid, the block of
// the second goes below the first's (it avoids it when told).
func TestSignOnTopOfSigned(t *testing.T) {
	s, root, tsaURL := devKit(t)
	s.TSA, s.Block = &tsa.Client{URL: tsaURL}, &Block{}
	once := sign(t, s, xrefStreamPDF(t))
	twice := sign(t, s, once)
	rep := assertBothValid(t, twice, rootPool(root), 2, true)
	if rep.Signatures[0].CoversWholeFile || !rep.Signatures[1].CoversWholeFile {
		t.Errorf("coverage: %+v", rep.Signatures)
	}
	qpdfCheck(t, writeTemp(t, "twice.pdf", twice))
}

var wordRE = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)

// The block is rendered on page 1 at the top right, its text extractable.
func TestBlockTopRight(t *testing.T) {
	needTool(t, "pdftoppm")
	needTool(t, "pdftotext")
	s, _ := devSigner(t)
	// The page's own title sits where the block would go first.
	s.Block, s.Clock = &Block{Avoid: []Rect{{400, 790, 595, 842}}}, fixedClock
	out := sign(t, s, testPDF(0))
	path := writeTemp(t, "block.pdf", out)

	png := filepath.Join(t.TempDir(), "page")
	if b, err := exec.Command("pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", path, png).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, b)
	}
	b, err := exec.Command("pdftotext", "-bbox", "-f", "1", "-l", "1", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, b)
	}
	words := map[string][4]float64{}
	for _, m := range wordRE.FindAllStringSubmatch(string(b), -1) {
		var box [4]float64
		for i := range box {
			box[i], _ = strconv.ParseFloat(m[i+1], 64)
		}
		words[m[5]] = box
	}
	const pageW, pageH = 595.0, 842.0
	for _, w := range []string{"BẢN", "SAO", "ĐIỆN", "TỬ", "Ủy", "quận", "Chân", "2026-11-27T16:20:00+07:00"} {
		box, ok := words[w]
		if !ok {
			t.Errorf("%q not found on page 1:\n%s", w, b)
			continue
		}
		// pdftotext's y grows downwards from the top.
		if box[0] < pageW/2 || box[3] > pageH/4 {
			t.Errorf("%q at %v, not in the top right quarter", w, box)
		}
		if box[1] < 842-790 {
			t.Errorf("%q at %v covers the region it was told to avoid", w, box)
		}
		if h := box[3] - box[1]; h < 9 || h > 13 {
			t.Errorf("%q is %.1f pt high, want size 10", w, h)
		}
	}
}

// BenchmarkSignTSA signs with the visible block and a timestamp from the
// in-process TSA (a loopback HTTP round trip and a P-256 token per file).
func BenchmarkSignTSA(b *testing.B) {
	s, _, tsaURL := devKit(b)
	s.TSA, s.Block = &tsa.Client{URL: tsaURL}, &Block{}
	benchSign(b, s, nil)
}
