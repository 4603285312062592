package verify

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/sign/cms"
)

const (
	subFilterRFC3161 = "ETSI.RFC3161" // a document timestamp, not a signature
	noCheck          = "not checked: an earlier check failed"
)

func checkField(r io.ReaderAt, size int64, f field, roots *x509.CertPool) Signature {
	s := Signature{
		Field: f.name, SubFilter: f.subFilter, Name: f.sigName, Reason: f.reason, Location: f.location,
		ByteRange: f.byteRange,
	}
	skipped := Check{Detail: noCheck}
	s.Integrity, s.SignatureCheck, s.Chain, s.CertValidity, s.TimestampCheck = skipped, skipped, skipped, skipped, skipped
	if t, ok := parsePDFDate(f.m); ok {
		s.Claimed = &t
	}
	if err := checkByteRange(r, size, f); err != nil {
		s.ByteRangeCheck = fail(err)
		return s
	}
	s.ByteRangeCheck = pass("")
	s.CoversWholeFile = f.byteRange[2]+f.byteRange[3] == size

	sig, err := cms.Parse(f.contents)
	if err != nil {
		s.Integrity = fail(err)
		return s
	}
	digest, err := signedDigest(r, f.byteRange, sig)
	if err != nil {
		s.Integrity = fail(fmt.Errorf("read signed ranges: %w", err))
		return s
	}
	if sig.Signer != nil {
		s.Signer, s.SignerDN, s.Certificate = sig.Signer.Subject.CommonName, sig.Signer.Subject.String(), sig.Signer
	}
	if f.subFilter == subFilterRFC3161 {
		return s.documentTimestamp(sig, digest, roots)
	}

	if err := sig.CheckDigest(digest); err != nil {
		s.Integrity = fail(err)
	} else {
		s.Integrity = pass("")
	}
	if err := sig.CheckSignature(); err != nil {
		s.SignatureCheck = fail(err)
	} else {
		s.SignatureCheck = pass(sig.DigestAlgorithm.String())
	}
	if s.Claimed == nil && !sig.SigningTime.IsZero() {
		t := sig.SigningTime
		s.Claimed = &t
	}

	// The time the certificate must have been valid at: the timestamp's,
	// which a third party vouches for, else the signer's own claim.
	at := time.Now()
	if s.Claimed != nil {
		at = *s.Claimed
	}
	s.TimestampCheck = pass("no timestamp")
	if sig.TimestampToken != nil {
		ts, err := checkToken(sig.TimestampToken, sig.Value, roots)
		s.Timestamp = ts
		if err != nil {
			s.TimestampCheck = fail(err)
		} else {
			s.TimestampCheck = pass("")
			at = ts.Time
		}
	}
	if sig.Signer == nil {
		s.Chain, s.CertValidity = fail(errors.New("signer certificate not embedded")), fail(errors.New("signer certificate not embedded"))
	} else {
		s.Chain = checkChain(sig.Signer, sig.Certificates, roots, at, x509.ExtKeyUsageAny)
		s.CertValidity = checkValidity(sig.Signer, at)
	}
	s.Valid = s.ByteRangeCheck.OK && s.Integrity.OK && s.SignatureCheck.OK && s.Chain.OK && s.CertValidity.OK && s.TimestampCheck.OK
	return s
}

// documentTimestamp checks an ETSI.RFC3161 field: the token itself signs
// the byte ranges.
func (s Signature) documentTimestamp(tok *cms.Signature, digest []byte, roots *x509.CertPool) Signature {
	ts, info, err := checkTokenParsed(tok, roots)
	s.Timestamp = ts
	if err != nil {
		s.SignatureCheck = fail(err)
		return s
	}
	s.SignatureCheck = pass("")
	if info.HashAlgorithm != tok.DigestAlgorithm {
		// Re-hash with the imprint's algorithm; rare enough not to stream twice elsewhere.
		s.Integrity = fail(fmt.Errorf("imprint uses %v, token uses %v", info.HashAlgorithm, tok.DigestAlgorithm))
	} else if !bytes.Equal(info.HashedMessage, digest) {
		s.Integrity = fail(errors.New("document timestamp imprint does not match the signed bytes"))
	} else {
		s.Integrity = pass("")
	}
	s.Claimed = &ts.Time
	s.Chain = checkChain(tok.Signer, tok.Certificates, roots, ts.Time, x509.ExtKeyUsageTimeStamping)
	s.CertValidity = checkValidity(tok.Signer, ts.Time)
	s.TimestampCheck = pass("document timestamp")
	s.Valid = s.Integrity.OK && s.SignatureCheck.OK && s.Chain.OK && s.CertValidity.OK
	return s
}

