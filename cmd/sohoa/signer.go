package main

import (
	"bytes"
	"context"
	"crypto/x509"

	"github.com/sohoa-vn/sohoa/internal/sign"
)

// agencySigner is the agency's sign.Signer as the sign stage uses it (workers.Signer).
type agencySigner struct {
	signer *sign.Signer
	roots  *x509.CertPool
}

func (a agencySigner) Sign(ctx context.Context, pdf []byte, avoid []sign.Rect) ([]byte, error) {
	s := *a.signer // the shared Signer stays untouched; this document's block is its own
	s.Block = &sign.Block{Avoid: avoid}
	var out bytes.Buffer
	if err := s.Sign(ctx, bytes.NewReader(pdf), int64(len(pdf)), &out); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func (a agencySigner) CheckOwn(ctx context.Context, signed, pdf []byte) error {
	return a.signer.CheckOwn(ctx, signed, pdf, a.roots)
}
