package storage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// AuditQuery selects events of the access trail; zero fields select all.
type AuditQuery struct {
	Owner, Account, Document string
	From, To                 *time.Time // inclusive
	Scope                    *Scope     // the events of these agencies only; nil: all
	Limit                    int        // 0 means 100
	Offset                   int
}

// Trail reads the access trail that Dossiers.Log appends to. Errors as for Accounts.
type Trail interface {
	// Audit returns the events matching q, newest first, and how many match in all.
	Audit(ctx context.Context, q AuditQuery) (total int, events []Event, err error)
	// Chain returns at most limit events with an ID above after, in ID order, hashes included.
	Chain(ctx context.Context, after int64, limit int) ([]Event, error)
}

// Canonical is the form of e that its hash covers: every field but the hashes, as JSON with a fixed
// field order, the time in UTC to the microsecond (what PostgreSQL keeps) and Detail normalised, so
// that an event read back from any store has the form it was written with.
func (e Event) Canonical() []byte {
	detail := []byte("{}")
	if len(e.Detail) > 0 {
		// Through JSON and back: a struct or an int in a detail comes back from jsonb as a map or a
		// float64, which must hash the same.
		raw, _ := json.Marshal(e.Detail)
		var v any
		if json.Unmarshal(raw, &v) == nil {
			detail, _ = json.Marshal(v)
		}
	}
	agencies := e.Agencies
	if agencies == nil {
		agencies = []string{}
	}
	out, _ := json.Marshal(struct {
		ID         int64           `json:"id"`
		At         string          `json:"at"`
		Actor      string          `json:"actor"`
		Action     string          `json:"action"`
		DossierID  string          `json:"dossier_id"`
		DocumentID string          `json:"document_id"`
		OwnerID    string          `json:"owner_id"`
		Client     string          `json:"client"`
		Query      string          `json:"query"`
		Agencies   []string        `json:"agencies"`
		Detail     json.RawMessage `json:"detail"`
	}{e.ID, EventTime(e.At).Format(time.RFC3339Nano), e.Actor, e.Action, e.DossierID, e.DocumentID, e.OwnerID,
		e.Client, e.Query, agencies, detail})
	return out
}

// EventTime is t as an event keeps it: UTC, to the microsecond.
func EventTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ChainHash is the hash an event holds: SHA-256 over the previous event's hash and its own
// canonical form.
func ChainHash(prev []byte, e Event) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(e.Canonical())
	return h.Sum(nil)
}

// BrokenChain names the first event of the trail that does not hold what was written.
type BrokenChain struct {
	Event int64
	Why   string
}

func (b *BrokenChain) Error() string {
	return fmt.Sprintf("access trail broken at event %d: %s", b.Event, b.Why)
}

// VerifyTrail recomputes the whole chain of t and returns how many events it checked; a
// *BrokenChain error names the first event that was changed, or follows one that was removed.
func VerifyTrail(ctx context.Context, t Trail) (int, error) {
	var prev []byte
	var after int64
	checked := 0
	for {
		batch, err := t.Chain(ctx, after, 1000)
		if err != nil {
			return checked, err
		}
		if len(batch) == 0 {
			return checked, nil
		}
		for _, e := range batch {
			switch {
			case len(e.Hash) == 0:
				return checked, &BrokenChain{e.ID, "no hash"}
			case !bytes.Equal(e.PrevHash, prev):
				return checked, &BrokenChain{e.ID, "does not follow the event before it (one was removed or changed)"}
			case !bytes.Equal(e.Hash, ChainHash(prev, e)):
				return checked, &BrokenChain{e.ID, "its content is not what was written"}
			}
			prev, after = e.Hash, e.ID
			checked++
		}
	}
}
