package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

func (s *Store) CreateDocument(ctx context.Context, n storage.NewDocument) (storage.Document, bool, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Document{}, false, err
	}
	defer s.mu.Unlock()
	if d, ok := s.bySHA[n.SHA256]; ok {
		return d.Document, false, nil
	}
	if _, ok := s.docs[n.ID]; ok {
		return storage.Document{}, false, fmt.Errorf("create document %s: id %s is taken", n.SHA256, n.ID)
	}
	now := time.Now()
	d := &document{Document: storage.Document{ID: n.ID, SHA256: n.SHA256, OriginalKey: n.OriginalKey, Filename: n.Filename,
		Source: n.Source, Size: n.Size, MediaType: n.MediaType, Status: storage.StatusReceived, Stage: "ingest", Run: 1,
		CreatedAt: now, UpdatedAt: now}, paper: paper{reusable: true}, extracted: []byte(`[]`)}
	s.clock++
	d.created, d.changed = s.clock, s.clock
	s.docs[n.ID], s.bySHA[n.SHA256] = d, d
	return d.Document, true, nil
}

func (s *Store) Document(ctx context.Context, id string) (storage.Document, error) {
	return withDocument(ctx, s, id, func(d *document) (storage.Document, error) { return d.Document, nil })
}

func (s *Store) List(ctx context.Context, f storage.Filter) ([]storage.Document, int, error) {
	if err := s.lock(ctx); err != nil {
		return nil, 0, err
	}
	defer s.mu.Unlock()
	var match []*document
	for _, d := range s.docs {
		if (f.SHA256 == "" || d.SHA256 == f.SHA256) && (f.Status == "" || d.Status == f.Status) {
			match = append(match, d)
		}
	}
	byCreated(match)
	var out []storage.Document
	for _, d := range window(match, f.Limit, 50, f.Offset) {
		out = append(out, d.Document)
	}
	return out, len(match), nil
}

// window returns the limit (or def when limit is not positive) items after offset.
func window[T any](items []T, limit, def, offset int) []T {
	if limit <= 0 {
		limit = def
	}
	if offset >= len(items) {
		return nil
	}
	return items[offset:min(len(items), offset+limit)]
}

func (s *Store) Stages(ctx context.Context, id string) ([]storage.StageRun, error) {
	return withDocument(ctx, s, id, func(d *document) ([]storage.StageRun, error) {
		var out []storage.StageRun
		for _, r := range d.stages { // kept in the order they started
			if r.Run == d.Run {
				r.FinishedAt = cloneTime(r.FinishedAt)
				out = append(out, r)
			}
		}
		return out, nil
	})
}

// withCurrent runs f on document id under the lock when run and stage are what the document is at,
// else returns ErrStale.
func withCurrent[T any](ctx context.Context, s *Store, id string, run int, stage string, f func(*document) (T, error)) (T, error) {
	return withDocument(ctx, s, id, func(d *document) (T, error) {
		if d.Run != run || d.Stage != stage || d.Status == storage.StatusDone || d.Status == storage.StatusFailed {
			var zero T
			return zero, fmt.Errorf("document %s run %d stage %s (now run %d stage %s, %s): %w",
				id, run, stage, d.Run, d.Stage, d.Status, storage.ErrStale)
		}
		return f(d)
	})
}

func (s *Store) StartStage(ctx context.Context, id string, run int, stage string) error {
	_, err := withCurrent(ctx, s, id, run, stage, func(d *document) (any, error) {
		s.startStage(d, run, stage)
		return nil, nil
	})
	return err
}

func (s *Store) startStage(d *document, run int, stage string) {
	if r := d.stageRun(run, stage); r != nil {
		r.Status, r.FinishedAt = "running", nil
		r.Attempts++
	} else {
		d.stages = append(d.stages, storage.StageRun{Name: stage, Run: run, Status: "running", Attempts: 1, StartedAt: time.Now()})
	}
	d.Status = storage.StatusProcessing
	s.touch(d)
}

