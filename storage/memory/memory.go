// Package memory holds in-memory implementations of storage's interfaces, for unit tests of the code
// above them (workers, internal/api): Store is Records and Dossiers, Objects is Objects. They pass the
// conformance suites of storage/storagetest, as the PostgreSQL and S3 backends do, so a test that
// passes on them exercises the contracts the real backends keep. One mutex guards each store; the
// format functions Store is given run under it, so they must not call back into the store.
package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/storage"
)

// Store keeps documents, dossiers, owners and the history in memory. The zero value is not usable;
// call New.
type Store struct {
	mu    sync.Mutex
	clock int64 // ticks at every write: orders creations and changes without reading the wall clock

	docs  map[string]*document
	bySHA map[string]*document
	codes map[string]string // document code → document ID; codes are unique

	daily   map[string]int // agency and day → last number of the day's sequence
	serials map[string]int // agency and series → last component number

	owners       map[string]storage.Owner
	agencies     map[string]string // ID → name
	parents      map[string]string // ID → parent ID
	accounts     map[string]*storage.Account
	tokens       []*apiToken
	sessions     map[string]*session             // by hash
	reports      map[int64]storage.StationReport // by station account ID
	procedures   map[string]string               // code → name
	catalogue    map[string]storage.Procedure    // code → field, level, papers (ImportProcedures)
	agencyInfo   map[string]storage.Agency       // ID → level, placeholder (ImportAgencies)
	dossiers     map[string]*dossier
	dossierCodes map[string]bool
	components   map[string]bool // component codes given

	events []event

	now      func() time.Time
	workers  map[string]time.Time // worker ID → last beat
	identity string
}

// New returns an empty Store on the wall clock.
func New() *Store { return NewAt(clock.Real{}) }

// NewAt returns an empty Store that tells time by c: the idle time of Pending, the heartbeats of
// TakeOver, the times it records.
func NewAt(c clock.Clock) *Store {
	return &Store{docs: map[string]*document{}, bySHA: map[string]*document{}, codes: map[string]string{},
		daily: map[string]int{}, serials: map[string]int{}, owners: map[string]storage.Owner{},
		agencies: map[string]string{}, parents: map[string]string{}, accounts: map[string]*storage.Account{},
		sessions: map[string]*session{}, reports: map[int64]storage.StationReport{}, procedures: map[string]string{}, catalogue: map[string]storage.Procedure{}, agencyInfo: map[string]storage.Agency{}, dossiers: map[string]*dossier{},
		dossierCodes: map[string]bool{}, components: map[string]bool{},
		now: c.Now, workers: map[string]time.Time{}, identity: uuid.NewString()}
}

var (
	_ storage.Records  = (*Store)(nil)
	_ storage.Dossiers = (*Store)(nil)
)

type document struct {
	storage.Document
	created, changed int64 // clock ticks
	stages           []stage
	pages            []page
	text             string
	indexed          bool
	paper            paper
	extracted        json.RawMessage
	in               []string       // IDs of the dossiers the document is attached to, in order
	parts            []storage.Part // a split stack's
	signedAt         time.Time
}

type page struct {
	storage.Page
	recognized bool
}

// stage is a stage run with its claim.
type stage struct {
	storage.StageRun
	worker string
	gen    int
}

// paper is what is known of a document as a paper; dates are kept as PostgreSQL keeps a date, at
// midnight UTC.
type paper struct {
	owner, kind, notation, issuingBody, validityScope string
	issuedOn, validUntil                              *time.Time
	reusable                                          bool
}

type dossier struct {
	storage.Dossier // names and owner filled in when read
	attachments     []storage.Attachment
}

type event struct {
	storage.Event
	detail []byte // JSON, so what comes back has the types PostgreSQL's jsonb gives
}

// lock takes the store's mutex unless ctx is already done; the caller unlocks.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	return nil
}

// touch records a change to d.
func (s *Store) touch(d *document) {
	s.clock++
	d.changed = s.clock
	d.UpdatedAt = s.now()
}

// withDocument runs f on document id under the lock, or returns ErrNotFound.
func withDocument[T any](ctx context.Context, s *Store, id string, f func(*document) (T, error)) (T, error) {
	if err := s.lock(ctx); err != nil {
		var zero T
		return zero, err
	}
	defer s.mu.Unlock()
	d, err := s.document(id)
	if err != nil {
		var zero T
		return zero, err
	}
	return f(d)
}

func (s *Store) document(id string) (*document, error) {
	d, ok := s.docs[id]
	if !ok {
		return nil, fmt.Errorf("document %s: %w", id, storage.ErrNotFound)
	}
	return d, nil
}

// nextDaily draws the next number of agency's sequence for day, in day's own zone, and formats it;
// the number is spent only when the caller calls the returned commit.
func (s *Store) nextDaily(agency string, day time.Time, format func(int) (string, error)) (string, func(), error) {
	key := agency + " " + day.Format(time.DateOnly)
	seq := s.daily[key] + 1
	c, err := format(seq)
	if err != nil {
		return "", nil, err
	}
	return c, func() { s.daily[key] = seq }, nil
}

// date is t's day in t's own zone, as PostgreSQL stores a date given as a time.
func date(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return &d
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func (d *document) stageRun(run int, name string) *stage {
	for i := range d.stages {
		if d.stages[i].Run == run && d.stages[i].Name == name {
			return &d.stages[i]
		}
	}
	return nil
}

func (d *document) page(n int) *page {
	for i := range d.pages {
		if d.pages[i].N == n {
			return &d.pages[i]
		}
	}
	return nil
}

// byCreated sorts documents newest first.
func byCreated(docs []*document) {
	slices.SortFunc(docs, func(a, b *document) int { return int(b.created - a.created) })
}
