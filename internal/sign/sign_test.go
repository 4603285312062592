package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/sign/tsa"
)

const (
	testAgency = "Ủy ban nhân dân quận Lê Chân"
	testReason = "Chủ nghĩa (xã hội) – sao y bản chính"
	validLine  = "Signature Validation: Signature is Valid."
)

// devKeys makes development keys in a fresh dir and loads the agency signer and the root.
func devKeys(t testing.TB) (f Files, agency, root *Signer) {
	t.Helper()
	f, err := DevKeys(t.TempDir(), testAgency, false)
	if err != nil {
		t.Fatal(err)
	}
	if agency, err = LoadPEM(f.AgencyCert, f.AgencyKey); err != nil {
		t.Fatal(err)
	}
	if root, err = LoadPEM(f.RootCert, f.RootKey); err != nil {
		t.Fatal(err)
	}
	return f, agency, root
}

// devSigner returns the dev agency signer and the dev root from a fresh dir.
func devSigner(t testing.TB) (*Signer, *Signer) {
	t.Helper()
	_, s, root := devKeys(t)
	return s, root
}

// tsaServer is the development TSA of the keys in f.
func tsaServer(t testing.TB, f Files) *tsa.Server {
	t.Helper()
	key, err := LoadPEM(f.TSACert, f.TSAKey)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := tsa.New(key.Chain, key.Key)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// issuedSigner makes a leaf for key under the dev root and loads it back
// through LoadPEM from files written in the given key encoding.
func issuedSigner(t testing.TB, root *Signer, key crypto.Signer, keyPEM *pem.Block) *Signer {
	t.Helper()
	leaf, err := issue(&x509.Certificate{
		Subject:  devName(testAgency, testAgency),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}, devLeafValidity, key.Public(), root.Chain[0], root.Key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// Root first: LoadPEM must find the leaf by its key, not by position.
	certs := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Chain[0].Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})...)
	cf, kf := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := os.WriteFile(cf, certs, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kf, pem.EncodeToMemory(keyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadPEM(cf, kf)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sign(t testing.TB, s *Signer, in []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := s.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// assertSigned checks a signed file with poppler and qpdf, then flips a
// byte inside the signed range and checks poppler rejects it.
func assertSigned(t *testing.T, in, out []byte, wantSigs int) {
	t.Helper()
	if !bytes.HasPrefix(out, in) {
		t.Fatal("signed file does not begin with the input bytes (not an incremental update)")
	}
	path := writeTemp(t, "signed.pdf", out)
	report := pdfsig(t, path)
	if got := strings.Count(report, validLine); got != wantSigs {
		t.Fatalf("want %d valid signatures, pdfsig says %d:\n%s", wantSigs, got, report)
	}
	if !strings.Contains(report, "Signer Certificate Common Name: "+testAgency) {
		t.Errorf("pdfsig does not show the agency name:\n%s", report)
	}
	// Earlier signatures cover only their revision; the last must reach EOF.
	last := report[strings.LastIndex(report, "Signature #"):]
	if !strings.Contains(last, "Total document signed") {
		t.Errorf("last signature does not cover the whole file:\n%s", report)
	}
	qpdfCheck(t, path)

	// Inside the first range of the last signature, i.e. in the original
	// page content, which every signature covers.
	tampered := bytes.Clone(out)
	i := bytes.Index(tampered, []byte("Ban sao so hoa"))
	if i < 0 {
		t.Fatal("page text not found in the signed file")
	}
	tampered[i] = 'X'
	report = pdfsig(t, writeTemp(t, "tampered.pdf", tampered))
	if strings.Contains(report, validLine) {
		t.Fatalf("pdfsig still says valid after tampering:\n%s", report)
	}
}

func TestSignVietnameseAgency(t *testing.T) {
	agency, root := devSigner(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 4096)
	if err != nil {
		t.Fatal(err)
	}
	signers := map[string]*Signer{
		"RSA-2048 PKCS#8 (DevKeys)": agency,
		"ECDSA P-256 SEC1":          issuedSigner(t, root, ecKey, &pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}),
		"RSA-4096 PKCS#1":           issuedSigner(t, root, rsaKey, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}),
	}
	inputs := map[string][]byte{"xref table": testPDF(0), "xref stream": xrefStreamPDF(t)}
	for name, s := range signers {
		for kind, in := range inputs {
			t.Run(name+"/"+kind, func(t *testing.T) {
				s := *s
				s.Reason, s.Location = testReason, "Hải Phòng"
				out := sign(t, &s, in)
				assertSigned(t, in, out, 1)
				update := string(out[len(in):])
				for _, want := range []string{
					"/Name " + pdfText(testAgency),
					"/Reason " + pdfText(testReason),
					"/Location " + pdfText("Hải Phòng"),
					"/SubFilter /ETSI.CAdES.detached",
				} {
					if !strings.Contains(update, want) {
						t.Errorf("signature dictionary lacks %q", want)
					}
				}
			})
		}
	}
}

// A second signature must leave the first valid: this is why Sign uses
// approval rather than certification signatures.
func TestSignTwice(t *testing.T) {
	s, _ := devSigner(t)
	in := testPDF(0)
	once := sign(t, s, in)
	twice := sign(t, s, once)
	assertSigned(t, once, twice, 2)
}

// Big RSA keys on an already signed document: the room reserved for the
// CMS follows the key size, with or without a TSA.
func TestSignBigRSAOnSignedDocument(t *testing.T) {
	s, root := devSigner(t)
	key, err := rsa.GenerateKey(rand.Reader, 3072)
	if err != nil {
		t.Fatal(err)
	}
	big := issuedSigner(t, root, key, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	once := sign(t, s, testPDF(0))
	assertSigned(t, once, sign(t, big, once), 2)
	srv, _ := devTSA(t, nil)
	big.TSA = &tsa.Client{URL: srv.URL}
	assertSigned(t, once, sign(t, big, once), 2)
}

func xrefStreamPDF(t testing.TB) []byte {
	t.Helper()
	needTool(t, "qpdf")
	src := writeTemp(t, "plain.pdf", testPDF(0))
	dst := filepath.Join(t.TempDir(), "objstm.pdf")
	if out, err := exec.Command("qpdf", "--object-streams=generate", "--compress-streams=n", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("qpdf: %v\n%s", err, out)
	}
	b, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("/XRef")) {
		t.Fatal("qpdf did not write an xref stream")
	}
	return b
}

// "startxref wrong" makes digitorus/pdf panic today; Sign must return that
// as an error like any other.
func TestSignRejectsBadInput(t *testing.T) {
	s, _ := devSigner(t)
	good := testPDF(0)
	for name, in := range map[string][]byte{
		"not a PDF":       []byte("hello, world"),
		"header only":     []byte("%PDF-1.7\n%%EOF\n"),
		"truncated":       good[:len(good)/2],
		"garbage xref":    bytes.Replace(good, []byte("xref\n0 6"), []byte("xref\n0 99"), 1),
		"broken trailer":  bytes.Replace(good, []byte("/Root 1 0 R"), []byte("/Root 9 0 R"), 1),
		"startxref wrong": bytes.Replace(good, []byte("startxref\n"), []byte("startxref\n1"), 1),
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			err := s.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out)
			if err == nil {
				t.Fatal("malformed input signed without error")
			}
			if out.Len() != 0 {
				t.Errorf("wrote %d bytes despite error %v", out.Len(), err)
			}
		})
	}
}

