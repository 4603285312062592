package sign

import (
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ThalesIgnite/crypto11"

	"github.com/sohoa-vn/sohoa/internal/sign/tsa"
)

const softHSMModule = "/usr/lib/softhsm/libsofthsm2.so"

// softHSM makes a fresh SoftHSM2 token in a temporary directory and points
// SOFTHSM2_CONF at it for the rest of the test.
func softHSM(t *testing.T, label, pin string) {
	t.Helper()
	needTool(t, "softhsm2-util")
	if _, err := os.Stat(softHSMModule); err != nil {
		t.Fatalf("SoftHSM module missing (apt-get install softhsm2): %v", err)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.MkdirAll(filepath.Join(dir, "tokens"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, fmt.Appendf(nil, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "5678", "--pin", pin).CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v\n%s", err, out)
	}
}

// Keys generated on the token, certified by the dev root, sign through
// PKCS11; poppler and our verifier accept the result.
func TestSignPKCS11SoftHSM(t *testing.T) {
	const token, pin = "sohoa-test", "1234"
	softHSM(t, token, pin)
	_, root, tsaURL := devKit(t)

	ctx, err := crypto11.Configure(&crypto11.Config{Path: softHSMModule, TokenLabel: token, Pin: pin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ctx.GenerateRSAKeyPairWithLabel([]byte{1}, []byte("agency-rsa"), 2048); err != nil {
		t.Fatal(err)
	}
	if _, err := ctx.GenerateECDSAKeyPairWithLabel([]byte{2}, []byte("agency-ec"), elliptic.P256()); err != nil {
		t.Fatal(err)
	}
	ctx.Close()

	for _, label := range []string{"agency-rsa", "agency-ec"} {
		t.Run(label, func(t *testing.T) {
			key, closer, err := PKCS11(softHSMModule, token, pin, label)
			if err != nil {
				t.Fatal(err)
			}
			defer closer.Close()
			s := &Signer{Key: key, Chain: tokenChain(t, root, key), TSA: &tsa.Client{URL: tsaURL}, Block: &Block{}}
			out := sign(t, s, testPDF(0))
			assertBothValid(t, out, rootPool(root), 1, true)
		})
	}
	if _, _, err := PKCS11(softHSMModule, token, pin, "no-such-key"); err == nil {
		t.Error("a missing key label was accepted")
	}
	if _, _, err := PKCS11(softHSMModule, token, "0000", "agency-rsa"); err == nil {
		t.Error("a wrong PIN was accepted")
	}
}

func tokenChain(t *testing.T, root *Signer, key crypto.Signer) []*x509.Certificate {
	t.Helper()
	leaf, err := issue(&x509.Certificate{
		Subject:  devName(testAgency, testAgency),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, devLeafValidity, key.Public(), root.Chain[0], root.Key)
	if err != nil {
		t.Fatal(err)
	}
	return []*x509.Certificate{leaf, root.Chain[0]}
}
