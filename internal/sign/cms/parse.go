package cms

import (
	"bytes"
	"crypto"
	_ "crypto/sha512" // SHA-384/512 digests in third-party signatures
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Signature is one parsed SignedData with a single signer, as found in a PDF
// signature or an RFC 3161 timestamp token.
type Signature struct {
	Certificates []*x509.Certificate // all embedded certificates
	Signer       *x509.Certificate   // the one the SignerInfo names; nil if absent

	DigestAlgorithm crypto.Hash
	MessageDigest   []byte // the message-digest signed attribute
	ContentType     asn1.ObjectIdentifier
	EContent        []byte    // encapsulated content (a TSTInfo in tokens); nil when detached
	SigningTime     time.Time // the signing-time attribute; zero when absent (PAdES)

	// SigningCertificate reports which ESS signing-certificate attribute
	// is present: "v2", "v1" or "".
	SigningCertificate string
	signingCertHash    []byte
	signingCertAlg     crypto.Hash

	Value          []byte // the signature value
	TimestampToken []byte // the signature-timestamp unsigned attribute, if any

	sigAlg      x509.SignatureAlgorithm
	signedAttrs []byte // DER SET as signed
}

// Parse reads a DER ContentInfo holding a SignedData with one SignerInfo
// that has signed attributes (as every PDF signer and TSA produces).
func Parse(der []byte) (*Signature, error) {
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, fmt.Errorf("cms: parse ContentInfo: %w", err)
	}
	// /Contents is zero-padded after the DER; anything else is not ours.
	if len(bytes.Trim(rest, "\x00")) != 0 {
		return nil, errors.New("cms: trailing data after ContentInfo")
	}
	if !ci.ContentType.Equal(oidSignedData()) {
		return nil, fmt.Errorf("cms: content type %v is not SignedData", ci.ContentType)
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("cms: parse SignedData: %w", err)
	}
	if len(sd.SignerInfos) != 1 {
		return nil, fmt.Errorf("cms: %d signers, want 1", len(sd.SignerInfos))
	}
	s := &Signature{ContentType: sd.EncapContentInfo.EContentType}
	if len(sd.EncapContentInfo.EContent.Bytes) > 0 {
		var octets []byte
		if _, err := asn1.Unmarshal(sd.EncapContentInfo.EContent.Bytes, &octets); err != nil {
			return nil, fmt.Errorf("cms: parse encapsulated content: %w", err)
		}
		s.EContent = octets
	}
	if len(sd.Certificates.Bytes) > 0 {
		if s.Certificates, err = x509.ParseCertificates(sd.Certificates.Bytes); err != nil {
			return nil, fmt.Errorf("cms: parse certificates: %w", err)
		}
	}
	si := sd.SignerInfos[0]
	if s.DigestAlgorithm, err = hashOf(si.DigestAlgorithm.Algorithm); err != nil {
		return nil, err
	}
	s.Signer = findSigner(s.Certificates, si.SID)
	s.Value = si.Signature
	if len(si.SignedAttrs.Bytes) == 0 {
		return nil, errors.New("cms: no signed attributes")
	}
	if s.signedAttrs, err = asn1.Marshal(set(si.SignedAttrs.Bytes)); err != nil {
		return nil, fmt.Errorf("cms: re-encode signed attributes: %w", err)
	}
	if err := s.readSignedAttrs(si.SignedAttrs.Bytes); err != nil {
		return nil, err
	}
	if s.sigAlg, err = signatureAlgorithmOf(si.SignatureAlgorithm, s.DigestAlgorithm); err != nil {
		return nil, err
	}
	attrs, err := attributes(si.UnsignedAttrs.Bytes)
	if err != nil {
		return nil, fmt.Errorf("cms: parse unsigned attributes: %w", err)
	}
	for _, a := range attrs {
		if a.Type.Equal(oidTimeStampToken()) {
			s.TimestampToken = firstValue(a)
		}
	}
	return s, nil
}

