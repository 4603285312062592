// Package fault says what kind of failure an error is, so that callers decide by kind (retry now,
// wait for a dependency, tell a person, give up) instead of by message. An *Error carries the
// operation that failed and its Kind and, when a person is to read about it, a stable code and a
// Vietnamese reason; the wrapped error keeps the details for the log.
//
// Callers test kinds with errors.Is:
//
//	if errors.Is(err, fault.Unavailable) { /* wait for the dependency and try again */ }
//
// and read what a person sees with Reason.
package fault

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is a class of failure. It is an error itself so that errors.Is(err, fault.Input) works on any
// chain holding an *Error of that kind (or any error whose Is method reports it).
type Kind uint8

// The kinds. Only Other, Unavailable and Interrupted may succeed when simply tried again.
const (
	Other       Kind = iota // not classified: retried with backoff, within the retry budget
	Input                   // the input is bad (empty, truncated, not a scan, too big): retrying cannot help
	Unavailable             // a dependency (database, object store, queue, TSA) did not answer: wait, then retry
	Interrupted             // the work was stopped (shutdown, a dead worker), not failed: run it again
	NotFound                // what was named does not exist
	Conflict                // it exists already and is not the caller's (an archive key held by another file)
	Refused                 // a rule forbids it until a person acts (an expired certificate, an unverified signature)
)

var kindNames = [...]string{"other", "input", "unavailable", "interrupted", "not found", "conflict", "refused"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

func (k Kind) Error() string { return k.String() }

// Retryable reports whether trying again, unchanged, can succeed.
func (k Kind) Retryable() bool { return k == Other || k == Unavailable || k == Interrupted }

// Error is a failure of an operation, of a kind.
type Error struct {
	Op   string // what was being done: "sign", "s3 get work/pages/…"
	Kind Kind
	// Code is a stable English identifier of the failure (too_many_pixels, certificate_expired) for
	// programs and metrics; Reason is the Vietnamese sentence a person reads. Both may be empty for
	// failures no person sees as such.
	Code, Reason string
	Err          error
}

// E returns an *Error of kind for op wrapping err. A nil err gives nil, so E can wrap a call's result.
func E(op string, kind Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Kind: kind, Err: err}
}

// Tell returns an *Error a person reads: kind, a stable code and a Vietnamese reason, with err (which
// may be nil) kept for the log.
func Tell(op string, kind Kind, code, reason string, err error) error {
	return &Error{Op: op, Kind: kind, Code: code, Reason: reason, Err: err}
}

func (e *Error) Error() string {
	parts := make([]string, 0, 4)
	for _, p := range []string{e.Op, e.Code, e.Reason} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's kind.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind && k != Other
}

// KindOf returns the kind of the first classified error in err's chain, or Other.
func KindOf(err error) Kind {
	for _, k := range []Kind{Input, Refused, Conflict, NotFound, Interrupted, Unavailable} {
		if errors.Is(err, k) {
			return k
		}
	}
	return Other
}

// Explained is implemented by errors that carry a reason for a person: *Error and *scan.InputError.
type Explained interface {
	Explain() (code, reason string)
}

// Reason returns the stable code and the Vietnamese reason of the first error in err's tree that has
// a reason, or ok false: then nothing in it was written for a person.
func Reason(err error) (code, reason string, ok bool) {
	if err == nil {
		return "", "", false
	}
	if x, is := err.(Explained); is {
		if code, reason = x.Explain(); reason != "" {
			return code, reason, true
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return Reason(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if code, reason, ok = Reason(e); ok {
				return code, reason, true
			}
		}
	}
	return "", "", false
}

// Explain returns e's code and reason, empty when e was not written for a person.
func (e *Error) Explain() (code, reason string) { return e.Code, e.Reason }
