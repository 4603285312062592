package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// LoadPEM loads a certificate chain PEM file (leaf and intermediates, in any
// order; the leaf is the certificate matching the key) and a PKCS#8, PKCS#1
// or SEC1 EC private key PEM file. The agency name for /Name defaults to the
// leaf's subject CN.
func LoadPEM(certFile, keyFile string) (*Signer, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("sign: load certificates: %w", err)
	}
	certs, err := parseCertificates(certPEM)
	if err != nil {
		return nil, fmt.Errorf("sign: load certificates %s: %w", certFile, err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("sign: load key: %w", err)
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("sign: load key %s: %w", keyFile, err)
	}
	chain, err := orderChain(certs, key.Public())
	if err != nil {
		return nil, fmt.Errorf("sign: load %s with key %s: %w", certFile, keyFile, err)
	}
	return &Signer{Key: key, Chain: chain, Name: chain[0].Subject.CommonName}, nil
}

func parseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse certificate %d: %w", len(certs)+1, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no CERTIFICATE block")
	}
	return certs, nil
}

func parsePrivateKey(data []byte) (crypto.Signer, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no private key block")
		}
		if _, encrypted := block.Headers["Proc-Type"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, errors.New("encrypted private keys are not supported; decrypt it or use a token")
		}
		var (
			key any
			err error
		)
		switch block.Type {
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		default:
			// openssl puts "EC PARAMETERS" before the key; skip such blocks.
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", block.Type, err)
		}
		s, ok := key.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("%T is not a signing key", key)
		}
		if err := checkKeyType(s.Public()); err != nil {
			return nil, err
		}
		return s, nil
	}
}

// checkKeyType limits keys to what the CMS library and PDF verifiers in use
// in Vietnam (Adobe, Foxit, poppler/NSS) all handle.
func checkKeyType(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("RSA key of %d bits is too weak (want ≥ 2048)", k.N.BitLen())
		}
		return nil
	case *ecdsa.PublicKey:
		return nil
	default:
		return fmt.Errorf("unsupported key type %T (want RSA or ECDSA)", pub)
	}
}

// orderChain puts the certificate whose public key matches pub first and
// follows issuer links from there, so a PEM bundle in any order works.
// Certificates not on the path are dropped: they would only bloat the CMS.
func orderChain(certs []*x509.Certificate, pub crypto.PublicKey) ([]*x509.Certificate, error) {
	leaf := -1
	for i, c := range certs {
		if publicKeyEqual(c.PublicKey, pub) {
			leaf = i
			break
		}
	}
	if leaf < 0 {
		return nil, errors.New("no certificate matches the private key")
	}
	chain := []*x509.Certificate{certs[leaf]}
	used := map[int]bool{leaf: true}
	for cur := certs[leaf]; !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
		next := -1
		for i, c := range certs {
			if !used[i] && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		used[next] = true
		cur = certs[next]
		chain = append(chain, cur)
	}
	return chain, nil
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
