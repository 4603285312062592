package sign

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
)

func readAll(t *testing.T, f Files) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, p := range []string{f.RootCert, f.RootKey, f.AgencyCert, f.AgencyKey, f.TSACert, f.TSAKey} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m[filepath.Base(p)] = b
	}
	return m
}

func TestDevKeysIdempotent(t *testing.T) {
	dir := t.TempDir()
	f, err := DevKeys(dir, testAgency, false)
	if err != nil {
		t.Fatal(err)
	}
	first := readAll(t, f)
	if len(first) != 6 {
		t.Fatalf("want 6 files, got %d", len(first))
	}
	if _, err := DevKeys(dir, testAgency, false); err != nil {
		t.Fatal(err)
	}
	for name, b := range readAll(t, f) {
		if !bytes.Equal(b, first[name]) {
			t.Errorf("%s changed on a second run without force", name)
		}
	}

	// A missing pair is recreated under the existing root.
	if err := os.Remove(f.TSACert); err != nil {
		t.Fatal(err)
	}
	if _, err := DevKeys(dir, testAgency, false); err == nil {
		t.Error("half a pair (key without certificate) did not fail")
	}
	if err := os.Remove(f.TSAKey); err != nil {
		t.Fatal(err)
	}
	if _, err := DevKeys(dir, testAgency, false); err != nil {
		t.Fatal(err)
	}
	again := readAll(t, f)
	if !bytes.Equal(again["dev-root.pem"], first["dev-root.pem"]) || !bytes.Equal(again["agency.pem"], first["agency.pem"]) {
		t.Error("recreating the TSA pair touched other files")
	}
	tsa, err := LoadPEM(f.TSACert, f.TSAKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(tsa.Chain) != 2 || !bytes.Equal(tsa.Chain[1].Raw, readRoot(t, f).Raw) {
		t.Error("recreated TSA certificate is not issued by the existing root")
	}

	if _, err := DevKeys(dir, testAgency, true); err != nil {
		t.Fatal(err)
	}
	for name, b := range readAll(t, f) {
		if bytes.Equal(b, first[name]) {
			t.Errorf("%s unchanged despite force", name)
		}
	}
}

func readRoot(t *testing.T, f Files) *x509.Certificate {
	t.Helper()
	s, err := LoadPEM(f.RootCert, f.RootKey)
	if err != nil {
		t.Fatal(err)
	}
	return s.Chain[0]
}

func TestDevKeysCertificates(t *testing.T) {
	f, err := DevKeys(filepath.Join(t.TempDir(), "new", "dir"), testAgency, false)
	if err != nil {
		t.Fatal(err)
	}
	agency, err := LoadPEM(f.AgencyCert, f.AgencyKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf := agency.Chain[0]
	if leaf.Subject.CommonName != testAgency || len(leaf.Subject.Organization) != 1 || leaf.Subject.Organization[0] != testAgency {
		t.Errorf("agency subject = %v, want CN and O %q", leaf.Subject, testAgency)
	}
	if agency.Name != testAgency {
		t.Errorf("LoadPEM Name = %q, want the subject CN", agency.Name)
	}
	roots := x509.NewCertPool()
	roots.AddCert(readRoot(t, f))
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}); err != nil {
		t.Errorf("agency certificate does not chain to the dev root: %v", err)
	}

	tsa, err := LoadPEM(f.TSACert, f.TSAKey)
	if err != nil {
		t.Fatal(err)
	}
	if eku := tsa.Chain[0].ExtKeyUsage; len(eku) != 1 || eku[0] != x509.ExtKeyUsageTimeStamping {
		t.Errorf("TSA EKU = %v, want only timeStamping", eku)
	}
	for _, e := range tsa.Chain[0].Extensions {
		if e.Id.String() == "2.5.29.37" && !e.Critical {
			t.Error("TSA EKU extension is not critical (RFC 3161 §2.3)")
		}
	}
	if _, err := tsa.Chain[0].Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		t.Errorf("TSA certificate does not verify for timeStamping: %v", err)
	}

	if fi, err := os.Stat(f.AgencyKey); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("agency key permissions: %v %v", fi.Mode(), err)
	}
}

func TestIsDevelopment(t *testing.T) {
	s, root := devSigner(t)
	if !IsDevelopment(s.Chain) {
		t.Error("dev chain not recognised")
	}
	if !IsDevelopment(s.Chain[:1]) {
		t.Error("dev leaf without its root not recognised")
	}
	if !IsDevelopment(root.Chain) {
		t.Error("dev root not recognised")
	}

	// A look-alike production chain: same agency name, different root.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name := devName("Root CA", "Bộ Thông tin và Truyền thông")
	name.OrganizationalUnit = nil
	prodRoot, err := issue(&x509.Certificate{Subject: name, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, devRootValidity, key.Public(), nil, key)
	if err != nil {
		t.Fatal(err)
	}
	leafName := name
	leafName.CommonName = testAgency
	prodLeaf, err := issue(&x509.Certificate{Subject: leafName}, devLeafValidity, key.Public(), prodRoot, key)
	if err != nil {
		t.Fatal(err)
	}
	if IsDevelopment([]*x509.Certificate{prodLeaf, prodRoot}) {
		t.Error("production chain reported as development")
	}
	if IsDevelopment(nil) {
		t.Error("empty chain reported as development")
	}
}

func TestLoadPEMErrors(t *testing.T) {
	f, err := DevKeys(t.TempDir(), testAgency, false)
	if err != nil {
		t.Fatal(err)
	}
	junk := writeTemp(t, "junk.pem", []byte("not PEM"))
	for name, c := range map[string][2]string{
		"key does not match": {f.AgencyCert, f.TSAKey},
		"no certificate":     {junk, f.AgencyKey},
		"no key":             {f.AgencyCert, junk},
		"key file is a cert": {f.AgencyCert, f.AgencyCert},
		"missing file":       {f.AgencyCert, filepath.Join(t.TempDir(), "nope.pem")},
	} {
		if _, err := LoadPEM(c[0], c[1]); err == nil {
			t.Errorf("%s: LoadPEM succeeded", name)
		}
	}
}
