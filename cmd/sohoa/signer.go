package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
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
	if !bytes.HasPrefix(signed, pdf) {
		return fault.E("check own signature", fault.Conflict, errors.New("the file does not extend this document's PDF"))
	}
	report, err := verify.File(ctx, bytes.NewReader(signed), int64(len(signed)), a.roots)
	if err != nil {
		return fault.E("check own signature", fault.Refused, err)
	}
	if len(report.Signatures) == 0 {
		return fault.E("check own signature", fault.Conflict, errors.New("no signature"))
	}
	last := report.Signatures[len(report.Signatures)-1]
	if last.Signer != a.signer.Chain[0].Subject.CommonName {
		return fault.E("check own signature", fault.Conflict, fmt.Errorf("signed by %q", last.Signer))
	}
	if !last.Valid || !last.CoversWholeFile {
		return fault.E("check own signature", fault.Refused, report.Err())
	}
	return nil
}
