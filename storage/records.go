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
	// StatusSplit ends a scanned stack that cover or separator sheets divided into papers: the
	// stack itself is never coded, signed or archived (its sheets stay out of the archive); each of
	// its parts is a document of its own.
	StatusSplit = "split"
)

// Terminal reports whether a document with status is at the end of its run: nothing more runs
// unless a person retries it.
func Terminal(status string) bool {
	return status == StatusDone || status == StatusFailed || status == StatusSplit
}

// Part is one paper of a split stack: the document made of its pages, and the dossier the sheet
// before it named, when it was attached to it ("" otherwise).
type Part struct {
	N                   int    // 1-based, in the stack's order
	DocumentID          string // the paper's own document
	FirstPage, LastPage int    // the stack's pages it holds, 1-based, inclusive
	DossierID           string
}

// ErrStale is returned when a write names a document run or stage that is no longer current: a
// retried document started a new run, or another worker already moved the document on. The caller
// drops its task; nothing is wrong.
var ErrStale = errors.New("stale stage")

// Document is the record of one original file and where it stands.
type Document struct {
	ID            string
	SHA256        string
	OriginalKey   string // in the Work bucket
	Filename      string
	Source        string
	Size          int64
	MediaType     string
	Status        string
	Stage         string // the stage to run next, or the one that failed
	Run           int
	Gen           int    // generation of the current stage's work (Claim.Gen)
	Error         string // the Vietnamese reason of the last failure
	ErrorCode     string // its stable code
	Retryable     bool   // whether a retry of the failed document can succeed
	Title         string
	Pages         int
	Code          string
	PDFKey        string // unsigned PDF, Work bucket
	Conformance   string // PDF/A conformance of the archive copy ("2u", "2b"), "" when it is not PDF/A
	SignedKey     string // signed PDF, Archive bucket
	SignedVersion string // its object version, when the bucket keeps versions
	SignedSHA256  string
	// SignedOriginal is true when the original is a PDF that was already signed: it is archived as
	// it is, with the agency's signature appended, never rebuilt.
	SignedOriginal bool
	Agency         string // the agency that received it
	UploadedBy     int64  // the account that uploaded it, 0 when none did (the inbox)
	Lane           string // how urgent its work is (pipeline's lanes); storage keeps it, the workers read it
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
	Agency      string // must exist
	UploadedBy  int64  // 0: none
	Lane        string // "" is the counter's
}

