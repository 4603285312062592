package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/sign/cms"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// init runs sohoa's own main in a child process of the test binary when SOHOA_TEST_MAIN is set
// (arguments in SOHOA_TEST_ARGS), so that a test sees the real command's exit status and messages.
func init() {
	if os.Getenv("SOHOA_TEST_MAIN") != "1" {
		return
	}
	os.Args = append(os.Args[:1], strings.Fields(os.Getenv("SOHOA_TEST_ARGS"))...)
	main()
	os.Exit(0)
}

// runSohoa runs `sohoa args…` with env (NAME=value) added to a clean environment and returns its
// exit status and what it wrote to stderr.
func runSohoa(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append([]string{"SOHOA_TEST_MAIN=1", "SOHOA_TEST_ARGS=" + strings.Join(args, " "),
		"OMP_THREAD_LIMIT=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stderr.String()
	}
	t.Fatalf("run sohoa %v: %v", args, err)
	return 0, ""
}

// agencyCert issues, under the development root of keyDir, an agency certificate valid from
// from to to, and writes it (with the root) and its key into dir. It returns the two files and
// the root's.
func agencyCert(t *testing.T, keyDir, cn string, from, to time.Time) (cert, key, root string) {
	t.Helper()
	files, err := sign.DevKeys(keyDir, cn, false)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := sign.LoadPEM(files.RootCert, files.RootKey)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{Country: []string{"VN"}, Organization: []string{cn}, CommonName: cn},
		NotBefore:    from, NotAfter: to,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection},
	}, ca.Chain[0], k.Public(), ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "agency.pem"), filepath.Join(dir, "agency-key.pem")
	chain := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Chain[0].Raw})...)
	if err := os.WriteFile(cert, chain, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key, files.RootCert
}

// An expired agency certificate stops `sohoa all` before it connects to anything (the database
// and object store named here do not exist), with a message naming the certificate and its dates.
func TestExpiredCertificateRefusesToStart(t *testing.T) {
	const cn = "Ủy ban nhân dân phường Bến Thành (kiểm thử)"
	from := time.Now().Add(-400 * 24 * time.Hour).Truncate(time.Minute)
	to := time.Now().Add(-2 * 24 * time.Hour).Truncate(time.Minute)
	cert, key, root := agencyCert(t, t.TempDir(), cn, from, to)
	status, stderr := runSohoa(t, []string{
		"SOHOA_SIGN_CERT=" + cert, "SOHOA_SIGN_KEY=" + key, "SOHOA_TRUST_ROOTS=" + root,
		"SOHOA_DATA_DIR=" + t.TempDir(),
		"SOHOA_DATABASE_URL=postgres://nobody@127.0.0.1:1/none", "SOHOA_S3_ENDPOINT=127.0.0.1:1",
	}, "all")
	t.Logf("exit status %d:\n%s", status, stderr)
	if status != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", status, stderr)
	}
	ict := time.FixedZone("ICT", 7*3600)
	for _, want := range []string{
		"certificate_expired", "đã hết hạn", "expired", cn,
		from.In(ict).Format("2006-01-02 15:04"), to.In(ict).Format("2006-01-02 15:04"),
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("message lacks %q:\n%s", want, stderr)
		}
	}
	for _, never := range []string{"postgres", "connection refused", "127.0.0.1:1"} {
		if strings.Contains(stderr, never) {
			t.Errorf("sohoa went on to connect (%q) instead of stopping at the certificate:\n%s", never, stderr)
		}
	}
}

// A certificate ending within 30 days is used, with a warning at every start.
func TestCertificateExpiringSoonWarns(t *testing.T) {
	cert, key, root := agencyCert(t, t.TempDir(), "Sở Tư pháp (kiểm thử)", time.Now().Add(-24*time.Hour), time.Now().Add(12*24*time.Hour))
	env := map[string]string{"SOHOA_SIGN_CERT": cert, "SOHOA_SIGN_KEY": key, "SOHOA_TRUST_ROOTS": root, "SOHOA_DATA_DIR": t.TempDir()}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	s, _, err := loadKeys(cfg, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if s.TSA == nil {
		t.Error("no timestamper: development without SOHOA_TSA_URL must use the development TSA")
	}
	for _, want := range []string{"còn 12 ngày", "in 12 days", "TIMESTAMPING WITH THE DEVELOPMENT TSA"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("start log lacks %q:\n%s", want, logged.String())
		}
	}
}

