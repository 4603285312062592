package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sohoa-vn/sohoa/internal/code"
)

// ErrNotReusable is returned (wrapped) when a paper cannot be reused for a dossier: it belongs to
// another owner, is not done, is marked not reusable, or is no longer valid.
var ErrNotReusable = errors.New("paper cannot be reused")

// Why a paper cannot be reused; each wraps ErrNotReusable.
var (
	ErrOtherOwner = fmt.Errorf("a paper of another owner: %w", ErrNotReusable)
	ErrNotReady   = fmt.Errorf("not done or not reusable: %w", ErrNotReusable)
	ErrExpired    = fmt.Errorf("no longer valid: %w", ErrNotReusable)
)

// Expired reports whether a paper valid until validUntil (a date, nil for no end) is expired at now:
// it is valid through the whole of that day, Vietnam's day (code.Vietnam), wherever the server runs.
func Expired(validUntil *time.Time, now time.Time) bool {
	if validUntil == nil {
		return false
	}
	y, m, d := now.In(code.Vietnam).Date()
	return validUntil.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Actor is who makes a change, for the event that records it.
type Actor struct {
	Name   string // the account's name
	Client string // the address the request came from
}

// Owner is a citizen (by personal ID) or a business (by tax code).
type Owner struct {
	ID   string // canonical: 12 digits, or 10 digits with an optional -NNN branch suffix
	Kind string // citizen or business
	Name string
}

// Dossier is one administrative dossier as received at the counter.
type Dossier struct {
	ID            string
	Code          string
	ProcedureCode string
	ProcedureName string
	Agency        string
	AgencyName    string
	Owner         Owner
	ReceivedAt    time.Time
	DueOn         *time.Time // the return appointment, a day (midnight UTC); nil: none given
	Status        string
	Staff         string
}

// DossierCursor is where a listing of dossiers by receipt goes on: after the dossier with ID,
// received at ReceivedAt (the last one of the page before). The zero value starts at the beginning.
type DossierCursor struct {
	ReceivedAt time.Time
	ID         string
}

// After is the cursor that goes on after d.
func (d Dossier) After() DossierCursor { return DossierCursor{ReceivedAt: d.ReceivedAt, ID: d.ID} }

// NewDossier is what the counter knows when it receives a dossier.
type NewDossier struct {
	ID            string
	ProcedureCode string
	ProcedureName string
	Agency        string
	AgencyName    string
	Owner         Owner
	Staff         string // the account receiving it
	Client        string // the address it was received from
	ReceivedAt    time.Time
	DueOn         *time.Time // the return appointment, a day; nil: none
}

// Procedure is an administrative procedure of the national catalogue: its code (mã TTHC), name,
// field (lĩnh vực), the level that settles it, and the papers it asks for.
type Procedure struct {
	Code, Name, Field, Level string
	Papers                   []ProcedurePaper
}

// ProcedurePaper is a paper a procedure asks for, and whether one the store holds may be reused.
type ProcedurePaper struct {
	Name     string `json:"name"`
	Reusable bool   `json:"reusable"`
}

// Paper is a document seen as a paper of its owner: what it is and how long it is valid.
type Paper struct {
	Document
	OwnerID       string
	Kind          string
	Notation      string
	IssuedOn      *time.Time
	IssuingBody   string
	ValidUntil    *time.Time
	ValidityScope string
	Reusable      bool
	// Dossiers lists the codes of the dossiers the paper was handed in with or reused for.
	Dossiers []string
	// Extracted holds the fields read from the OCR text (a JSON array), proposals until confirmed.
	Extracted json.RawMessage
}

// PaperFields are the facts about a paper a person gives or confirms; nil pointers leave a field
// as it is.
type PaperFields struct {
	OwnerID       *string
	Kind          *string
	Notation      *string
	IssuedOn      *time.Time
	IssuingBody   *string
	ValidUntil    *time.Time
	ValidityScope *string
	Reusable      *bool
}

// Attachment is a paper's place in a dossier.
type Attachment struct {
	DossierID     string
	DocumentID    string
	Role          string // component or result
	ComponentCode string
	Reused        bool // taken from the store, not handed in again
	AttachedAt    time.Time
	Document      Document
}

// Event is one entry of the append-only access trail: who read or changed which document, owner or
// dossier, from where. Events are hash-chained (Canonical, ChainHash).
type Event struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	Actor      string         `json:"actor"`  // the account's name, or "sohoa" for the workers
	Action     string         `json:"action"` // dossier.received, document.attached, document.file, search, …
	DossierID  string         `json:"dossier_id,omitempty"`
	DocumentID string         `json:"document_id,omitempty"`
	OwnerID    string         `json:"owner_id,omitempty"`
	Detail     map[string]any `json:"detail,omitempty"`
	// The access trail's own fields, shown to auditors (GET /api/v1/audit), not in a dossier's history.
	Client string `json:"-"` // the client's address
	Query  string `json:"-"` // what a search asked for
	// Agencies are the agencies whose auditors see the event: the account's, and the owning agency
	// of a paper reused across agencies.
	Agencies []string `json:"-"`
	PrevHash []byte   `json:"-"`
	Hash     []byte   `json:"-"`
}

