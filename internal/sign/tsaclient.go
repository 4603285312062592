package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"
)

const (
	// DefaultTSATimeout bounds one TSA request.
	DefaultTSATimeout = 10 * time.Second
	// DefaultTSARetries is how often a failed TSA request is repeated.
	DefaultTSARetries = 2
	tsaBackoff        = 500 * time.Millisecond
	maxTSAResponse    = 1 << 20
)

// timestamp asks the TSA for a token over the signature value (the
// signature-timestamp of CAdES), retrying transient failures with backoff.
func (s *Signer) timestamp(ctx context.Context, signature []byte) ([]byte, error) {
	retries := s.TSARetries
	switch {
	case retries == 0:
		retries = DefaultTSARetries
	case retries < 0:
		retries = 0
	}
	var err error
	for attempt := 0; ; attempt++ {
		var token []byte
		token, err = s.timestampOnce(ctx, signature)
		if err == nil {
			return token, nil
		}
		if attempt >= retries || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(tsaBackoff << attempt):
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("timestamp from %s: %w", redact(s.TSAURL), ctx.Err())
	}
	return nil, fmt.Errorf("timestamp from %s: %w", redact(s.TSAURL), err)
}

func (s *Signer) timestampOnce(ctx context.Context, signature []byte) ([]byte, error) {
	timeout := s.TSATimeout
	if timeout <= 0 {
		timeout = DefaultTSATimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, err
	}
	req, err := timestamp.CreateRequest(bytes.NewReader(signature), &timestamp.RequestOptions{
		Hash: crypto.SHA256, Certificates: true, Nonce: nonce,
	})
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, s.TSAURL, bytes.NewReader(req))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	client := s.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTSAResponse))
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("parse response: %w", err)
	}
	want := sha256.Sum256(signature)
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, want[:]) {
		return nil, errors.New("token does not cover the signature value")
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, errors.New("token nonce differs from the request's (replayed answer?)")
	}
	return ts.RawToken, nil
}

// redact drops credentials from a URL before it goes into an error.
func redact(u string) string {
	if i, j := bytes.IndexByte([]byte(u), '@'), bytes.Index([]byte(u), []byte("://")); i > 0 && j > 0 && i > j {
		return u[:j+3] + "…" + u[i:]
	}
	return u
}