func TestSignChecksKey(t *testing.T) {
	s, root := devSigner(t)
	other := *s
	other.Key = root.Key
	in := testPDF(0)
	if err := other.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), io.Discard); err == nil {
		t.Fatal("signing with a key that does not match the certificate succeeded")
	}
	if err := (&Signer{}).Sign(context.Background(), bytes.NewReader(in), int64(len(in)), io.Discard); err == nil {
		t.Fatal("signing without key succeeded")
	}
}

// devTSA is the in-process RFC 3161 server backed by the dev TSA
// certificate; a non-nil block makes it hang until block is closed.
// It returns the server and the TSA certificate.
func devTSA(t testing.TB, block <-chan struct{}) (*httptest.Server, *x509.Certificate) {
	t.Helper()
	f, err := DevKeys(t.TempDir(), testAgency, false)
	if err != nil {
		t.Fatal(err)
	}
	return devTSAFrom(t, f, block)
}

// devKit is the agency signer, the root and a TSA all from one DevKeys
// directory, so that the TSA chains to the same root as the agency.
func devKit(t testing.TB) (s, root *Signer, tsaURL string) {
	t.Helper()
	f, s, root := devKeys(t)
	srv, _ := devTSAFrom(t, f, nil)
	return s, root, srv.URL
}

