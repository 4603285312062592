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
	"fmt"
	"time"

	"github.com/sohoa-vn/sohoa/internal/fault"
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

// Label is the stage's name in the words a person at the counter reads.
func (s Stage) Label() string {
	switch s {
	case Ingest:
		return "tiếp nhận tệp"
	case OCR:
		return "nhận dạng chữ"
	case Code:
		return "cấp mã"
	case PDFA:
		return "tạo PDF/A"
	case Sign:
		return "ký số"
	case Index:
		return "lập chỉ mục"
	}
	return string(s)
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

// Payload is the body of every task: which document, in which run, for a page task which page, and
// the generation of the work. Everything else the task needs is read from the store, so a task never
// carries stale data.
type Payload struct {
	DocumentID string `json:"document_id"`
	Run        int    `json:"run"`
	Page       int    `json:"page,omitempty"` // 1-based, page tasks only
	// Gen counts the times this stage (or page) of this run was taken over from a worker that died
	// while running it. A takeover needs a task ID of its own, since the dead worker's task stays
	// leased in Redis for a while; when Asynq hands that old task out again, its older Gen marks it
	// stale.
	Gen int `json:"gen,omitempty"`
	// Lane and Agency route the task to its queue: bulk work waits in a queue of its agency's own.
	// Neither changes what the task does.
	Lane   Lane   `json:"lane,omitempty"`
	Agency string `json:"agency,omitempty"`
}

// Encode returns the payload as JSON (schemas/task-payload.schema.json).
func (p Payload) Encode() ([]byte, error) {
	if err := p.valid(); err != nil {
		return nil, err
	}
	return json.Marshal(p)
}

// DecodePayload parses a task body.
func DecodePayload(b []byte) (Payload, error) {
	var p Payload
	if err := json.Unmarshal(b, &p); err != nil {
		return Payload{}, fmt.Errorf("decode payload: %w", err)
	}
	if err := p.valid(); err != nil {
		return Payload{}, err
	}
	return p, nil
}

func (p Payload) valid() error {
	if p.DocumentID == "" || p.Run < 1 || p.Page < 0 || p.Gen < 0 {
		return fmt.Errorf("invalid payload %+v", p)
	}
	if _, err := ParseLane(string(p.Lane)); err != nil {
		return fmt.Errorf("invalid payload %+v: %w", p, err)
	}
	return nil
}

// TaskID identifies the task of stage s for p. Enqueueing the same stage of the same run twice gives
// one task; a retried document gets a new run, and a takeover a new generation, so new IDs.
func TaskID(s Stage, p Payload) string {
	return fmt.Sprintf("%s:%d:%s", p.DocumentID, p.Run, s) + genSuffix(p.Gen)
}

func genSuffix(gen int) string {
	if gen == 0 {
		return ""
	}
	return fmt.Sprintf(":g%d", gen)
}

// PageTaskType is the Asynq task type that recognises one page. The OCR stage fans out into one such
// task per page, so the pages of a long dossier are read by every worker at once; the task that
// records the last page finishes the stage.
const PageTaskType = "sohoa:ocr:page"

// PageTaskID identifies the page task of p.Page.
func PageTaskID(p Payload) string {
	return fmt.Sprintf("%s:%d:%s:%d", p.DocumentID, p.Run, OCR, p.Page) + genSuffix(p.Gen)
}

// PageTimeout bounds the recognition of one page.
const PageTimeout = 5 * time.Minute

// Final reports whether a failed attempt ends the document's run: retrying cannot help (the input is
// bad, a rule refuses it: see fault.Kind.Retryable), or the attempt was the last allowed. retried
// counts the retries before this attempt, from 0, as Asynq does. A dependency that is away, or an
// interrupted attempt, may use all maxRetry retries (the retry budget); any other failure (a crash,
// an error nobody classified) is tried MaxOtherRetries times, so that a person is not kept waiting
// half an hour for a verdict that will not change.
func Final(err error, retried, maxRetry int) bool {
	switch fault.KindOf(err) {
	case fault.Unavailable, fault.Interrupted:
		return retried >= maxRetry
	case fault.Other:
		return retried >= min(maxRetry, MaxOtherRetries)
	}
	return true
}

// MaxOtherRetries bounds the retries of a failure that is neither an outage nor the input's fault.
const MaxOtherRetries = 4

// Backoff is the delay before retry n+1, where n counts the retries already made, from 0 as Asynq
// passes it: 2 s, 4 s, 8 s… doubling up to 5 minutes. Asynq's default grows as n⁴ and would leave a
// person waiting for a verdict far too long; a fixed short delay would give up during an outage.
func Backoff(n int) time.Duration {
	const first, ceiling = 2 * time.Second, 5 * time.Minute
	if n < 0 {
		n = 0
	}
	if n >= 8 { // 2 s << 8 is past the ceiling already; avoid the shift overflowing
		return ceiling
	}
	return min(first<<n, ceiling)
}

// Retries returns how many retries, spaced by Backoff, it takes for the delays between them to add
// up to budget: a stage that keeps failing for a transient reason is given up only after a
// dependency has been away for at least that long. A budget of 30 minutes gives 13 retries.
func Retries(budget time.Duration) int {
	n := 0
	for waited := time.Duration(0); waited < budget; n++ {
		waited += Backoff(n)
	}
	return n
}

// DefaultRetryBudget outlasts a restart of a dependency (MinIO, PostgreSQL, the TSA) of several
// minutes, while a bad input still fails at once.
const DefaultRetryBudget = 30 * time.Minute
