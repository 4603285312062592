// Package storage holds sohoa's stores behind interfaces: Objects, the bytes (originals, page images,
// intermediate and signed PDFs) in S3-compatible object storage, and Records and Dossiers, the truth
// about every document, dossier and owner in PostgreSQL. Each interface documents its error contract
// method by method. The conformance suites of storage/storagetest check those contracts; this
// package's tests run them against real PostgreSQL and MinIO servers, and storage/memory's against
// the in-memory stores that unit tests of the code above use.
package storage

import (
	"errors"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// ErrNotFound is returned (possibly wrapped) when an object or a record does not exist. It is a
// fault.NotFound.
var ErrNotFound error = &fault.Error{Kind: fault.NotFound, Err: errors.New("not found")}

// ErrPageNotRead is returned (wrapped) for a page that has no text yet to act on. It is a
// fault.Refused.
var ErrPageNotRead error = &fault.Error{Kind: fault.Refused, Err: errors.New("page not read yet")}

// ErrExists is returned (wrapped) by a write that creates only, when something is there already. It
// is a fault.Conflict.
var ErrExists error = &fault.Error{Kind: fault.Conflict, Err: errors.New("exists already")}
