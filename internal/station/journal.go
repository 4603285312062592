package station

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The states of a file in the journal. A file goes sending → accepted (or refused) → moved; a moved
// file's entry gives way to a Follow of its receipt.
const (
	StateSending  = "sending"  // being uploaded; unanswered at a restart: sent again (the server dedups)
	StateAccepted = "accepted" // the server holds it as DocumentID; at a restart: moved, not sent again
	StateRefused  = "refused"  // the server refused it; at a restart: moved to failed/, not sent again
)

// Entry is what the journal holds of one file between its upload's start and its move.
type Entry struct {
	Path       string    `json:"path"`
	State      string    `json:"state"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	Started    time.Time `json:"started"`
	Dest       string    `json:"dest,omitempty"` // where the file goes: done/…/name or failed/name
	DocumentID string    `json:"document_id,omitempty"`
	Code       string    `json:"code,omitempty"`
	Status     string    `json:"status,omitempty"`
	Component  string    `json:"component_code,omitempty"`
	Server     string    `json:"server,omitempty"`
	UploadedAt time.Time `json:"uploaded_at,omitzero"`
	Reason     string    `json:"reason,omitempty"` // refused: the server's reason
	ReasonCode string    `json:"reason_code,omitempty"`
	HTTPStatus int       `json:"http_status,omitempty"`
}

// Follow is a receipt whose document the station still asks about, until it has a final status or
// Until passes.
type Follow struct {
	Receipt    string        `json:"receipt"`
	DocumentID string        `json:"document_id"`
	Next       time.Time     `json:"next"`
	Interval   time.Duration `json:"interval"`
	Until      time.Time     `json:"until"`
}

// Journal is the station's durable memory, in a state folder: one small JSON file a file in flight
// (file-<key>.json) and one a receipt followed (follow-<key>.json), each replaced whole with fsync
// and rename, so that a kill at any instant leaves either the old record or the new one.
type Journal struct {
	Dir string
}

// OpenJournal makes the state folder if needed and clears what an interrupted write left.
func OpenJournal(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("state folder: %w", err)
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	for _, t := range tmps {
		os.Remove(t)
	}
	return &Journal{Dir: dir}, nil
}

func key(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

func (j *Journal) entryFile(path string) string {
	return filepath.Join(j.Dir, "file-"+key(path)+".json")
}
func (j *Journal) followFile(receipt string) string {
	return filepath.Join(j.Dir, "follow-"+key(receipt)+".json")
}

// Put records e, replacing what was recorded of e.Path.
func (j *Journal) Put(e Entry) error { return put(j.entryFile(e.Path), e.Path, e) }

func put(file, what string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := writeAtomic(file, b); err != nil {
		return fmt.Errorf("journal %s: %w", what, err)
	}
	return nil
}

// Delete forgets path.
func (j *Journal) Delete(path string) error {
	return remove(j.entryFile(path))
}

// Entries returns every file in flight.
func (j *Journal) Entries() ([]Entry, error) { return readAll[Entry](j.Dir, "file-") }

// PutFollow records f.
func (j *Journal) PutFollow(f Follow) error { return put(j.followFile(f.Receipt), f.Receipt, f) }

// DeleteFollow stops following receipt.
func (j *Journal) DeleteFollow(receipt string) error { return remove(j.followFile(receipt)) }

// Follows returns every receipt followed.
func (j *Journal) Follows() ([]Follow, error) { return readAll[Follow](j.Dir, "follow-") }

func remove(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

func readAll[T any](dir, prefix string) ([]T, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var out []T
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return nil, fmt.Errorf("journal %s: %w", e.Name(), err)
		}
		out = append(out, v)
	}
	return out, nil
}

// Get returns what the journal holds of path.
func (j *Journal) Get(path string) (Entry, bool) {
	var e Entry
	b, err := os.ReadFile(j.entryFile(path))
	if err != nil {
		return e, false
	}
	return e, json.Unmarshal(b, &e) == nil
}
