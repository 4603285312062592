package sign

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// leafFor issues, under root, a certificate from tmpl valid from from to to,
// for a fresh P-256 key, and returns it as a Signer with chain leaf + root.
func leafFor(t testing.TB, root *Signer, tmpl x509.Certificate, from, to time.Time) *Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.Subject = devName(testAgency, testAgency)
	tmpl.NotBefore, tmpl.NotAfter = from, to
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, root.Chain[0], key.Public(), root.Key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Signer{Key: key, Chain: []*x509.Certificate{leaf, root.Chain[0]}}
}

var signingUsage = x509.Certificate{KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}

func TestCheckCertificate(t *testing.T) {
	agency, root := devSigner(t)
	stranger, _ := devSigner(t) // same agency name, another development root
	now := time.Now()
	day := 24 * time.Hour
	roots := rootPool(root)
	usage := func(ku x509.KeyUsage, eku ...x509.ExtKeyUsage) x509.Certificate {
		return x509.Certificate{KeyUsage: ku, ExtKeyUsage: eku}
	}
	docSigning := x509.Certificate{KeyUsage: x509.KeyUsageContentCommitment,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 36}}}
	mismatched := *agency
	mismatched.Key = stranger.Key
	for _, c := range []struct {
		name     string
		signer   *Signer
		code     string // refusal expected; "" for none
		warnings []string
		message  []string // in the error, besides the code
	}{
		{name: "good (development keys)", signer: agency},
		{name: "good, no key usage at all", signer: leafFor(t, root, x509.Certificate{}, now.Add(-day), now.Add(365*day))},
		{name: "good, documentSigning EKU only", signer: leafFor(t, root, docSigning, now.Add(-day), now.Add(365*day))},
		{name: "expired", signer: leafFor(t, root, signingUsage, now.Add(-400*day), now.Add(-day)), code: CodeCertExpired,
			message: []string{"đã hết hạn", "expired", testAgency, showTime(now.Add(-day)), showTime(now.Add(-400 * day))}},
		{name: "not yet valid", signer: leafFor(t, root, signingUsage, now.Add(day), now.Add(365*day)), code: CodeCertNotYetValid,
			message: []string{"chưa có hiệu lực", "not valid yet", testAgency, showTime(now.Add(day))}},
		{name: "expiring in 10 days", signer: leafFor(t, root, signingUsage, now.Add(-day), now.Add(10*day-time.Hour)),
			warnings: []string{"in 10 days", "còn 10 ngày", testAgency}},
		{name: "encryption only", signer: leafFor(t, root, usage(x509.KeyUsageKeyEncipherment|x509.KeyUsageDataEncipherment), now.Add(-day), now.Add(365*day)),
			code: CodeCertNotForSigning, message: []string{"không cho phép ký số"}},
		{name: "TLS server certificate", signer: leafFor(t, root, usage(x509.KeyUsageDigitalSignature, x509.ExtKeyUsageServerAuth), now.Add(-day), now.Add(365*day)),
			code: CodeCertNotForSigning, message: []string{"không dùng để ký tài liệu"}},
		{name: "TSA certificate", signer: leafFor(t, root, usage(x509.KeyUsageDigitalSignature, x509.ExtKeyUsageTimeStamping), now.Add(-day), now.Add(365*day)),
			code: CodeCertNotForSigning},
		{name: "clientAuth only: warned, not refused", signer: leafFor(t, root, usage(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment, x509.ExtKeyUsageClientAuth), now.Add(-day), now.Add(365*day)),
			warnings: []string{"no document-signing purpose", "Extended Key Usage"}},
		{name: "clientAuth and emailProtection (as Vietnamese CAs issue)", signer: leafFor(t, root, usage(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment|x509.KeyUsageKeyEncipherment, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection), now.Add(-day), now.Add(365*day))},
		{name: "unknown root", signer: stranger, code: CodeCertUntrusted, message: []string{"SOHOA_TRUST_ROOTS", "does not chain"}},
		{name: "key does not match", signer: &mismatched, code: CodeCertKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			warnings, err := CheckCertificate(c.signer.Chain, c.signer.Key.Public(), roots, now)
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			} else {
				if !errors.Is(err, fault.Refused) {
					t.Fatalf("want a refusal %s, got %v", c.code, err)
				}
				if code, reason, _ := fault.Reason(err); code != c.code || reason == "" {
					t.Errorf("code %q reason %q, want %s with a reason", code, reason, c.code)
				}
				for _, m := range c.message {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("message lacks %q: %v", m, err)
					}
				}
			}
			if (len(warnings) > 0) != (len(c.warnings) > 0) {
				t.Fatalf("warnings %q, want some with %q", warnings, c.warnings)
			}
			for _, w := range c.warnings {
				if !strings.Contains(strings.Join(warnings, "\n"), w) {
					t.Errorf("warnings %q lack %q", warnings, w)
				}
			}
		})
	}
}

// A certificate that expires while sohoa runs: Sign refuses with the code and a Vietnamese reason.
func TestSignRefusesExpiredCertificate(t *testing.T) {
	_, root := devSigner(t)
	now := time.Now()
	s := leafFor(t, root, signingUsage, now.Add(-48*time.Hour), now.Add(-time.Minute))
	in := testPDF(0)
	var out bytes.Buffer
	err := s.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), &out)
	if !errors.Is(err, fault.Refused) {
		t.Fatalf("want a refusal, got %v", err)
	}
	if code, reason, _ := fault.Reason(err); code != CodeCertExpired || !strings.Contains(reason, "đã hết hạn") {
		t.Errorf("code %q, reason %q", code, reason)
	}
	if out.Len() != 0 {
		t.Error("output written")
	}
	// The same certificate signs when it is still valid.
	s = leafFor(t, root, signingUsage, now.Add(-48*time.Hour), now.Add(time.Hour))
	if err := s.Sign(context.Background(), bytes.NewReader(in), int64(len(in)), io.Discard); err != nil {
		t.Fatal(err)
	}
}