func checkByteRange(r io.ReaderAt, size int64, f field) error {
	br := f.byteRange
	if len(br) != 4 {
		return fmt.Errorf("/ByteRange has %d numbers, want 4", len(br))
	}
	if br[0] != 0 || br[1] <= 0 || br[2] <= br[1] || br[3] < 0 || br[2]+br[3] > size {
		return fmt.Errorf("/ByteRange %v does not fit the %d-byte file or does not start at 0", br, size)
	}
	content, err := hole(r, br)
	if err != nil {
		return err
	}
	// The gap must be this signature's own /Contents, not some other
	// string an attacker pointed the range around.
	if !bytes.Equal(bytes.TrimRight(content, "\x00"), bytes.TrimRight(f.contents, "\x00")) {
		return errors.New("the gap between the signed ranges is not this signature's /Contents")
	}
	return nil
}

func checkToken(token, signatureValue []byte, roots *x509.CertPool) (*Timestamp, error) {
	tok, err := cms.Parse(token)
	if err != nil {
		return nil, fmt.Errorf("timestamp token: %w", err)
	}
	ts, info, err := checkTokenParsed(tok, roots)
	if err != nil {
		return ts, err
	}
	h := info.HashAlgorithm.New()
	h.Write(signatureValue)
	if !bytes.Equal(h.Sum(nil), info.HashedMessage) {
		ts.Valid = false
		return ts, errors.New("timestamp token is not over this signature's value")
	}
	if c := checkChain(tok.Signer, tok.Certificates, roots, ts.Time, x509.ExtKeyUsageTimeStamping); !c.OK {
		ts.Valid = false
		return ts, fmt.Errorf("TSA certificate: %s", c.Detail)
	}
	return ts, nil
}

func checkTokenParsed(tok *cms.Signature, roots *x509.CertPool) (*Timestamp, cms.TSTInfo, error) {
	info, err := tok.ParseTSTInfo()
	if err != nil {
		return nil, info, err
	}
	ts := &Timestamp{Time: info.Time}
	if tok.Signer != nil {
		ts.TSA = tok.Signer.Subject.CommonName
	}
	if err := tok.CheckDigest(tok.Digest(tok.EContent)); err != nil {
		return ts, info, fmt.Errorf("timestamp token: %w", err)
	}
	if err := tok.CheckSignature(); err != nil {
		return ts, info, fmt.Errorf("timestamp token: %w", err)
	}
	ts.Valid = true
	return ts, info, nil
}

func checkChain(leaf *x509.Certificate, certs []*x509.Certificate, roots *x509.CertPool, at time.Time, usage x509.ExtKeyUsage) Check {
	if leaf == nil {
		return fail(errors.New("certificate not embedded"))
	}
	inter := x509.NewCertPool()
	for _, c := range certs {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{usage},
	})
	if err != nil {
		return fail(err)
	}
	var names []string
	for _, c := range chains[0] {
		names = append(names, c.Subject.CommonName)
	}
	return pass(strings.Join(names, " → "))
}

func checkValidity(c *x509.Certificate, at time.Time) Check {
	if c == nil {
		return fail(errors.New("certificate not embedded"))
	}
	if at.Before(c.NotBefore) || at.After(c.NotAfter) {
		return fail(fmt.Errorf("certificate valid %s to %s, not at %s", c.NotBefore.Format(time.RFC3339), c.NotAfter.Format(time.RFC3339), at.Format(time.RFC3339)))
	}
	return pass("at " + at.Format(time.RFC3339))
}

// parsePDFDate reads D:YYYYMMDDHHmmSSOHH'mm' and its shorter forms.
func parsePDFDate(s string) (time.Time, bool) {
	s = strings.TrimPrefix(s, "D:")
	s = strings.ReplaceAll(strings.TrimSuffix(s, "'"), "'", "")
	for _, layout := range []string{"20060102150405-0700", "20060102150405Z0700", "20060102150405Z", "20060102150405", "200601021504-0700", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
