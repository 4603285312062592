package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Files are the paths DevKeys wrote or kept.
type Files struct {
	RootCert, RootKey     string // dev-root.pem, dev-root-key.pem
	AgencyCert, AgencyKey string // agency.pem (leaf + root), agency-key.pem
	TSACert, TSAKey       string // tsa.pem (leaf + root), tsa-key.pem
}

// devOU marks every development certificate. IsDevelopment looks for it in
// subjects and issuers so that a leaf presented without its root is still
// recognised.
const devOU = "sohoa development - NOT FOR PRODUCTION"

const (
	devRootCN       = "sohoa development root CA"
	devRootValidity = 10 * 365 * 24 * time.Hour
	devLeafValidity = 2 * 365 * 24 * time.Hour
	// Agency keys are RSA because that is what Vietnamese CAs issue and what
	// every verifier handles; the root and TSA use P-256 to keep DevKeys fast.
	devAgencyRSABits = 2048
)

// DevKeys writes into dir a development root CA (dev-root.pem,
// dev-root-key.pem), an agency signing certificate issued by it (agency.pem =
// leaf+root chain, agency-key.pem), and a TSA certificate with the
// timeStamping extended key usage (tsa.pem, tsa-key.pem). Agency name
// (Vietnamese, UTF-8) goes in the subject O/CN.
//
// Existing files are kept unless force. Each certificate/key pair is either
// kept whole or created whole; a lone half of a pair, or agency/TSA files
// left over from a root that no longer exists, is an error rather than a
// silent overwrite.
func DevKeys(dir, agency string, force bool) (Files, error) {
	f := Files{
		RootCert:   filepath.Join(dir, "dev-root.pem"),
		RootKey:    filepath.Join(dir, "dev-root-key.pem"),
		AgencyCert: filepath.Join(dir, "agency.pem"),
		AgencyKey:  filepath.Join(dir, "agency-key.pem"),
		TSACert:    filepath.Join(dir, "tsa.pem"),
		TSAKey:     filepath.Join(dir, "tsa-key.pem"),
	}
	if agency == "" {
		return f, errors.New("sign: dev keys: empty agency name")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, fmt.Errorf("sign: dev keys: %w", err)
	}
	rootExists, err := pairExists(f.RootCert, f.RootKey, force)
	if err != nil {
		return f, err
	}
	agencyExists, err := pairExists(f.AgencyCert, f.AgencyKey, force)
	if err != nil {
		return f, err
	}
	tsaExists, err := pairExists(f.TSACert, f.TSAKey, force)
	if err != nil {
		return f, err
	}
	if rootExists && agencyExists && tsaExists {
		return f, nil
	}
	if !rootExists && (agencyExists || tsaExists) {
		return f, fmt.Errorf("sign: dev keys: %s has certificates but no root to match them; use force to regenerate all", dir)
	}

	var root *x509.Certificate
	var rootKey crypto.Signer
	if rootExists {
		s, err := LoadPEM(f.RootCert, f.RootKey)
		if err != nil {
			return f, fmt.Errorf("sign: dev keys: %w", err)
		}
		root, rootKey = s.Chain[0], s.Key
	} else {
		if rootKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return f, fmt.Errorf("sign: dev keys: root key: %w", err)
		}
		tmpl := &x509.Certificate{
			Subject:               devName(devRootCN, "sohoa"),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
			MaxPathLenZero:        true,
		}
		if root, err = issue(tmpl, devRootValidity, rootKey.Public(), nil, rootKey); err != nil {
			return f, fmt.Errorf("sign: dev keys: root: %w", err)
		}
		if err := writePair(f.RootCert, f.RootKey, []*x509.Certificate{root}, rootKey); err != nil {
			return f, err
		}
	}

	if !agencyExists {
		key, err := rsa.GenerateKey(rand.Reader, devAgencyRSABits)
		if err != nil {
			return f, fmt.Errorf("sign: dev keys: agency key: %w", err)
		}
		tmpl := &x509.Certificate{
			Subject:  devName(agency, agency),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			// emailProtection is what NSS/Adobe check for document
			// signers; documentSigning (RFC 9336) is the modern one.
			ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
			UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 36}},
		}
		leaf, err := issue(tmpl, devLeafValidity, key.Public(), root, rootKey)
		if err != nil {
			return f, fmt.Errorf("sign: dev keys: agency: %w", err)
		}
		if err := writePair(f.AgencyCert, f.AgencyKey, []*x509.Certificate{leaf, root}, key); err != nil {
			return f, err
		}
	}

	if !tsaExists {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return f, fmt.Errorf("sign: dev keys: TSA key: %w", err)
		}
		// RFC 3161 §2.3: the TSA certificate must carry exactly one,
		// critical, extended key usage: timeStamping. Go marks EKU
		// non-critical, so the extension is built by hand.
		eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
		if err != nil {
			return f, fmt.Errorf("sign: dev keys: TSA EKU: %w", err)
		}
		tmpl := &x509.Certificate{
			Subject:  devName("sohoa development TSA", "sohoa"),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
			ExtraExtensions: []pkix.Extension{{
				Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku,
			}},
		}
		leaf, err := issue(tmpl, devLeafValidity, key.Public(), root, rootKey)
		if err != nil {
			return f, fmt.Errorf("sign: dev keys: TSA: %w", err)
		}
		if err := writePair(f.TSACert, f.TSAKey, []*x509.Certificate{leaf, root}, key); err != nil {
			return f, err
		}
	}
	return f, nil
}

