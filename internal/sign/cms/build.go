package cms

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
)

// Stamper returns an RFC 3161 TimeStampToken (a DER ContentInfo) over the
// given signature value; nil means no timestamp.
type Stamper func(ctx context.Context, signature []byte) ([]byte, error)

// Sign returns a DER-encoded detached CAdES SignedData over content whose
// SHA-256 is digest, signed by key whose certificate is chain[0]. The whole
// chain is embedded so a verifier needs only the trust root.
func Sign(ctx context.Context, key crypto.Signer, chain []*x509.Certificate, digest []byte, stamp Stamper) ([]byte, error) {
	if len(chain) == 0 {
		return nil, errors.New("cms: no certificate")
	}
	if len(digest) != sha256.Size {
		return nil, fmt.Errorf("cms: digest is %d bytes, want SHA-256", len(digest))
	}
	leaf := chain[0]
	sigAlg, err := signatureAlgorithm(key.Public())
	if err != nil {
		return nil, err
	}
	attrs, err := signedAttributes(leaf, digest)
	if err != nil {
		return nil, err
	}
	// The signature covers the attributes encoded as a SET (RFC 5652
	// §5.4), while the SignerInfo carries them as [0] IMPLICIT.
	toSign, err := asn1.Marshal(set(attrs))
	if err != nil {
		return nil, fmt.Errorf("cms: encode signed attributes: %w", err)
	}
	h := sha256.Sum256(toSign)
	sig, err := key.Sign(rand.Reader, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("cms: sign with key of %q: %w", leaf.Subject.CommonName, err)
	}
	si := signerInfo{
		Version:            1,
		DigestAlgorithm:    pkix.AlgorithmIdentifier{Algorithm: oidSHA256()},
		SignedAttrs:        asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: attrs},
		SignatureAlgorithm: sigAlg,
		Signature:          sig,
	}
	if si.SID, err = sid(leaf); err != nil {
		return nil, err
	}
	if stamp != nil {
		token, err := stamp(ctx, sig)
		if err != nil {
			return nil, err
		}
		attr, err := asn1.Marshal(attribute{Type: oidTimeStampToken(), Values: set(token)})
		if err != nil {
			return nil, fmt.Errorf("cms: encode timestamp attribute: %w", err)
		}
		si.UnsignedAttrs = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: attr}
	}
	var certs []byte
	for _, c := range chain {
		certs = append(certs, c.Raw...)
	}
	sd := signedData{
		Version:          1,
		DigestAlgorithms: []pkix.AlgorithmIdentifier{{Algorithm: oidSHA256()}},
		EncapContentInfo: encapContentInfo{EContentType: oidData()},
		Certificates:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: certs},
		SignerInfos:      []signerInfo{si},
	}
	inner, err := asn1.Marshal(sd)
	if err != nil {
		return nil, fmt.Errorf("cms: encode SignedData: %w", err)
	}
	out, err := asn1.Marshal(contentInfo{
		ContentType: oidSignedData(),
		Content:     asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner},
	})
	if err != nil {
		return nil, fmt.Errorf("cms: encode ContentInfo: %w", err)
	}
	return out, nil
}

// signedAttributes returns the DER of the sorted attributes, without the
// enclosing SET header: content-type, message-digest and
// signing-certificate-v2. No signing-time: PAdES baseline forbids it.
func signedAttributes(leaf *x509.Certificate, digest []byte) ([]byte, error) {
	ct, err := asn1.Marshal(oidData())
	if err != nil {
		return nil, err
	}
	md, err := asn1.Marshal(digest)
	if err != nil {
		return nil, err
	}
	certHash := sha256.Sum256(leaf.Raw)
	scv2, err := asn1.Marshal(signingCertificateV2{Certs: []essCertIDv2{{
		CertHash: certHash[:],
		IssuerSerial: issuerSerial{
			// GeneralName directoryName is [4] EXPLICIT Name.
			Issuer: []asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: leaf.RawIssuer}},
			Serial: leaf.SerialNumber,
		},
	}}})
	if err != nil {
		return nil, fmt.Errorf("cms: encode signing-certificate-v2: %w", err)
	}
	var encoded [][]byte
	for _, a := range []attribute{
		{Type: oidContentType(), Values: set(ct)},
		{Type: oidMessageDigest(), Values: set(md)},
		{Type: oidSigningCertificateV2(), Values: set(scv2)},
	} {
		b, err := asn1.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("cms: encode attribute %v: %w", a.Type, err)
		}
		encoded = append(encoded, b)
	}
	// DER orders the elements of a SET OF by their encodings.
	slices.SortFunc(encoded, bytes.Compare)
	return bytes.Join(encoded, nil), nil
}

func sid(leaf *x509.Certificate) (asn1.RawValue, error) {
	b, err := asn1.Marshal(issuerAndSerial{Issuer: asn1.RawValue{FullBytes: leaf.RawIssuer}, Serial: leaf.SerialNumber})
	if err != nil {
		return asn1.RawValue{}, fmt.Errorf("cms: encode signer identifier: %w", err)
	}
	return asn1.RawValue{FullBytes: b}, nil
}

func signatureAlgorithm(pub crypto.PublicKey) (pkix.AlgorithmIdentifier, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidSHA256WithRSA(), Parameters: asn1.NullRawValue}, nil
	case *ecdsa.PublicKey:
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256()}, nil
	}
	return pkix.AlgorithmIdentifier{}, fmt.Errorf("cms: unsupported key type %T", pub)
}