func (s *Signature) readSignedAttrs(raw []byte) error {
	attrs, err := attributes(raw)
	if err != nil {
		return fmt.Errorf("cms: parse signed attributes: %w", err)
	}
	for _, a := range attrs {
		v := firstValue(a)
		switch {
		case a.Type.Equal(oidContentType()):
			var oid asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(v, &oid); err != nil {
				return fmt.Errorf("cms: parse content-type attribute: %w", err)
			}
			if !oid.Equal(s.ContentType) {
				return fmt.Errorf("cms: content-type attribute %v differs from the content's %v", oid, s.ContentType)
			}
		case a.Type.Equal(oidMessageDigest()):
			if _, err := asn1.Unmarshal(v, &s.MessageDigest); err != nil {
				return fmt.Errorf("cms: parse message-digest attribute: %w", err)
			}
		case a.Type.Equal(oidSigningTime()):
			if _, err := asn1.Unmarshal(v, &s.SigningTime); err != nil {
				return fmt.Errorf("cms: parse signing-time attribute: %w", err)
			}
		case a.Type.Equal(oidSigningCertificateV2()):
			s.SigningCertificate = "v2"
			if err := s.readESSv2(v); err != nil {
				return err
			}
		case a.Type.Equal(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}):
			s.SigningCertificate = "v1"
			var v1 struct {
				Certs []struct {
					Hash []byte
					Rest asn1.RawValue `asn1:"optional"`
				}
			}
			if _, err := asn1.Unmarshal(v, &v1); err != nil || len(v1.Certs) == 0 {
				return fmt.Errorf("cms: parse signing-certificate attribute: %v", err)
			}
			s.signingCertHash, s.signingCertAlg = v1.Certs[0].Hash, crypto.SHA1
		}
	}
	if s.MessageDigest == nil {
		return errors.New("cms: no message-digest attribute")
	}
	return nil
}

func (s *Signature) readESSv2(v []byte) error {
	var outer struct{ Certs []asn1.RawValue }
	if _, err := asn1.Unmarshal(v, &outer); err != nil || len(outer.Certs) == 0 {
		return fmt.Errorf("cms: parse signing-certificate-v2 attribute: %v", err)
	}
	first := outer.Certs[0].FullBytes
	var withAlg essCertIDv2WithAlg
	if _, err := asn1.Unmarshal(first, &withAlg); err == nil && withAlg.HashAlgorithm.Algorithm != nil {
		h, err := hashOf(withAlg.HashAlgorithm.Algorithm)
		if err != nil {
			return err
		}
		s.signingCertHash, s.signingCertAlg = withAlg.CertHash, h
		return nil
	}
	var def essCertIDv2
	if _, err := asn1.Unmarshal(first, &def); err != nil {
		return fmt.Errorf("cms: parse ESSCertIDv2: %w", err)
	}
	s.signingCertHash, s.signingCertAlg = def.CertHash, crypto.SHA256
	return nil
}

// CheckDigest compares the message-digest attribute with the digest of the
// signed content, computed by the caller with DigestAlgorithm.
func (s *Signature) CheckDigest(digest []byte) error {
	if !bytes.Equal(s.MessageDigest, digest) {
		return errors.New("message digest does not match the signed content")
	}
	return nil
}

// CheckSignature verifies the signature value over the signed attributes
// with the signer certificate's key, and that an ESS signing-certificate
// attribute, when present, names that certificate.
func (s *Signature) CheckSignature() error {
	if s.Signer == nil {
		return errors.New("signer certificate not embedded")
	}
	if err := s.Signer.CheckSignature(s.sigAlg, s.signedAttrs, s.Value); err != nil {
		return fmt.Errorf("signature value: %w", err)
	}
	if s.SigningCertificate != "" {
		h := s.signingCertAlg.New()
		h.Write(s.Signer.Raw)
		if !bytes.Equal(h.Sum(nil), s.signingCertHash) {
			return errors.New("signing-certificate attribute names another certificate")
		}
	}
	return nil
}

// Digest hashes the parts of data with the signature's digest algorithm.
func (s *Signature) Digest(parts ...[]byte) []byte {
	h := s.DigestAlgorithm.New()
	for _, p := range parts {
		h.Write(p)
	}
	return h.Sum(nil)
}

func attributes(raw []byte) ([]attribute, error) {
	var attrs []attribute
	for len(raw) > 0 {
		var a attribute
		var err error
		if raw, err = asn1.Unmarshal(raw, &a); err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}

// firstValue returns the DER of the first value of an attribute's SET.
func firstValue(a attribute) []byte {
	var v asn1.RawValue
	if _, err := asn1.Unmarshal(a.Values.Bytes, &v); err != nil {
		return nil
	}
	return v.FullBytes
}

func findSigner(certs []*x509.Certificate, sid asn1.RawValue) *x509.Certificate {
	if sid.Class == asn1.ClassContextSpecific && sid.Tag == 0 { // subjectKeyIdentifier
		for _, c := range certs {
			if bytes.Equal(c.SubjectKeyId, sid.Bytes) {
				return c
			}
		}
		return nil
	}
	var ias struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}
	if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil {
		return nil
	}
	for _, c := range certs {
		if c.SerialNumber.Cmp(ias.Serial) == 0 && bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) {
			return c
		}
	}
	return nil
}

