package pdfa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/revocation"
	"github.com/digitorus/pdfsign/sign"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestSignIncrementally checks the hand-off to the signing step: pdfsign
// must be able to parse the archive PDF and append its signature as an
// incremental update that other tools still accept.
func TestSignIncrementally(t *testing.T) {
	in := buildFile(t, testPages(t), testMeta())

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sohoa test signer"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}

	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := pdf.NewReader(f, st.Size())
	if err != nil {
		t.Fatalf("digitorus/pdf cannot read the archive PDF: %v", err)
	}
	signed := filepath.Join(t.TempDir(), "signed.pdf")
	out, err := os.Create(signed)
	if err != nil {
		t.Fatal(err)
	}
	err = sign.Sign(f, out, rdr, st.Size(), sign.SignData{
		Signature: sign.SignDataSignature{
			CertType:   sign.ApprovalSignature,
			DocMDPPerm: sign.AllowFillingExistingFormFieldsAndSignaturesPerms,
			Info:       sign.SignDataSignatureInfo{Name: "sohoa", Date: time.Now()},
		},
		Signer:      key,
		Certificate: cert,
		RevocationFunction: func(*x509.Certificate, *x509.Certificate, *revocation.InfoArchival) error {
			return nil
		},
	})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("pdfsign: %v", err)
	}

	testenv.Run(t, "qpdf", "--check", signed)
	signedBytes, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(signedBytes); err != nil {
		t.Errorf("signed file: %v", err)
	}
	verapdf(t, signed)
	sig := testenv.Run(t, "pdfsig", signed)
	if !strings.Contains(sig, "Signature #1") || !strings.Contains(sig, "Signature is Valid") {
		t.Errorf("pdfsig:\n%s", sig)
	}
	text := testenv.Run(t, "pdftotext", "-f", "1", "-l", "1", signed, "-")
	if !strings.Contains(text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") {
		t.Errorf("text layer lost after signing:\n%s", text)
	}
}