// Default `sohoa all` (development, no SOHOA_TSA_URL) timestamps every signature with the
// development TSA. Checked with OpenSSL, not sohoa's verifier: the CMS has the RFC 3161 token as
// its unsigned attribute, the token prints a time, and it verifies over the signature value up to
// the development root.
func TestDefaultSignatureCarriesTimestamp(t *testing.T) {
	testenv.Need(t, "openssl")
	sys := startSystem(t, "SOHOA_TSA_URL", "")
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	code, body := sys.upload(t, "khai-sinh.png", data)
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	d := sys.wait(t, decode[api.Document](t, body).ID, 5*time.Minute)
	if d.Status != "done" {
		t.Fatalf("document %s: %s", d.Status, d.Error)
	}
	_, signed := sys.get(t, "/api/v1/documents/"+d.ID+"/file")

	dir := t.TempDir()
	der := lastSignatureContents(t, signed)
	sigFile := filepath.Join(dir, "sig.der")
	os.WriteFile(sigFile, der, 0o644)
	printed := testenv.Run(t, "openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", sigFile)
	_, unsignedAttrs, found := strings.Cut(printed, "unsignedAttrs:")
	if !found || !strings.Contains(unsignedAttrs, "object: id-smime-aa-timeStampToken (1.2.840.113549.1.9.16.2.14)") {
		t.Fatalf("no id-smime-aa-timeStampToken (1.2.840.113549.1.9.16.2.14) among the unsigned attributes:\n%s", printed)
	}

	// The token and the signature value it stamps, taken out of the CMS for OpenSSL to judge.
	sig, err := cms.Parse(der)
	if err != nil || sig.TimestampToken == nil {
		t.Fatalf("parse the CMS: %v, token %d bytes", err, len(sig.TimestampToken))
	}
	tokenFile, valueFile := filepath.Join(dir, "token.der"), filepath.Join(dir, "signature-value")
	os.WriteFile(tokenFile, sig.TimestampToken, 0o644)
	os.WriteFile(valueFile, sig.Value, 0o644)
	text := testenv.Run(t, "openssl", "ts", "-reply", "-in", tokenFile, "-token_in", "-text")
	m := regexp.MustCompile(`Time stamp: (.+ GMT)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("openssl prints no time stamp:\n%s", text)
	}
	at, err := time.Parse("Jan _2 15:04:05 2006 MST", m[1])
	if err != nil {
		t.Fatalf("time stamp %q: %v", m[1], err)
	}
	if d := time.Since(at); d < -time.Minute || d > time.Hour {
		t.Errorf("time stamp %v is not the signing's (now %v)", at, time.Now())
	}
	if !strings.Contains(text, "sohoa development TSA") {
		t.Errorf("token not by the development TSA:\n%s", text)
	}
	root := filepath.Join(sys.app.cfg.DevKeyDir(), "dev-root.pem")
	verified := testenv.Run(t, "openssl", "ts", "-verify", "-in", tokenFile, "-token_in", "-data", valueFile, "-CAfile", root)
	if !strings.Contains(verified, "Verification: OK") {
		t.Errorf("openssl ts -verify:\n%s", verified)
	}
	t.Logf("openssl: time stamp %s, %s", m[1], strings.TrimSpace(verified))
}

// lastSignatureContents returns the DER in /Contents of the file's last signature, found from
// its /ByteRange (the gap between the two signed ranges), without the zero padding.
func lastSignatureContents(t *testing.T, pdf []byte) []byte {
	t.Helper()
	all := regexp.MustCompile(`/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]`).FindAllSubmatch(pdf, -1)
	if len(all) == 0 {
		t.Fatal("no /ByteRange in the signed file")
	}
	last := all[len(all)-1]
	var br [4]int
	for i := range br {
		br[i], _ = strconv.Atoi(string(last[i+1]))
	}
	if br[2]+br[3] != len(pdf) || br[1] >= br[2] {
		t.Fatalf("/ByteRange %v does not cover the %d-byte file", br, len(pdf))
	}
	hole := bytes.TrimSpace(pdf[br[1]:br[2]])
	raw, err := hex.DecodeString(string(bytes.Trim(hole, "<>")))
	if err != nil {
		t.Fatalf("/Contents is not hex: %v", err)
	}
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &v); err != nil {
		t.Fatalf("/Contents is not DER: %v", err)
	}
	return v.FullBytes
}
