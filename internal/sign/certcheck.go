package sign

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// ExpiryWarning is how long before a certificate of the chain ends
// CheckCertificate starts warning about it.
const ExpiryWarning = 30 * 24 * time.Hour

// Stable codes of CheckCertificate's refusals; certificate_expired and
// certificate_not_yet_valid also come from Sign.
const (
	CodeCertExpired       = "certificate_expired"
	CodeCertNotYetValid   = "certificate_not_yet_valid"
	CodeCertUntrusted     = "certificate_untrusted"
	CodeCertNotForSigning = "certificate_not_for_signing"
	CodeCertKey           = "certificate_key_mismatch"
)

// Extended key usages Go does not name that say "signs documents". With
// emailProtection and anyExtendedKeyUsage they are what Adobe Acrobat accepts
// for a document signer; poppler/NSS look for emailProtection.
var documentEKUs = []asn1.ObjectIdentifier{
	{1, 3, 6, 1, 5, 5, 7, 3, 36},       // documentSigning, RFC 9336
	{1, 3, 6, 1, 4, 1, 311, 10, 3, 12}, // Microsoft Document Signing
	{1, 2, 840, 113583, 1, 1, 5},       // Adobe Authentic Documents Trust
}

// CheckCertificate checks, at now, that the agency can sign with chain (leaf
// first, then intermediates) and the private key whose public half is key:
//
//   - the leaf matches key, and the key is one Sign supports;
//   - the leaf is within its validity period;
//   - its key usage allows signatures (digitalSignature or
//     contentCommitment/nonRepudiation; no key usage at all means any);
//   - its extended key usage, when present, is not plainly for something
//     else (TLS servers, code, timestamps, OCSP);
//   - it chains to roots (nil: the system's) through the intermediates.
//
// Errors are of kind fault.Refused with one of the Code… constants and a
// Vietnamese reason naming the certificate and its dates. Warnings, each in
// English then Vietnamese, tell of a certificate of the chain ending within
// ExpiryWarning and of an EKU that some verifiers will not accept for
// documents (clientAuth only: Vietnamese CAs issue such certificates, and
// refusing them would stop an agency that can still sign legally).
func CheckCertificate(chain []*x509.Certificate, key crypto.PublicKey, roots *x509.CertPool, now time.Time) (warnings []string, err error) {
	const op = "sign: check certificate"
	if len(chain) == 0 || chain[0] == nil {
		return nil, fault.Tell(op, fault.Refused, CodeCertKey, "Không có chứng thư số của cơ quan.", fmt.Errorf("no certificate"))
	}
	leaf := chain[0]
	subject := leaf.Subject.String()
	if key == nil || !publicKeyEqual(leaf.PublicKey, key) {
		return nil, fault.Tell(op, fault.Refused, CodeCertKey,
			fmt.Sprintf("Khóa bí mật không khớp với chứng thư số %q.", subject),
			fmt.Errorf("the private key does not match certificate %q", subject))
	}
	if err := checkKeyType(leaf.PublicKey); err != nil {
		return nil, fault.Tell(op, fault.Refused, CodeCertNotForSigning,
			fmt.Sprintf("Khóa của chứng thư số %q không dùng được để ký: %v.", subject, err),
			fmt.Errorf("certificate %q: %w", subject, err))
	}
	if err := checkValidity(op, leaf, now); err != nil {
		return nil, err
	}
	usageWarning, err := checkUsage(op, leaf)
	if err != nil {
		return nil, err
	}
	if usageWarning != "" {
		warnings = append(warnings, usageWarning)
	}
	verified, err := checkChain(op, chain, roots, now)
	if err != nil {
		return nil, err
	}
	for _, c := range verified {
		if left := c.NotAfter.Sub(now); left < ExpiryWarning {
			days := int(math.Ceil(left.Hours() / 24))
			warnings = append(warnings, fmt.Sprintf(
				"certificate %q expires on %s, in %d days: renew it / Chứng thư số %q sẽ hết hạn lúc %s, còn %d ngày: cần gia hạn",
				c.Subject.String(), showTime(c.NotAfter), days, c.Subject.String(), showTime(c.NotAfter), days))
		}
	}
	return warnings, nil
}