// IsDevelopment reports whether a chain ends at a sohoa development root (so
// production can refuse or warn). A chain whose last certificate was merely
// issued by such a root counts too.
func IsDevelopment(chain []*x509.Certificate) bool {
	for _, c := range chain {
		if c == nil {
			continue
		}
		if slices.Contains(c.Subject.OrganizationalUnit, devOU) || slices.Contains(c.Issuer.OrganizationalUnit, devOU) {
			return true
		}
	}
	return false
}

func devName(cn, org string) pkix.Name {
	return pkix.Name{
		Country:            []string{"VN"},
		Organization:       []string{org},
		OrganizationalUnit: []string{devOU},
		CommonName:         cn,
	}
}

// issue signs tmpl with parentKey; a nil parent makes it self-signed.
func issue(tmpl *x509.Certificate, validity time.Duration, pub crypto.PublicKey, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	// Back-date so that a verifier whose clock is slightly behind accepts
	// a certificate made a moment ago.
	tmpl.NotBefore = time.Now().Add(-time.Hour).UTC()
	tmpl.NotAfter = tmpl.NotBefore.Add(validity)
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// pairExists reports whether both files of a pair exist; with force it
// reports false so the pair is recreated.
func pairExists(certFile, keyFile string, force bool) (bool, error) {
	if force {
		return false, nil
	}
	c, err := fileExists(certFile)
	if err != nil {
		return false, err
	}
	k, err := fileExists(keyFile)
	if err != nil {
		return false, err
	}
	if c != k {
		return false, fmt.Errorf("sign: dev keys: only one of %s and %s exists; use force to regenerate", certFile, keyFile)
	}
	return c, nil
}

func fileExists(path string) (bool, error) {
	_, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sign: dev keys: %w", err)
	}
	return true, nil
}

func writePair(certFile, keyFile string, chain []*x509.Certificate, key crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("sign: dev keys: marshal key %s: %w", keyFile, err)
	}
	// Key first: a certificate without its key is the worse half-state.
	if err := writeFileAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	var certs []byte
	for _, c := range chain {
		certs = append(certs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return writeFileAtomic(certFile, certs, 0o644)
}

// writeFileAtomic keeps a crash or a concurrent reader from ever seeing a
// truncated PEM file.
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("sign: dev keys: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("sign: dev keys: write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("sign: dev keys: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sign: dev keys: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sign: dev keys: write %s: %w", path, err)
	}
	return nil
}