// Filter selects documents; zero fields select all.
type Filter struct {
	SHA256 string
	Status string
	Scope  *Scope // the documents it reaches; nil: all
	Limit  int    // at most this many; 0 means 50
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

// Claim names one attempt at a stage, or at a page of the page stage ("ocr"), of a document's run:
// which generation of the work it is, and the worker making it.
type Claim struct {
	Document string
	Run      int
	Stage    string
	Page     int // 1-based; 0 for a whole stage
	Gen      int
	Worker   string
}

// Failure is what a person reads about a failed attempt.
type Failure struct {
	Code      string // stable, e.g. too_many_pixels, unavailable
	Reason    string // a Vietnamese sentence
	Retryable bool
}

// PageResult is what OCR read on a page.
type PageResult struct {
	OCRKey     string // words and boxes, in the Work bucket
	Text       string
	Confidence float64
	Review     bool // flagged for a person to check its text (the OCR stage decides, with its threshold)
}

// SignedFile is a signed file in the Archive bucket.
type SignedFile struct {
	Key, VersionID, SHA256 string
}

// Worker is one process running stage handlers, as its heartbeats record it.
type Worker struct {
	ID   string
	Host string
	PID  int
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
	Review     bool // its text needs a person's eye: the OCR stage's decision when it read the page
	// ReviewedBy and ReviewedAt: a person checked the text of a page flagged for review
	// (Dossiers.ReviewPage) since it was last read; empty while it still waits.
	ReviewedBy string
	ReviewedAt *time.Time
	Gen        int    // generation of its recognition (Claim.Gen)
	Worker     string // the worker reading it now, if any

	OCRStartedAt  *time.Time
	OCRFinishedAt *time.Time
}

// PageProgress is what a document's pages tell of it while people follow it.
type PageProgress struct {
	Read    int   // pages whose text is read (OCRKey set)
	Waiting []int // pages flagged for review (Review) that nobody has checked (ReviewedAt nil), in order
}

// Query is a search: words and filters; zero filters select everything.
type Query struct {
	Text     string
	Owner    string     // owner identifier
	Kind     string     // kind of paper, as recorded
	Agency   string     // the receiving agency's identifier (for a document of none: the left part of its code)
	Code     string     // the document's code, or the code of a dossier it belongs to
	From, To *time.Time // issue date (or, when unknown, the day it was received in Vietnam), inclusive
	Scope    *Scope     // the documents it reaches; nil: all
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

// MaxCounted is how many matches a search counts exactly; beyond it, the total may be an estimate.
const MaxCounted = 10000

// Results is what a search found: a page of hits, how many documents match, and the facets.
type Results struct {
	Total     int  // documents that match; exact unless Estimated
	Estimated bool // Total is an estimate, and more than MaxCounted documents match
	Hits      []Hit
	Facets    Facets
}

// Facets count matches by what a search can be narrowed by.
type Facets struct {
	Counted int  // the matches counted
	Sampled bool // Counted are a part of the matches: the newest, or the first the index gave
	Kind    []Facet
	Agency  []Facet // by agency identifier
	Month   []Facet // by the month of the paper's date (as From and To filter it), YYYY-MM, newest first
	Owner   []Facet // by owner identifier
}

// Facet is one value of a facet and how many of the counted matches have it; values are ordered by
// count, most first, except months.
type Facet struct {
	Value string
	Count int
}

// Records keeps the truth about documents. Implementations are safe for concurrent use. Every method
// that names a document returns ErrNotFound (wrapped) when it does not exist, and every method returns
// an error for which errors.Is(err, fault.Unavailable) holds when the store does not answer (the
// caller waits and tries again).
type Records interface {
	// CreateDocument records a document unless one with the same SHA-256 exists. It returns the document
	// with that SHA-256 and whether this call created it; creating twice is harmless.
	CreateDocument(ctx context.Context, d NewDocument) (Document, bool, error)

	// Document returns the document with id.
	Document(ctx context.Context, id string) (Document, error)
	// Visible returns nil when s reaches the document: it is of one of s's agencies or in a dossier
	// of one, and, with s.Uploader set, was uploaded by that account. Otherwise ErrNotFound, as for
	// a document that does not exist, so that another agency cannot tell the two apart.
	Visible(ctx context.Context, id string, s Scope) error

	// List returns the documents that match f, newest first, and how many match in all.
	List(ctx context.Context, f Filter) (docs []Document, total int, err error)

	// DocumentsByStatus returns how many documents there are in each status, of every agency; a
	// status no document has may be missing. It costs the same however many documents there are: the
	// metrics read it at every scrape.
	DocumentsByStatus(ctx context.Context) (map[string]int64, error)

	// Stages returns the stage runs of the document's current run, in the order they started.
	Stages(ctx context.Context, id string) ([]StageRun, error)

	// StartStage records c's attempt at its stage: the document becomes processing, the stage running
	// and claimed by c.Worker. It returns ErrStale unless the document is in c.Run, at c.Stage, neither
	// done nor failed, and c.Gen is not older than the stage's generation (a takeover supersedes the
	// attempts before it).
	StartStage(ctx context.Context, c Claim) error

	// FinishStage records c's stage as done and moves the document to next, or to done when next is "".
	// It returns ErrStale under the conditions of StartStage, and when c.Gen is not the stage's
	// generation.
	FinishStage(ctx context.Context, c Claim, next string) error

	// FailStage records why c's attempt failed. When final, the document becomes failed with f;
	// otherwise it stays processing, the stage waits for its retry unclaimed, and f is shown as the
	// last error. ErrStale as for FinishStage.
	FailStage(ctx context.Context, c Claim, f Failure, final bool) error

	// Split records that c's stack was divided into parts: the parts are kept, c's stage is done
	// and the document ends as StatusSplit. Splitting again with the same parts is harmless.
	// ErrStale as for FinishStage.
	Split(ctx context.Context, c Claim, parts []Part) error

	// Parts returns the parts of a split stack in order; none for any other document.
	Parts(ctx context.Context, id string) ([]Part, error)

	// HandOff records that c's stage goes on in page tasks: it stays running, no longer claimed by
	// c.Worker (the pages carry the claims). ErrStale as for FinishStage.
	HandOff(ctx context.Context, c Claim) error

	// Retry starts a new run of a failed document at the stage that failed, and returns it. A document
	// that is not failed is returned unchanged.
	Retry(ctx context.Context, id string) (Document, error)

	// Heartbeat records that w is alive, now.
	Heartbeat(ctx context.Context, w Worker) error

	// Leave records that the worker id stopped: what it still claims may be taken over at once.
	Leave(ctx context.Context, id string) error

	// TakeOver finds the stages and pages of processing documents claimed by workers that have not
	// beaten for deadAfter (or are not known at all), moves each to a new generation with no worker,
	// and returns their claims: the caller enqueues them again. Concurrent calls never return one
	// piece of work twice.
	TakeOver(ctx context.Context, deadAfter time.Duration) ([]Claim, error)

	// Identity returns the identifier of this store, made when it was created: a store made afresh
	// (restored, reinstalled) has a new one.
	Identity(ctx context.Context) (string, error)

	// Pending returns documents received or processing whose last change is older than idle: those
	// whose task may have been lost, at most limit of them, oldest first.
	Pending(ctx context.Context, idle time.Duration, limit int) ([]Document, error)

	// SetPages replaces the document's pages (so ingest can run twice) and sets its page count.
	SetPages(ctx context.Context, id string, pages []Page) error

	// Pages returns the document's pages in order.
	Pages(ctx context.Context, id string) ([]Page, error)

	// PageProgress tells, for each of the documents in one read and without the pages' content,
	// how many pages are read and which wait for a person's check. A document without pages, or
	// that does not exist, has no entry.
	PageProgress(ctx context.Context, ids []string) (map[string]PageProgress, error)

	// StartPage records that c.Worker began recognising page c.Page. It returns ErrStale unless the
	// document is in c.Run, at stage "ocr", neither done nor failed, the page has no result yet, and
	// c.Gen is not older than the page's generation; ErrNotFound when there is no such page.
	StartPage(ctx context.Context, c Claim) error

	// PageRecognized records what OCR read on page c.Page. When it was the last page without a result,
	// it also finishes stage "ocr", moving the document to next, and reports finished: of all the page
	// tasks of a run, exactly one sees finished. ErrStale as for StartPage, and when c.Gen is not the
	// page's generation.
	PageRecognized(ctx context.Context, c Claim, r PageResult, next string) (finished bool, err error)

	// MarkSignedOriginal records that the original already carries signatures.
	MarkSignedOriginal(ctx context.Context, id string) error

	// SetPDF records the key of the unsigned PDF and its PDF/A conformance ("" when it is not PDF/A).
	SetPDF(ctx context.Context, id, key, conformance string) error

	// AssignCode gives the document the next code of agency's daily sequence for day (in the day's own
	// time zone), formatted by format, inside one transaction; a document that has a code keeps it.
	// Concurrent calls never give one code twice.
	AssignCode(ctx context.Context, id, agency string, day time.Time, format func(seq int) (string, error)) (string, error)

	// SetSigned records the signed file.
	SetSigned(ctx context.Context, id string, f SignedFile) error

	// Signed returns the documents that have a signed file, in ID order, the first limit of those
	// whose ID is after after ("" for the first page): the fixity sweep walks the archive with it.
	Signed(ctx context.Context, after string, limit int) ([]Document, error)

	// Index stores the document's title and full text for search.
	Index(ctx context.Context, id, title, text string) error

	// Text returns the text of each page, in order.
	Text(ctx context.Context, id string) ([]string, error)

	// Search finds documents whose text matches q.Text (words, "phrases", -exclusions) with or
	// without diacritics, and every filter set; those matching with the diacritics as typed first,
	// then the best ranked. It counts the matches exactly up to MaxCounted at least, and the facets
	// over all matches or, when there are many, over the newest.
	Search(ctx context.Context, q Query) (Results, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}