// checkValidity refuses a certificate outside its validity period at t.
func checkValidity(op string, c *x509.Certificate, t time.Time) error {
	subject, from, to := c.Subject.String(), showTime(c.NotBefore), showTime(c.NotAfter)
	switch {
	case t.After(c.NotAfter):
		return fault.Tell(op, fault.Refused, CodeCertExpired,
			fmt.Sprintf("Chứng thư số %q đã hết hạn (hiệu lực từ %s đến %s); cần gia hạn hoặc thay chứng thư số của cơ quan trước khi ký.", subject, from, to),
			fmt.Errorf("certificate %q expired: valid from %s to %s, now %s", subject, from, to, showTime(t)))
	case t.Before(c.NotBefore):
		return fault.Tell(op, fault.Refused, CodeCertNotYetValid,
			fmt.Sprintf("Chứng thư số %q chưa có hiệu lực (hiệu lực từ %s đến %s); kiểm tra đồng hồ của máy chủ.", subject, from, to),
			fmt.Errorf("certificate %q is not valid yet: valid from %s to %s, now %s", subject, from, to, showTime(t)))
	}
	return nil
}

// checkUsage applies RFC 5280's key usage and the EKU purposes PAdES
// verifiers look at. It is strict only where the certificate plainly is not
// for signing documents.
func checkUsage(op string, c *x509.Certificate) (warning string, err error) {
	subject := c.Subject.String()
	if c.KeyUsage != 0 && c.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return "", fault.Tell(op, fault.Refused, CodeCertNotForSigning,
			fmt.Sprintf("Chứng thư số %q không cho phép ký số (thiếu digitalSignature/nonRepudiation trong Key Usage).", subject),
			fmt.Errorf("certificate %q: key usage %#x has neither digitalSignature nor contentCommitment", subject, c.KeyUsage))
	}
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return "", nil // no EKU restricts nothing (RFC 5280 §4.2.1.12)
	}
	signing, clientAuth := false, false
	for _, u := range c.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageAny:
			signing = true
		case x509.ExtKeyUsageClientAuth:
			clientAuth = true
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		signing = signing || slices.ContainsFunc(documentEKUs, oid.Equal)
	}
	switch {
	case signing:
		return "", nil
	case clientAuth || len(c.UnknownExtKeyUsage) > 0:
		return fmt.Sprintf("certificate %q: its extended key usage names no document-signing purpose (emailProtection, documentSigning); some verifiers (Adobe Acrobat, poppler) may flag the signatures / "+
			"Chứng thư số %q không ghi mục đích ký tài liệu trong Extended Key Usage; một số phần mềm kiểm tra chữ ký có thể cảnh báo", subject, subject), nil
	}
	return "", fault.Tell(op, fault.Refused, CodeCertNotForSigning,
		fmt.Sprintf("Chứng thư số %q dành cho mục đích khác (máy chủ TLS, ký mã, dấu thời gian…), không dùng để ký tài liệu.", subject),
		fmt.Errorf("certificate %q: extended key usage %v is not for signing documents", subject, c.ExtKeyUsage))
}

// checkChain verifies the chain up to roots and returns it, root included.
func checkChain(op string, chain []*x509.Certificate, roots *x509.CertPool, now time.Time) ([]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	leaf := chain[0]
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: now,
		// checkUsage judged the EKU; Go's check would refuse clientAuth-only certificates.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		subject := leaf.Subject.String()
		return nil, fault.Tell(op, fault.Refused, CodeCertUntrusted,
			fmt.Sprintf("Chứng thư số %q (hiệu lực từ %s đến %s, do %q cấp) không xác thực được tới chứng thư gốc tin cậy; cần khai báo chứng thư gốc trong SOHOA_TRUST_ROOTS.",
				subject, showTime(leaf.NotBefore), showTime(leaf.NotAfter), leaf.Issuer.String()),
			fmt.Errorf("certificate %q issued by %q does not chain to the trust roots (SOHOA_TRUST_ROOTS): %w", subject, leaf.Issuer.String(), err))
	}
	return chains[0], nil
}

// showTime writes a certificate date in Vietnam's time, as people there read it.
func showTime(t time.Time) string { return vietnamTime(t).Format("2006-01-02 15:04 -07:00") }
