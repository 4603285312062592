package tsa

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

const (
	// DefaultTimeout bounds one request of a Client.
	DefaultTimeout = 10 * time.Second
	// DefaultRetries is how often a Client repeats a request the TSA did
	// not answer.
	DefaultRetries = 2
	backoff        = 500 * time.Millisecond
	maxReply       = 1 << 20
)

// Client asks a timestamp authority over HTTP (RFC 3161 §3.4). Failures to
// get an answer (the TSA unreachable, a timeout, HTTP 5xx or 429, a reply
// saying "waiting" or "system failure") are fault.Unavailable and retried a
// few times; refusals and answers that are not a valid token over the
// request are fault.Refused and returned at once.
type Client struct {
	// URL of the TSA; a user and password in it are sent as HTTP basic
	// authentication.
	URL string
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Retries is how many times a request the TSA did not answer is
	// repeated; zero means DefaultRetries, negative means none.
	Retries int
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
}

// Timestamp returns a TimeStampToken over imprint, a SHA-256 digest.
func (c *Client) Timestamp(ctx context.Context, imprint []byte) ([]byte, error) {
	retries := c.Retries
	switch {
	case retries == 0:
		retries = DefaultRetries
	case retries < 0:
		retries = 0
	}
	op := "timestamp from " + redact(c.URL)
	for attempt := 0; ; attempt++ {
		token, err := c.once(ctx, op, imprint)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", op, ctx.Err())
		}
		if err == nil || attempt >= retries || !isUnavailable(err) {
			return token, err
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff << attempt):
		}
	}
}

func (c *Client) once(ctx context.Context, op string, imprint []byte) ([]byte, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	query, nonce, err := newQuery(imprint)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(query))
	if err != nil {
		return nil, rejected(op, err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, unavailable(op, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return nil, unavailable(op, fmt.Errorf("read reply: %w", err))
	}
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
		return readReply(op, body, imprint, nonce)
	case code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout:
		return nil, unavailable(op, fmt.Errorf("HTTP %s", resp.Status))
	default:
		return nil, rejected(op, fmt.Errorf("HTTP %s: %.200s", resp.Status, strings.TrimSpace(string(body))))
	}
}

// redact drops credentials from a URL before it goes into an error.
func redact(u string) string {
	if i, j := strings.IndexByte(u, '@'), strings.Index(u, "://"); i > 0 && j > 0 && i > j {
		return u[:j+3] + "…" + u[i:]
	}
	return u
}
