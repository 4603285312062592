package storage

import (
	"context"
	"errors"
	"time"
)

// Document statuses, as a person sees them.
const (
	StatusReceived   = "received"
	StatusProcessing = "processing"
	StatusDone       = "done"
	StatusFailed     = "failed"
)

// ErrStale is returned when a write names a document run or stage that is no longer current: a
// retried document started a new run, or another worker already moved the document on. The caller
// drops its task; nothing is wrong.
var ErrStale = errors.New("stale stage")

// Document is the record of one original file and where it stands.
type Document struct {
	ID           string
	SHA256       string
	OriginalKey  string // in the Work bucket
	Filename     string
	Source       string
	Size         int64
	MediaType    string
	Status       string
	Stage        string // the stage to run next, or the one that failed
	Run          int
	Error        string
	Title        string
	Pages        int
	Code         string
	PDFKey       string // unsigned PDF, Work bucket
	SignedKey    string // signed PDF, Archive bucket
	SignedSHA256 string
	// SignedOriginal is true when the original is a PDF that was already signed: it is archived as
	// it is, with the agency's signature appended, never rebuilt.
	SignedOriginal bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NewDocument is what is known of a document when its bytes arrive.
type NewDocument struct {
	ID          string
	SHA256      string
	OriginalKey string
	Filename    string
	Source      string
	Size        int64
	MediaType   string
}

// Filter selects documents; zero fields select all.
type Filter struct {
	SHA256 string
	Status string
	Limit  int // at most this many; 0 means 50
	Offset int
}

// StageRun is one stage of one run of a document.
type StageRun struct {
	Name       string
	Run        int
	Status     string // running, done, failed
	Attempts   int
	StartedAt  time.Time
	FinishedAt *time.Time
	Error      string
}

// Page is one page image of a document and what OCR read on it.
type Page struct {
	N          int // 1-based
	ImageKey   string
	Format     string
	Width      int
	Height     int
	DPIX, DPIY float64
	OCRKey     string // empty until the page is recognised
	Text       string
	Confidence float64

	OCRStartedAt  *time.Time
	OCRFinishedAt *time.Time
}

// Query is a search: words and filters; zero filters select everything.
type Query struct {
	Text     string
	Owner    string     // owner identifier
	Kind     string     // kind of paper, as recorded
	Agency   string     // agency identifier: the left part of the document's code
	Code     string     // the document's code, or the code of a dossier it belongs to
	From, To *time.Time // issue date (or, when unknown, the day it was received), inclusive
	Limit    int        // 0 means 20
	Offset   int
}

// Hit is one search result.
type Hit struct {
	ID      string
	Code    string
	Title   string
	Snippet string
}

// Records keeps the truth about documents. Implementations are safe for concurrent use. Every method
// that names a document returns ErrNotFound (wrapped) when it does not exist.
type Records interface {
	// CreateDocument records a document unless one with the same SHA-256 exists. It returns the document
	// with that SHA-256 and whether this call created it; creating twice is harmless.
	CreateDocument(ctx context.Context, d NewDocument) (Document, bool, error)

	// Document returns the document with id.
	Document(ctx context.Context, id string) (Document, error)

	// List returns the documents that match f, newest first, and how many match in all.
	List(ctx context.Context, f Filter) (docs []Document, total int, err error)

	// Stages returns the stage runs of the document's current run, in the order they started.
	Stages(ctx context.Context, id string) ([]StageRun, error)

	// StartStage records an attempt at stage in run: the document becomes processing, the stage running.
	// It returns ErrStale unless the document is in that run, at that stage, and neither done nor failed.
	StartStage(ctx context.Context, id string, run int, stage string) error

	// FinishStage records stage as done and moves the document to next, or to done when next is "".
	// It returns ErrStale under the same conditions as StartStage.
	FinishStage(ctx context.Context, id string, run int, stage, next string) error

	// FailStage records why an attempt at stage failed. When final, the document becomes failed with
	// reason; otherwise it stays processing and the stage is retried. ErrStale as for StartStage.
	FailStage(ctx context.Context, id string, run int, stage, reason string, final bool) error

	// Retry starts a new run of a failed document at the stage that failed, and returns it. A document
	// that is not failed is returned unchanged.
	Retry(ctx context.Context, id string) (Document, error)

	// Pending returns documents received or processing whose last change is older than idle: those
	// whose task may have been lost, at most limit of them, oldest first.
	Pending(ctx context.Context, idle time.Duration, limit int) ([]Document, error)

	// SetPages replaces the document's pages (so ingest can run twice) and sets its page count.
	SetPages(ctx context.Context, id string, pages []Page) error

	// Pages returns the document's pages in order.
	Pages(ctx context.Context, id string) ([]Page, error)

	// StartPage records that recognition of page n began. It returns ErrStale unless the document is in
	// run, at stage "ocr", and neither done nor failed.
	StartPage(ctx context.Context, id string, run, n int) error

	// PageRecognized records what OCR read on page n. When it was the last page without a result, it
	// also finishes stage "ocr", moving the document to next, and reports finished: of all the page
	// tasks of a run, exactly one sees finished. ErrStale as for StartPage.
	PageRecognized(ctx context.Context, id string, run, n int, ocrKey, text string, confidence float64, next string) (finished bool, err error)

	// MarkSignedOriginal records that the original already carries signatures.
	MarkSignedOriginal(ctx context.Context, id string) error

	// SetPDF records the key of the unsigned PDF.
	SetPDF(ctx context.Context, id, key string) error

	// AssignCode gives the document the next code of agency's daily sequence for day (in the day's own
	// time zone), formatted by format, inside one transaction; a document that has a code keeps it.
	// Concurrent calls never give one code twice.
	AssignCode(ctx context.Context, id, agency string, day time.Time, format func(seq int) (string, error)) (string, error)

	// SetSigned records the signed file.
	SetSigned(ctx context.Context, id, key, sha256 string) error

	// Index stores the document's title and full text for search.
	Index(ctx context.Context, id, title, text string) error

	// Text returns the text of each page, in order.
	Text(ctx context.Context, id string) ([]string, error)

	// Search finds documents whose text matches q.Text (words, "phrases", -exclusions) with or
	// without diacritics, and every filter set; those matching with the diacritics as typed first.
	Search(ctx context.Context, q Query) (total int, hits []Hit, err error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
