package workers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/storage"
)

// Fixity: stored bytes are what was recorded for them, or they are not used. Signed files are read
// by the version recorded when they were archived, their SHA-256 checked while they stream
// (storage.ReadVerified); originals are checked against the SHA-256 they are filed under when ingest
// reads them; and the sweep here re-hashes the whole archive. A mismatch is an error to the reader,
// an error in the log and a fixity.mismatch event in the document's history.

// FixityAction is the history action of a stored file found not to be what was recorded.
const FixityAction = "fixity.mismatch"

// What a fixity check finds wrong with a signed file.
const (
	// ProblemMismatch: the recorded version's bytes do not hash to the recorded SHA-256.
	ProblemMismatch = "mismatch"
	// ProblemMissing: the recorded version is not in the archive.
	ProblemMissing = "missing"
	// ProblemReplaced: the recorded version is intact, but another version (or a deletion) was put
	// on top of it. sohoa still serves the recorded one; someone with write access tried to swap it.
	ProblemReplaced = "replaced"
)

// Finding is one stored file of a document that is not as recorded.
type Finding struct {
	DocumentID, Key, Version, SHA256 string // the file as recorded
	Problem                          string
	Err                              error
}

// signedFinding is a finding about d's signed file.
func signedFinding(d storage.Document, problem string, err error) Finding {
	return Finding{DocumentID: d.ID, Key: d.SignedKey, Version: d.SignedVersion, SHA256: d.SignedSHA256, Problem: problem, Err: err}
}

func (f Finding) reason() string {
	switch f.Problem {
	case ProblemMissing:
		return "Không tìm thấy phiên bản tệp đã ký được ghi nhận trong kho lưu trữ."
	case ProblemReplaced:
		return "Có người đã ghi một phiên bản khác đè lên tệp đã ký; hệ thống vẫn chỉ trả phiên bản đã ghi nhận."
	}
	return "Tệp lưu trữ không khớp với mã băm SHA-256 đã ghi nhận khi ký: tệp có thể đã bị thay đổi."
}

// EventLog appends to the documents' history (storage.Dossiers).
type EventLog interface {
	Log(ctx context.Context, e storage.Event) error
}

// ReportFixity raises a finding: an error in the log, and an event in the document's history.
func ReportFixity(ctx context.Context, events EventLog, log *slog.Logger, f Finding) {
	log.Error("fixity: a stored file is not what was recorded", "document", f.DocumentID, "problem", f.Problem,
		"key", f.Key, "version", f.Version, "sha256", f.SHA256, "error", f.Err)
	e := storage.Event{Actor: actorSohoa, Action: FixityAction, DocumentID: f.DocumentID,
		Detail: map[string]any{"problem": f.Problem, "key": f.Key, "version": f.Version, "reason": f.reason()}}
	if err := events.Log(context.WithoutCancel(ctx), e); err != nil {
		log.Error("fixity: could not record the finding in the history", "document", f.DocumentID, "error", err)
	}
}

// CheckSigned re-hashes a document's signed file: it returns a Finding's problem, "" when the file is
// as recorded, or an error when the check could not be made (the store did not answer).
func CheckSigned(ctx context.Context, o storage.Objects, d storage.Document) (string, error) {
	r, err := storage.ReadVerified(ctx, o, storage.Archive, d.SignedKey, d.SignedVersion, d.SignedSHA256)
	if errors.Is(err, storage.ErrNotFound) {
		return ProblemMissing, err
	}
	if err != nil {
		return "", err
	}
	_, err = io.Copy(io.Discard, r)
	r.Close()
	switch {
	case errors.Is(err, storage.ErrFixity):
		return ProblemMismatch, err
	case err != nil:
		return "", err
	}
	cur, err := o.Stat(ctx, storage.Archive, d.SignedKey)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return ProblemReplaced, fmt.Errorf("%s: deleted on top of version %s", d.SignedKey, d.SignedVersion)
	case err != nil:
		return "", err
	case d.SignedVersion != "" && cur.VersionID != d.SignedVersion:
		return ProblemReplaced, fmt.Errorf("%s: version %s on top of version %s", d.SignedKey, cur.VersionID, d.SignedVersion)
	}
	return "", nil
}

// SignedLister walks the documents that have a signed file (storage.Records).
type SignedLister interface {
	Signed(ctx context.Context, after string, limit int) ([]storage.Document, error)
}

// Fixity re-hashes every signed file in the archive every Interval (not at start: `sohoa fixity`
// does it on demand, and every worker process restarting would otherwise re-read the archive).
type Fixity struct {
	Records  SignedLister
	Objects  storage.Objects
	Events   EventLog
	Interval time.Duration
	Clock    clock.Clock
	Log      *slog.Logger
}

// Run sweeps every Interval until ctx ends.
func (f *Fixity) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-f.Clock.After(f.Interval):
		}
		if n, found, err := f.Once(ctx); err != nil && ctx.Err() == nil {
			f.Log.Warn("fixity: sweep cut short; the next one starts over", "checked", n, "findings", len(found), "error", err)
		} else if ctx.Err() == nil {
			f.Log.Info("fixity: archive re-hashed", "checked", n, "findings", len(found))
		}
	}
}

// Once checks every signed file once, reporting each finding (ReportFixity), and returns how many it
// checked and what it found. It stops at the first check it could not make, which is an error: a
// sweep that skipped files would look clean.
func (f *Fixity) Once(ctx context.Context) (checked int, found []Finding, err error) {
	const page = 100
	for after := ""; ; {
		docs, err := f.Records.Signed(ctx, after, page)
		if err != nil {
			return checked, found, err
		}
		for _, d := range docs {
			problem, err := CheckSigned(ctx, f.Objects, d)
			if problem == "" && err != nil {
				return checked, found, fmt.Errorf("fixity of %s: %w", d.ID, err)
			}
			checked++
			if problem != "" {
				fd := signedFinding(d, problem, err)
				ReportFixity(ctx, f.Events, f.Log, fd)
				found = append(found, fd)
			}
		}
		if len(docs) < page {
			return checked, found, nil
		}
		after = docs[len(docs)-1].ID
	}
}

// original returns the document's original from the work bucket, checked against the SHA-256 it is
// filed under: bytes that are not the ones received are never split, read or signed.
func (h *Handlers) original(ctx context.Context, doc storage.Document) ([]byte, error) {
	data, err := h.read(ctx, storage.Work, doc.OriginalKey)
	if err != nil {
		return nil, err
	}
	if got := sum(data); got != doc.SHA256 {
		err := fmt.Errorf("original %s of %s: sha-256 %s: %w", doc.OriginalKey, doc.ID, got, storage.ErrFixity)
		ReportFixity(ctx, h.Dossiers, h.Log, Finding{DocumentID: doc.ID, Key: doc.OriginalKey, SHA256: doc.SHA256, Problem: ProblemMismatch, Err: err})
		return nil, err
	}
	return data, nil
}