// Dossiers keeps owners, dossiers and the papers in them. Implementations are safe for concurrent
// use; methods naming a dossier or document that does not exist return ErrNotFound (wrapped).
type Dossiers interface {
	// CreateDossier records the owner (its name updated when given), the agency and procedure (their
	// names updated when given), and the dossier, whose code is format applied to the next number of
	// the agency's sequence for the day of ReceivedAt, all in one transaction.
	CreateDossier(ctx context.Context, d NewDossier, day time.Time, format func(seq int) (string, error)) (Dossier, error)

	// Procedures returns at most limit procedures whose code starts with q or whose name holds q,
	// with or without diacritics, by code; q "" lists the first limit.
	Procedures(ctx context.Context, q string, limit int) ([]Procedure, error)

	// Dossier returns the dossier with id.
	Dossier(ctx context.Context, id string) (Dossier, error)
	// DossierByCode returns the dossier whose code is code (the code a cover sheet's QR names).
	DossierByCode(ctx context.Context, code string) (Dossier, error)
	// DossierVisible returns nil when the dossier is of one of s's agencies, else ErrNotFound.
	DossierVisible(ctx context.Context, id string, s Scope) error
	// ReceivedDossiers returns the dossiers of s's agencies received in [from, to), in the order
	// they were received (ties by ID), at most limit (≥ 1) of them after the cursor. Passing the
	// last one back as the cursor walks the period page by page, each dossier once, with nothing
	// held in the store between pages (keyset pagination): the national portal's export of a year
	// costs per page what one of a day does.
	ReceivedDossiers(ctx context.Context, s Scope, from, to time.Time, after DossierCursor, limit int) ([]Dossier, error)

	// Attach puts a document into a dossier with role, giving it the next code of the agency's series
	// (format turns the number into the code). Attaching twice returns the first attachment. With
	// reused, the document must be a done, reusable, still valid paper of the dossier's owner, else
	// ErrNotReusable; without, a paper that already has an owner must be the dossier owner's
	// (ErrOtherOwner). The event is logged as done by by.
	Attach(ctx context.Context, dossierID, documentID, role string, reused bool, by Actor, format func(series string, seq int) (string, error)) (Attachment, error)

	// Attachments lists a dossier's papers in the order they were attached.
	Attachments(ctx context.Context, dossierID string) ([]Attachment, error)

	// Papers lists an owner's papers, newest first. With validOn set, only those done, reusable and
	// valid on that day.
	Papers(ctx context.Context, ownerID string, validOn *time.Time) ([]Paper, error)

	// Paper returns one document as a paper.
	Paper(ctx context.Context, documentID string) (Paper, error)

	// SetExtracted stores the fields read from the paper's OCR text (a JSON array), replacing earlier
	// ones.
	SetExtracted(ctx context.Context, documentID string, fields json.RawMessage) error

	// SetPaper records facts about a paper.
	SetPaper(ctx context.Context, documentID string, f PaperFields, by Actor) error

	// ReviewPage records that by checked the text of page n (1-based) against its image
	// (Page.ReviewedBy, ReviewedAt; a check again replaces the earlier one), with a "page.reviewed"
	// event naming the page. ErrNotFound when the document or the page does not exist;
	// ErrPageNotRead when the page has not been read yet, so has no text to check.
	ReviewPage(ctx context.Context, documentID string, n int, by Actor) error

	// Log appends an event.
	Log(ctx context.Context, e Event) error

	// History returns the events of a dossier, or of a document when dossierID is "", oldest first.
	History(ctx context.Context, dossierID, documentID string) ([]Event, error)
}

// PaperChanges is the detail of a paper.updated event: for each field f sets, its old and new
// values ({"kind": {"old": …, "new": …}}), so that a paper's history keeps every earlier value.
// Dates are written YYYY-MM-DD.
func PaperChanges(before Paper, f PaperFields) map[string]any {
	out := map[string]any{}
	str := func(name string, old string, new *string) {
		if new != nil {
			out[name] = map[string]any{"old": old, "new": *new}
		}
	}
	day := func(name string, old *time.Time, new *time.Time) {
		if new == nil {
			return
		}
		o := ""
		if old != nil {
			o = old.Format(time.DateOnly)
		}
		out[name] = map[string]any{"old": o, "new": new.Format(time.DateOnly)}
	}
	str("owner_id", before.OwnerID, f.OwnerID)
	str("kind", before.Kind, f.Kind)
	str("notation", before.Notation, f.Notation)
	day("issued_on", before.IssuedOn, f.IssuedOn)
	str("issuing_body", before.IssuingBody, f.IssuingBody)
	day("valid_until", before.ValidUntil, f.ValidUntil)
	str("validity_scope", before.ValidityScope, f.ValidityScope)
	if f.Reusable != nil {
		out["reusable"] = map[string]any{"old": before.Reusable, "new": *f.Reusable}
	}
	return out
}
