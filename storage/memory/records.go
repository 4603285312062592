package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
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
	now := s.now()
	d := &document{Document: storage.Document{ID: n.ID, SHA256: n.SHA256, OriginalKey: n.OriginalKey, Filename: n.Filename,
		Source: n.Source, Size: n.Size, MediaType: n.MediaType, Agency: n.Agency, UploadedBy: n.UploadedBy, Lane: cmp.Or(n.Lane, "counter"), Status: storage.StatusReceived, Stage: "ingest", Run: 1,
		CreatedAt: now, UpdatedAt: now}, paper: paper{reusable: true}, extracted: []byte(`[]`)}
	s.clock++
	d.created, d.changed = s.clock, s.clock
	s.docs[n.ID], s.bySHA[n.SHA256] = d, d
	return d.Document, true, nil
}

func (s *Store) Document(ctx context.Context, id string) (storage.Document, error) {
	return withDocument(ctx, s, id, func(d *document) (storage.Document, error) { return d.withGen(), nil })
}

func (s *Store) List(ctx context.Context, f storage.Filter) ([]storage.Document, int, error) {
	if err := s.lock(ctx); err != nil {
		return nil, 0, err
	}
	defer s.mu.Unlock()
	var match []*document
	for _, d := range s.docs {
		if (f.SHA256 == "" || d.SHA256 == f.SHA256) && (f.Status == "" || d.Status == f.Status) && s.reaches(f.Scope, d) {
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

func (s *Store) DocumentsByStatus(ctx context.Context) (map[string]int64, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	counts := map[string]int64{}
	for _, d := range s.docs {
		counts[d.Status]++
	}
	return counts, nil
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
				out = append(out, r.StageRun)
			}
		}
		return out, nil
	})
}

// withCurrent runs f on c's document under the lock when c's run and stage are what the document is
// at and its generation is not older than the stage's (exact: the same), else returns ErrStale.
func withCurrent[T any](ctx context.Context, s *Store, c storage.Claim, exact bool, f func(*document) (T, error)) (T, error) {
	return withDocument(ctx, s, c.Document, func(d *document) (T, error) {
		var zero T
		if d.Run != c.Run || d.Stage != c.Stage || storage.Terminal(d.Status) {
			return zero, fmt.Errorf("document %s run %d stage %s (now run %d stage %s, %s): %w",
				c.Document, c.Run, c.Stage, d.Run, d.Stage, d.Status, storage.ErrStale)
		}
		if r := d.stageRun(c.Run, c.Stage); c.Page == 0 && r != nil && (r.gen > c.Gen || exact && r.gen != c.Gen) {
			return zero, fmt.Errorf("document %s stage %s generation %d (now %d): %w", c.Document, c.Stage, c.Gen, r.gen, storage.ErrStale)
		}
		return f(d)
	})
}

func (s *Store) StartStage(ctx context.Context, c storage.Claim) error {
	_, err := withCurrent(ctx, s, c, false, func(d *document) (any, error) {
		if r := d.stageRun(c.Run, c.Stage); r != nil {
			r.Status, r.FinishedAt = "running", nil
			r.Attempts++
			r.worker, r.gen = c.Worker, c.Gen
		} else {
			d.stages = append(d.stages, stage{StageRun: storage.StageRun{Name: c.Stage, Run: c.Run, Status: "running",
				Attempts: 1, StartedAt: s.now()}, worker: c.Worker, gen: c.Gen})
		}
		d.Status = storage.StatusProcessing
		s.touch(d)
		return nil, nil
	})
	return err
}

func (s *Store) FinishStage(ctx context.Context, c storage.Claim, next string) error {
	_, err := withCurrent(ctx, s, c, true, func(d *document) (any, error) {
		s.finishStage(d, c.Run, c.Stage, next)
		return nil, nil
	})
	return err
}

func (s *Store) finishStage(d *document, run int, name, next string) {
	if r := d.stageRun(run, name); r != nil {
		now := s.now()
		r.Status, r.FinishedAt, r.Error, r.worker = "done", &now, "", ""
	}
	d.Status, d.Stage, d.Error, d.ErrorCode, d.Retryable = storage.StatusProcessing, next, "", "", false
	if next == "" {
		d.Status, d.Stage = storage.StatusDone, name
	}
	s.touch(d)
}

func (s *Store) FailStage(ctx context.Context, c storage.Claim, f storage.Failure, final bool) error {
	_, err := withCurrent(ctx, s, c, c.Page == 0, func(d *document) (any, error) {
		if c.Page > 0 {
			p, err := currentPage(d, c, true)
			if err != nil {
				return nil, err
			}
			p.Worker = ""
		}
		if r := d.stageRun(c.Run, c.Stage); r != nil {
			r.Status, r.Error, r.FinishedAt, r.worker = "running", f.Reason, nil, ""
			if final {
				now := s.now()
				r.Status, r.FinishedAt = "failed", &now
			}
		}
		d.Status, d.Error, d.ErrorCode, d.Retryable = storage.StatusProcessing, f.Reason, f.Code, false
		if final {
			d.Status, d.Retryable = storage.StatusFailed, f.Retryable
		}
		s.touch(d)
		return nil, nil
	})
	return err
}

