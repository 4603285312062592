package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/minio/minio-go/v7"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// dbErr describes a failed database call on what: ErrNotFound for no rows, fault.Unavailable when
// the database did not answer (refused, dropped, shutting down, out of connections), the error
// itself otherwise. Errors already describing a store condition (ErrStale, ErrNotFound) pass through.
func dbErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case pgUnavailable(err):
		return fault.E(what, fault.Unavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func pgUnavailable(err error) bool {
	if errors.Is(err, ErrStale) || errors.Is(err, ErrNotFound) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-03: the server is shutting down or starting; 53300:
		// too many connections. Any other SQLSTATE is an answer, not an absence.
		c := pgErr.Code
		return strings.HasPrefix(c, "08") || c == "57P01" || c == "57P02" || c == "57P03" || c == "53300"
	}
	var connErr *pgconn.ConnectError
	return errors.As(err, &connErr) || pgconn.SafeToRetry(err) || errors.Is(err, pgconn.ErrConnClosed) ||
		netUnavailable(err)
}

// netUnavailable reports a connection that could not be made or was lost.
func netUnavailable(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// s3Err describes a failed object store call: ErrNotFound for a missing key, bucket or version,
// ErrExists for a conditional write that found an object, fault.Unavailable when the store did not
// answer or answered that it cannot now (5xx, throttling), the error itself otherwise.
func s3Err(what string, err error) error {
	if err == nil {
		return nil
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case resp.Code == "NoSuchKey" || resp.Code == "NoSuchBucket" || resp.Code == "NoSuchVersion":
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	case resp.Code == "PreconditionFailed" || resp.StatusCode == 412:
		return fmt.Errorf("%s: %w", what, ErrExists)
	case resp.StatusCode >= 500 || resp.Code == "SlowDown" || resp.Code == "XMinioServerNotInitialized":
		return fault.E(what, fault.Unavailable, err)
	case resp.StatusCode == 0 && netUnavailable(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		return fault.E(what, fault.Unavailable, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