func (s *Store) FinishStage(ctx context.Context, id string, run int, stage, next string) error {
	_, err := withCurrent(ctx, s, id, run, stage, func(d *document) (any, error) {
		s.finishStage(d, run, stage, next)
		return nil, nil
	})
	return err
}

func (s *Store) finishStage(d *document, run int, stage, next string) {
	if r := d.stageRun(run, stage); r != nil {
		now := time.Now()
		r.Status, r.FinishedAt, r.Error = "done", &now, ""
	}
	d.Status, d.Stage, d.Error = storage.StatusProcessing, next, ""
	if next == "" {
		d.Status, d.Stage = storage.StatusDone, stage
	}
	s.touch(d)
}

func (s *Store) FailStage(ctx context.Context, id string, run int, stage, reason string, final bool) error {
	_, err := withCurrent(ctx, s, id, run, stage, func(d *document) (any, error) {
		s.failStage(d, run, stage, reason, final)
		return nil, nil
	})
	return err
}

func (s *Store) failStage(d *document, run int, stage, reason string, final bool) {
	if r := d.stageRun(run, stage); r != nil {
		r.Status, r.Error, r.FinishedAt = "running", reason, nil
		if final {
			now := time.Now()
			r.Status, r.FinishedAt = "failed", &now
		}
	}
	d.Status, d.Error = storage.StatusProcessing, reason
	if final {
		d.Status = storage.StatusFailed
	}
	s.touch(d)
}

func (s *Store) Retry(ctx context.Context, id string) (storage.Document, error) {
	return withDocument(ctx, s, id, func(d *document) (storage.Document, error) {
		if d.Status == storage.StatusFailed {
			d.Run++
			d.Status, d.Error = storage.StatusReceived, ""
			s.touch(d)
		}
		return d.Document, nil
	})
}

func (s *Store) Pending(ctx context.Context, idle time.Duration, limit int) ([]storage.Document, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	before := time.Now().Add(-idle)
	var match []*document
	for _, d := range s.docs {
		if (d.Status == storage.StatusReceived || d.Status == storage.StatusProcessing) && d.UpdatedAt.Before(before) {
			match = append(match, d)
		}
	}
	slices.SortFunc(match, func(a, b *document) int { return int(a.changed - b.changed) })
	var out []storage.Document
	for _, d := range match[:min(len(match), max(limit, 0))] {
		out = append(out, d.Document)
	}
	return out, nil
}

func (s *Store) SetPages(ctx context.Context, id string, pages []storage.Page) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	d, err := s.document(id)
	if err != nil {
		return fmt.Errorf("set pages: %w", err)
	}
	ps := make([]page, len(pages))
	seen := map[int]bool{}
	for i, p := range pages {
		if seen[p.N] {
			return fmt.Errorf("set pages of %s: page %d given twice", id, p.N)
		}
		seen[p.N] = true
		// Only what ingest knows is kept, as PostgreSQL's SetPages does.
		ps[i] = page{Page: storage.Page{N: p.N, ImageKey: p.ImageKey, Format: p.Format, Width: p.Width, Height: p.Height, DPIX: p.DPIX, DPIY: p.DPIY}}
	}
	slices.SortFunc(ps, func(a, b page) int { return a.N - b.N })
	d.pages = ps
	d.Pages = len(ps)
	s.touch(d)
	return nil
}

func (s *Store) Pages(ctx context.Context, id string) ([]storage.Page, error) {
	return withDocument(ctx, s, id, func(d *document) ([]storage.Page, error) {
		var out []storage.Page
		for _, p := range d.pages {
			p.OCRStartedAt, p.OCRFinishedAt = cloneTime(p.OCRStartedAt), cloneTime(p.OCRFinishedAt)
			out = append(out, p.Page)
		}
		return out, nil
	})
}