func devTSAFrom(t testing.TB, f Files, block <-chan struct{}) (*httptest.Server, *x509.Certificate) {
	t.Helper()
	srv := tsaServer(t, f)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if block != nil {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	return hs, srv.Chain[0]
}

func TestSignWithTSA(t *testing.T) {
	s, _ := devSigner(t)
	srv, tsaCert := devTSA(t, nil)
	s.TSA = &tsa.Client{URL: srv.URL}
	in := testPDF(0)
	out := sign(t, s, in)
	assertSigned(t, in, out, 1)
	// pdfsign hex-encodes /Contents in lower case; the token carries the
	// TSA certificate, so finding it proves the timestamp was embedded.
	if !bytes.Contains(out, []byte(hex.EncodeToString(tsaCert.Raw))) {
		t.Error("timestamp token (with the TSA certificate) not found in the signature")
	}
}

func TestSignContextTimeout(t *testing.T) {
	s, _ := devSigner(t)
	release := make(chan struct{})
	srv, _ := devTSA(t, release)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	s.TSA = &tsa.Client{URL: srv.URL}
	in := testPDF(0)

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var out bytes.Buffer
	start := time.Now()
	err := s.Sign(ctx, bytes.NewReader(in), int64(len(in)), &out)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	// A guard against hanging on the TSA, not a speed goal: the bound is generous.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Sign took %v to notice the deadline", d)
	}
	if out.Len() != 0 {
		t.Error("output written after cancellation")
	}

	cancelled, stop := context.WithCancel(context.Background())
	stop()
	if err := s.Sign(cancelled, bytes.NewReader(in), int64(len(in)), &out); !errors.Is(err, context.Canceled) {
		t.Fatalf("want canceled, got %v", err)
	}
}

func BenchmarkSign(b *testing.B) {
	s, _ := devSigner(b)
	benchSign(b, s, nil)
}

// benchSign signs a 2 MB PDF with s over and over, calling then, if not nil, with the input and
// the signed file.
func benchSign(b *testing.B, s *Signer, then func(in, out []byte) error) {
	in := testPDF(2 << 20)
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	var out bytes.Buffer
	w := io.Writer(io.Discard) // as before then existed, so that figures compare
	if then != nil {
		w = &out
	}
	for b.Loop() {
		out.Reset()
		if err := s.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), w); err != nil {
			b.Fatal(err)
		}
		if then != nil {
			if err := then(in, out.Bytes()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// The repository's sample scans are what production will sign.
func TestSignRepositorySamples(t *testing.T) {
	scan, err := os.ReadFile("../../testdata/scans/ke-hoach.pdf")
	if err != nil {
		t.Fatalf("sample scan not available: %v", err)
	}
	s, _ := devSigner(t)
	out := sign(t, s, scan)
	if !bytes.HasPrefix(out, scan) {
		t.Fatal("not an incremental update")
	}
	path := writeTemp(t, "ke-hoach-signed.pdf", out)
	if report := pdfsig(t, path); !strings.Contains(report, validLine) || !strings.Contains(report, "Total document signed") {
		t.Fatalf("pdfsig:\n%s", report)
	}
	if !testing.Short() {
		qpdfCheck(t, path) // seconds: it decodes every image
	}

	// digitorus/pdf spends seconds scanning truncated.pdf before giving
	// up; the deadline shows a caller is not held hostage by that.
	for _, name := range []string{"garbage.pdf", "truncated.pdf"} {
		in, err := os.ReadFile("../../testdata/bad/" + name)
		if err != nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		start := time.Now()
		err = s.Sign(ctx, bytes.NewReader(in), int64(len(in)), io.Discard)
		cancel()
		if err == nil {
			t.Errorf("%s: signed without error", name)
		}
		if d := time.Since(start); d > 30*time.Second { // a hang guard, not a speed goal
			t.Errorf("%s: took %v despite a 1s deadline", name, d)
		}
	}
}