func hashOf(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case oid.Equal(oidSHA256()):
		return crypto.SHA256, nil
	case oid.Equal(oidSHA384()):
		return crypto.SHA384, nil
	case oid.Equal(oidSHA512()):
		return crypto.SHA512, nil
	case oid.Equal(oidSHA1()):
		return crypto.SHA1, nil
	}
	return 0, fmt.Errorf("cms: unsupported digest algorithm %v", oid)
}

// signatureAlgorithmOf maps a SignerInfo's algorithm, which may name only
// the key type (rsaEncryption, id-ecPublicKey), to an x509 algorithm.
func signatureAlgorithmOf(alg pkix.AlgorithmIdentifier, digest crypto.Hash) (x509.SignatureAlgorithm, error) {
	oid := alg.Algorithm
	byDigest := func(s1, s256, s384, s512 x509.SignatureAlgorithm) (x509.SignatureAlgorithm, error) {
		switch digest {
		case crypto.SHA1:
			return s1, nil
		case crypto.SHA256:
			return s256, nil
		case crypto.SHA384:
			return s384, nil
		case crypto.SHA512:
			return s512, nil
		}
		return 0, fmt.Errorf("cms: unsupported digest %v", digest)
	}
	switch {
	case oid.Equal(oidRSA()):
		return byDigest(x509.SHA1WithRSA, x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA)
	case oid.Equal(oidECPublicKey()):
		return byDigest(x509.ECDSAWithSHA1, x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512)
	case oid.Equal(oidSHA256WithRSA()):
		return x509.SHA256WithRSA, nil
	case oid.Equal(oidSHA384WithRSA()):
		return x509.SHA384WithRSA, nil
	case oid.Equal(oidSHA512WithRSA()):
		return x509.SHA512WithRSA, nil
	case oid.Equal(oidECDSAWithSHA256()):
		return x509.ECDSAWithSHA256, nil
	case oid.Equal(oidECDSAWithSHA384()):
		return x509.ECDSAWithSHA384, nil
	case oid.Equal(oidECDSAWithSHA512()):
		return x509.ECDSAWithSHA512, nil
	case oid.Equal(oidRSAPSS()):
		return byDigest(0, x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS)
	}
	return 0, fmt.Errorf("cms: unsupported signature algorithm %v", oid)
}

// TSTInfo is the content of an RFC 3161 timestamp token.
type TSTInfo struct {
	Policy        asn1.ObjectIdentifier
	HashAlgorithm crypto.Hash
	HashedMessage []byte
	Serial        *big.Int
	Time          time.Time
}

// IsTSTInfo reports whether the signature encapsulates a TSTInfo.
func (s *Signature) IsTSTInfo() bool { return s.ContentType.Equal(oidTSTInfo()) }

// ParseTSTInfo reads the encapsulated TSTInfo of a timestamp token.
func (s *Signature) ParseTSTInfo() (TSTInfo, error) {
	if !s.IsTSTInfo() {
		return TSTInfo{}, fmt.Errorf("cms: content type %v is not TSTInfo", s.ContentType)
	}
	var raw struct {
		Version        int
		Policy         asn1.ObjectIdentifier
		MessageImprint struct {
			HashAlgorithm pkix.AlgorithmIdentifier
			HashedMessage []byte
		}
		Serial  *big.Int
		GenTime time.Time     `asn1:"generalized"`
		Rest    asn1.RawValue `asn1:"optional"`
		Rest2   asn1.RawValue `asn1:"optional"`
		Rest3   asn1.RawValue `asn1:"optional"`
		Rest4   asn1.RawValue `asn1:"optional"`
		Rest5   asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(s.EContent, &raw); err != nil {
		return TSTInfo{}, fmt.Errorf("cms: parse TSTInfo: %w", err)
	}
	h, err := hashOf(raw.MessageImprint.HashAlgorithm.Algorithm)
	if err != nil {
		return TSTInfo{}, err
	}
	return TSTInfo{Policy: raw.Policy, HashAlgorithm: h, HashedMessage: raw.MessageImprint.HashedMessage, Serial: raw.Serial, Time: raw.GenTime}, nil
}
