// Package pipeline says what a document goes through: the stages in their order, the payload of a
// stage's task, the task's identity, and what to do when a stage fails. It decides; storage remembers
// and workers do. It has no I/O of its own.
//
// A document moves received → ingest → ocr → code → pdfa → sign → index → done, or stops as failed at a
// stage. The code comes before the PDF so that the PDF/A carries it in its metadata when it is
// built: the signed file can then never disagree with the record, and no stage rewrites a PDF. PostgreSQL records where each document stands; a task in Redis only carries the work of one
// stage, and can be lost and enqueued again without harm because its ID is derived from the document,
// its run and the stage.
package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Stage is one step of the pipeline.
type Stage string

// The stages, in order.
const (
	Ingest Stage = "ingest" // sniff the type, check limits, split into page images
	OCR    Stage = "ocr"    // recognise each page's text and word boxes
	Code   Stage = "code"   // give the document its code
	PDFA   Stage = "pdfa"   // assemble the archive PDF/A: page images, invisible text, metadata
	Sign   Stage = "sign"   // sign as the agency and archive
	Index  Stage = "index"  // make the text and metadata searchable
)

// Stages returns every stage in order.
func Stages() []Stage { return []Stage{Ingest, OCR, Code, PDFA, Sign, Index} }

// First is the stage a new document starts at.
const First = Ingest

// Parse returns the stage named s.
func Parse(s string) (Stage, error) {
	for _, st := range Stages() {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown stage %q", s)
}

// Next returns the stage after s, or false when s is the last.
func (s Stage) Next() (Stage, bool) {
	all := Stages()
	for i, st := range all {
		if st == s && i+1 < len(all) {
			return all[i+1], true
		}
	}
	return "", false
}

// TaskType is the Asynq task type name of the stage.
func (s Stage) TaskType() string { return "sohoa:" + string(s) }

// Timeout bounds one attempt at the stage, so a hung library call cannot hold a worker forever.
func (s Stage) Timeout() time.Duration {
	switch s {
	case Ingest, PDFA, Sign:
		return 3 * time.Minute
	default:
		return time.Minute
	}
}

// Payload is the body of every task: which document, in which run, and for a page task which page.
// Everything else the task needs is read from the store, so a task never carries stale data.
type Payload struct {
	DocumentID string `json:"document_id"`
	Run        int    `json:"run"`
	Page       int    `json:"page,omitempty"` // 1-based, page tasks only
}

// Encode returns the payload as JSON (schemas/task-payload.schema.json).
func (p Payload) Encode() ([]byte, error) {
	if p.DocumentID == "" || p.Run < 1 {
		return nil, fmt.Errorf("invalid payload %+v", p)
	}
	return json.Marshal(p)
}

// DecodePayload parses a task body.
func DecodePayload(b []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return Payload{}, fmt.Errorf("decode payload: %w", err)
	}
	if p.DocumentID == "" || p.Run < 1 {
		return Payload{}, fmt.Errorf("invalid payload %s", b)
	}
	return p, nil
}

// TaskID identifies the task of stage s for p. Enqueueing the same stage of the same run twice gives
// one task; a retried document gets a new run and so new IDs.
func TaskID(s Stage, p Payload) string {
	return fmt.Sprintf("%s:%d:%s", p.DocumentID, p.Run, s)
}

// PageTaskType is the Asynq task type that recognises one page. The OCR stage fans out into one such
// task per page, so the pages of a long dossier are read by every worker at once; the task that
// records the last page finishes the stage.
const PageTaskType = "sohoa:ocr:page"

// PageTaskID identifies the page task of p.Page.
func PageTaskID(p Payload) string {
	return fmt.Sprintf("%s:%d:%s:%d", p.DocumentID, p.Run, OCR, p.Page)
}

// PageTimeout bounds the recognition of one page.
const PageTimeout = 5 * time.Minute

// Permanent marks an error that retrying cannot mend (the input is bad, a rule is broken). The stage
// fails at once with the error's text as the reason a person reads.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// MaxRetry is how many times a stage is retried after a transient error before the document fails.
const MaxRetry = 5

// Final reports whether a failed attempt ends the document's run: the error is permanent, or the
// attempt (0-based retry count) was the last allowed.
func Final(err error, retried, maxRetry int) bool {
	return IsPermanent(err) || retried >= maxRetry
}

// Backoff is the delay before retry n (1-based): exponential from 2 s, capped at 5 minutes. Asynq's
// default grows as n⁴ and would leave a person waiting for a failure verdict far too long.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 8 {
		return 5 * time.Minute
	}
	return min(time.Duration(1<<n)*time.Second, 5*time.Minute)
}
