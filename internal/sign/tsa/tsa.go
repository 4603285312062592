// Package tsa gets RFC 3161 timestamps: Client asks a timestamp authority
// over HTTP, and Server is a small authority of its own, answering over HTTP
// or in-process (Server.Timestamp). In development sohoa timestamps with a
// Server holding the development TSA certificate, so that development
// signatures are PAdES B-T like production ones. Server is not meant for
// production: a production TSA needs a trusted clock and an audited key.
package tsa

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"
)

// Server answers time-stamp queries (application/timestamp-query) with
// tokens signed by Key, whose certificate is Chain[0].
type Server struct {
	Chain []*x509.Certificate // TSA certificate first
	Key   crypto.Signer
	// Policy is the TSA policy OID put into tokens.
	Policy asn1.ObjectIdentifier
	// Clock gives the time stamped; nil means time.Now.
	Clock func() time.Time
}

// maxRequest bounds a query; real ones are under 200 bytes.
const maxRequest = 64 << 10

// New returns a server for the TSA certificate chain and key, e.g. from
// sign.LoadPEM(files.TSACert, files.TSAKey). The certificate must carry the
// timeStamping extended key usage (sign.DevKeys makes such a certificate).
func New(chain []*x509.Certificate, key crypto.Signer) (*Server, error) {
	if len(chain) == 0 || key == nil {
		return nil, errors.New("tsa: need a certificate and its key")
	}
	ok := false
	for _, u := range chain[0].ExtKeyUsage {
		ok = ok || u == x509.ExtKeyUsageTimeStamping
	}
	if !ok {
		return nil, fmt.Errorf("tsa: certificate %q lacks the timeStamping extended key usage", chain[0].Subject.CommonName)
	}
	return &Server{Chain: chain, Key: key, Policy: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 3161, 1}}, nil
}

// ServeHTTP implements the HTTP transport of RFC 3161 §3.4.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST an application/timestamp-query", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequest))
	if err != nil {
		http.Error(w, "read query: "+err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := s.Respond(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(resp)
}

// Respond turns a DER TimeStampReq into a DER TimeStampResp.
func (s *Server) Respond(query []byte) ([]byte, error) {
	req, err := timestamp.ParseRequest(query)
	if err != nil {
		return nil, fmt.Errorf("tsa: parse query: %w", err)
	}
	now := time.Now
	if s.Clock != nil {
		now = s.Clock
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              now().UTC().Truncate(time.Second),
		Accuracy:          time.Second,
		Nonce:             req.Nonce,
		Policy:            s.Policy,
		AddTSACertificate: req.Certificates,
	}
	resp, err := ts.CreateResponseWithOpts(s.Chain[0], s.Key, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("tsa: sign token: %w", err)
	}
	return resp, nil
}

// Timestamp returns a token over imprint, a SHA-256 digest, made in-process:
// the query and the reply go through the same DER encoding and checks as a
// Client's, so the token is exactly what a verifier will see, without a port
// to listen on or a server to stop.
func (s *Server) Timestamp(ctx context.Context, imprint []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	query, nonce, err := newQuery(imprint)
	if err != nil {
		return nil, err
	}
	reply, err := s.Respond(query)
	if err != nil {
		return nil, err
	}
	return readReply("timestamp from "+s.Chain[0].Subject.CommonName, reply, imprint, nonce)
}