func (s *Store) HandOff(ctx context.Context, c storage.Claim) error {
	_, err := withCurrent(ctx, s, c, true, func(d *document) (any, error) {
		if r := d.stageRun(c.Run, c.Stage); r != nil {
			r.worker = ""
		}
		return nil, nil
	})
	return err
}

func (s *Store) Retry(ctx context.Context, id string) (storage.Document, error) {
	return withDocument(ctx, s, id, func(d *document) (storage.Document, error) {
		if d.Status == storage.StatusFailed {
			d.Run++
			d.Status, d.Error, d.ErrorCode, d.Retryable = storage.StatusReceived, "", "", false
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
	before := s.now().Add(-idle)
	var match []*document
	for _, d := range s.docs {
		if (d.Status == storage.StatusReceived || d.Status == storage.StatusProcessing) && d.UpdatedAt.Before(before) {
			match = append(match, d)
		}
	}
	slices.SortFunc(match, func(a, b *document) int { return int(a.changed - b.changed) })
	var out []storage.Document
	for _, d := range match[:min(len(match), max(limit, 0))] {
		out = append(out, d.withGen())
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

func (s *Store) PageProgress(ctx context.Context, ids []string) (map[string]storage.PageProgress, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	out := map[string]storage.PageProgress{}
	for _, id := range ids {
		d, ok := s.docs[id]
		if !ok || len(d.pages) == 0 {
			continue
		}
		var pp storage.PageProgress
		for _, p := range d.pages {
			if p.recognized {
				pp.Read++
			}
			if p.Review && p.ReviewedAt == nil {
				pp.Waiting = append(pp.Waiting, p.N)
			}
		}
		out[id] = pp
	}
	return out, nil
}

func (s *Store) Pages(ctx context.Context, id string) ([]storage.Page, error) {
	return withDocument(ctx, s, id, func(d *document) ([]storage.Page, error) {
		var out []storage.Page
		for _, p := range d.pages {
			p.OCRStartedAt, p.OCRFinishedAt, p.ReviewedAt = cloneTime(p.OCRStartedAt), cloneTime(p.OCRFinishedAt), cloneTime(p.ReviewedAt)
			out = append(out, p.Page)
		}
		return out, nil
	})
}

// currentPage returns c's page when it has no result yet and its generation is not older than c's
// (exact: the same), else ErrStale; ErrNotFound when there is no such page.
func currentPage(d *document, c storage.Claim, exact bool) (*page, error) {
	p := d.page(c.Page)
	if p == nil {
		return nil, fmt.Errorf("page %d of %s: %w", c.Page, c.Document, storage.ErrNotFound)
	}
	if p.recognized || p.Gen > c.Gen || exact && p.Gen != c.Gen {
		return nil, fmt.Errorf("page %d of %s generation %d (now %d, read %v): %w", c.Page, c.Document, c.Gen, p.Gen, p.recognized, storage.ErrStale)
	}
	return p, nil
}

func (s *Store) StartPage(ctx context.Context, c storage.Claim) error {
	_, err := withCurrent(ctx, s, c, false, func(d *document) (any, error) {
		p, err := currentPage(d, c, false)
		if err != nil {
			return nil, err
		}
		now := s.now()
		p.OCRStartedAt, p.OCRFinishedAt, p.Worker, p.Gen = &now, nil, c.Worker, c.Gen
		return nil, nil
	})
	return err
}

func (s *Store) PageRecognized(ctx context.Context, c storage.Claim, r storage.PageResult, next string) (bool, error) {
	return withCurrent(ctx, s, c, false, func(d *document) (bool, error) {
		p, err := currentPage(d, c, true)
		if err != nil {
			return false, err
		}
		now := s.now()
		p.OCRKey, p.Text, p.Confidence, p.Review, p.OCRFinishedAt, p.recognized, p.Worker = r.OCRKey, r.Text, r.Confidence, r.Review, &now, true, ""
		p.ReviewedBy, p.ReviewedAt = "", nil
		for _, p := range d.pages {
			if !p.recognized {
				s.touch(d)
				return false, nil
			}
		}
		s.finishStage(d, c.Run, c.Stage, next)
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

func (s *Store) SetPDF(ctx context.Context, id, key, conformance string) error {
	return s.set(ctx, id, "set pdf", func(d *document) { d.PDFKey, d.Conformance = key, conformance })
}

func (s *Store) Signed(ctx context.Context, after string, limit int) ([]storage.Document, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var match []storage.Document
	for _, d := range s.docs {
		if d.SignedKey != "" && d.ID > after {
			match = append(match, d.withGen())
		}
	}
	slices.SortFunc(match, func(a, b storage.Document) int { return strings.Compare(a.ID, b.ID) })
	return match[:min(len(match), max(limit, 0))], nil
}

func (s *Store) SetSigned(ctx context.Context, id string, f storage.SignedFile) error {
	return s.set(ctx, id, "set signed file", func(d *document) {
		d.SignedKey, d.SignedVersion, d.SignedSHA256 = f.Key, f.VersionID, f.SHA256
		if d.signedAt.IsZero() {
			d.signedAt = s.now()
		}
	})
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
