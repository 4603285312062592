// Package storage holds sohoa's two stores behind interfaces: Objects, the bytes (originals, page
// images, intermediate and signed PDFs) in S3-compatible object storage, and Records, the truth about
// every document in PostgreSQL. Each interface documents its error contract method by method; the
// conformance tests in this package run against the real backends.
package storage

import "errors"

// ErrNotFound is returned (possibly wrapped) when an object or a record does not exist.
var ErrNotFound = errors.New("not found")