func (s *Store) StartPage(ctx context.Context, id string, run, n int) error {
	_, err := withCurrent(ctx, s, id, run, "ocr", func(d *document) (any, error) {
		p := d.page(n)
		if p == nil {
			return nil, fmt.Errorf("start page %d of %s: %w", n, id, storage.ErrNotFound)
		}
		now := time.Now()
		p.OCRStartedAt, p.OCRFinishedAt = &now, nil
		return nil, nil
	})
	return err
}

func (s *Store) PageRecognized(ctx context.Context, id string, run, n int, ocrKey, text string, confidence float64, next string) (bool, error) {
	return withCurrent(ctx, s, id, run, "ocr", func(d *document) (bool, error) {
		p := d.page(n)
		if p == nil {
			return false, fmt.Errorf("page %d of %s: %w", n, id, storage.ErrNotFound)
		}
		now := time.Now()
		p.OCRKey, p.Text, p.Confidence, p.OCRFinishedAt, p.recognized = ocrKey, text, confidence, &now, true
		for _, p := range d.pages {
			if !p.recognized {
				s.touch(d)
				return false, nil
			}
		}
		s.finishStage(d, run, "ocr", next)
		return true, nil
	})
}

// set applies change to the document and records the change.
func (s *Store) set(ctx context.Context, id, what string, change func(*document)) error {
	_, err := withDocument(ctx, s, id, func(d *document) (any, error) {
		change(d)
		s.touch(d)
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (s *Store) MarkSignedOriginal(ctx context.Context, id string) error {
	return s.set(ctx, id, "mark signed original", func(d *document) { d.SignedOriginal = true })
}

func (s *Store) SetPDF(ctx context.Context, id, key string) error {
	return s.set(ctx, id, "set pdf", func(d *document) { d.PDFKey = key })
}

func (s *Store) SetSigned(ctx context.Context, id, key, sha256 string) error {
	return s.set(ctx, id, "set signed file", func(d *document) { d.SignedKey, d.SignedSHA256 = key, sha256 })
}

func (s *Store) Index(ctx context.Context, id, title, text string) error {
	return s.set(ctx, id, "index", func(d *document) { d.Title, d.text, d.indexed = title, text, true })
}

func (s *Store) AssignCode(ctx context.Context, id, agency string, day time.Time, format func(seq int) (string, error)) (string, error) {
	if err := s.lock(ctx); err != nil {
		return "", err
	}
	defer s.mu.Unlock()
	d, err := s.document(id)
	if err != nil {
		return "", fmt.Errorf("assign code: %w", err)
	}
	if d.Code != "" {
		return d.Code, nil
	}
	// A paper handed in with a dossier is known by its component code; one uploaded alone is a
	// dossier of its own.
	c, commit := s.componentCode(d), func() {}
	if c == "" {
		if c, commit, err = s.nextDaily(agency, day, format); err != nil {
			return "", fmt.Errorf("assign code to %s: %w", id, err)
		}
	}
	if other, ok := s.codes[c]; ok && other != id {
		return "", fmt.Errorf("assign code to %s: %s is already document %s's", id, c, other)
	}
	commit()
	d.Code, s.codes[c] = c, id
	s.touch(d)
	return c, nil
}

// componentCode is the code of the first attachment that handed d in, or "".
func (s *Store) componentCode(d *document) string {
	for _, dossierID := range d.in {
		for _, a := range s.dossiers[dossierID].attachments {
			if a.DocumentID == d.ID && !a.Reused {
				return a.ComponentCode
			}
		}
	}
	return ""
}

func (s *Store) Text(ctx context.Context, id string) ([]string, error) {
	return withDocument(ctx, s, id, func(d *document) ([]string, error) {
		var out []string
		for _, p := range d.pages {
			out = append(out, p.Text)
		}
		return out, nil
	})
}

func (s *Store) Ping(ctx context.Context) error { return ctx.Err() }
