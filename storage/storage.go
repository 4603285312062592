// Package storage holds sohoa's two stores behind interfaces: Objects, the bytes (originals, page
// images, intermediate and signed PDFs) in S3-compatible object storage, and Records, the truth about
// every document in PostgreSQL. Each interface documents its error contract method by method; the
// conformance tests in this package run against the real backends.
package storage

import (
	"errors"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// ErrNotFound is returned (possibly wrapped) when an object or a record does not exist. It is a
// fault.NotFound.
var ErrNotFound error = &fault.Error{Kind: fault.NotFound, Err: errors.New("not found")}

// ErrExists is returned (wrapped) by a write that creates only, when something is there already. It
// is a fault.Conflict.
var ErrExists error = &fault.Error{Kind: fault.Conflict, Err: errors.New("exists already")}
