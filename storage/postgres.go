package storage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is Records in a PostgreSQL database.
type Postgres struct {
	pool *pgxpool.Pool
}

// OpenPostgres connects to url and applies the migrations in fsys.
func OpenPostgres(ctx context.Context, url string, migrations fs.FS) (*Postgres, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := Migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, err
	}
	return &Postgres{pool: pool}, nil
}

// Close closes the connections.
func (p *Postgres) Close() { p.pool.Close() }

const documentColumns = `id, sha256, original_key, filename, source, size_bytes, media_type, status, stage,
	run, error, title, pages, coalesce(code, ''), coalesce(pdf_key, ''), coalesce(signed_key, ''),
	coalesce(signed_sha256, ''), signed_original, created_at, updated_at`

func scanDocument(row pgx.Row) (Document, error) {
	var d Document
	err := row.Scan(&d.ID, &d.SHA256, &d.OriginalKey, &d.Filename, &d.Source, &d.Size, &d.MediaType,
		&d.Status, &d.Stage, &d.Run, &d.Error, &d.Title, &d.Pages, &d.Code, &d.PDFKey, &d.SignedKey,
		&d.SignedSHA256, &d.SignedOriginal, &d.CreatedAt, &d.UpdatedAt)
	return d, err
}

func (p *Postgres) CreateDocument(ctx context.Context, n NewDocument) (Document, bool, error) {
	d, err := scanDocument(p.pool.QueryRow(ctx, `
		INSERT INTO documents (id, sha256, original_key, filename, source, size_bytes, media_type)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (sha256) DO NOTHING
		RETURNING `+documentColumns,
		n.ID, n.SHA256, n.OriginalKey, n.Filename, n.Source, n.Size, n.MediaType))
	if err == nil {
		return d, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Document{}, false, fmt.Errorf("create document %s: %w", n.SHA256, err)
	}
	d, err = scanDocument(p.pool.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE sha256 = $1`, n.SHA256))
	if err != nil {
		return Document{}, false, fmt.Errorf("find document %s: %w", n.SHA256, err)
	}
	return d, false, nil
}

func (p *Postgres) Document(ctx context.Context, id string) (Document, error) {
	d, err := scanDocument(p.pool.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE id = $1`, id))
	return d, notFound(err, "document "+id)
}

func (p *Postgres) List(ctx context.Context, f Filter) ([]Document, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	const where = ` FROM documents WHERE ($1 = '' OR sha256 = $1) AND ($2 = '' OR status = $2)`
	rows, err := p.pool.Query(ctx, `SELECT `+documentColumns+`, count(*) OVER ()`+where+`
		ORDER BY created_at DESC, id LIMIT $3 OFFSET $4`, f.SHA256, f.Status, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	var total int
	docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) {
		var d Document
		err := r.Scan(&d.ID, &d.SHA256, &d.OriginalKey, &d.Filename, &d.Source, &d.Size, &d.MediaType,
			&d.Status, &d.Stage, &d.Run, &d.Error, &d.Title, &d.Pages, &d.Code, &d.PDFKey, &d.SignedKey,
			&d.SignedSHA256, &d.SignedOriginal, &d.CreatedAt, &d.UpdatedAt, &total)
		return d, err
	})
	if err == nil && len(docs) == 0 && f.Offset > 0 {
		// Past the last page the window count has no row to ride on.
		err = p.pool.QueryRow(ctx, `SELECT count(*)`+where, f.SHA256, f.Status).Scan(&total)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("list documents: %w", err)
	}
	return docs, total, nil
}

func (p *Postgres) Stages(ctx context.Context, id string) ([]StageRun, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT s.name, s.run, s.status, s.attempts, s.started_at, s.finished_at, s.error
		FROM stages s JOIN documents d ON d.id = s.document_id AND d.run = s.run
		WHERE s.document_id = $1 ORDER BY s.started_at`, id)
	if err != nil {
		return nil, fmt.Errorf("stages of %s: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StageRun, error) {
		var s StageRun
		err := r.Scan(&s.Name, &s.Run, &s.Status, &s.Attempts, &s.StartedAt, &s.FinishedAt, &s.Error)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("stages of %s: %w", id, err)
	}
	if len(out) == 0 {
		return nil, p.documentExists(ctx, id)
	}
	return out, nil
}

// current locks the document's row and checks that run and stage are still what the caller works on.
func current(ctx context.Context, tx pgx.Tx, id string, run int, stage string) error {
	var (
		curRun          int
		curStage, state string
	)
	err := tx.QueryRow(ctx, `SELECT run, stage, status FROM documents WHERE id = $1 FOR UPDATE`, id).Scan(&curRun, &curStage, &state)
	if err != nil {
		return notFound(err, "document "+id)
	}
	if curRun != run || curStage != stage || state == StatusDone || state == StatusFailed {
		return fmt.Errorf("document %s run %d stage %s (now run %d stage %s, %s): %w", id, run, stage, curRun, curStage, state, ErrStale)
	}
	return nil
}

func (p *Postgres) StartStage(ctx context.Context, id string, run int, stage string) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := current(ctx, tx, id, run, stage); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO stages (document_id, run, name, status, attempts, started_at)
			VALUES ($1, $2, $3, 'running', 1, now())
			ON CONFLICT (document_id, run, name) DO UPDATE
			SET status = 'running', attempts = stages.attempts + 1, finished_at = NULL`, id, run, stage); err != nil {
			return fmt.Errorf("start %s of %s: %w", stage, id, err)
		}
		_, err := tx.Exec(ctx, `UPDATE documents SET status = 'processing', updated_at = now() WHERE id = $1`, id)
		return err
	})
}

func (p *Postgres) FinishStage(ctx context.Context, id string, run int, stage, next string) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := current(ctx, tx, id, run, stage); err != nil {
			return err
		}
		return finishStage(ctx, tx, id, run, stage, next)
	})
}

// finishStage does FinishStage's work inside tx, whose caller has checked and locked the document.
func finishStage(ctx context.Context, tx pgx.Tx, id string, run int, stage, next string) error {
	if _, err := tx.Exec(ctx, `UPDATE stages SET status = 'done', finished_at = now(), error = ''
		WHERE document_id = $1 AND run = $2 AND name = $3`, id, run, stage); err != nil {
		return fmt.Errorf("finish %s of %s: %w", stage, id, err)
	}
	status, nextStage := StatusProcessing, next
	if next == "" {
		status, nextStage = StatusDone, stage
	}
	_, err := tx.Exec(ctx, `UPDATE documents SET status = $2, stage = $3, error = '', updated_at = now() WHERE id = $1`,
		id, status, nextStage)
	return err
}

func (p *Postgres) FailStage(ctx context.Context, id string, run int, stage, reason string, final bool) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := current(ctx, tx, id, run, stage); err != nil {
			return err
		}
		stageStatus := "running"
		if final {
			stageStatus = "failed"
		}
		if _, err := tx.Exec(ctx, `UPDATE stages SET status = $4, error = $5,
			finished_at = CASE WHEN $4 = 'failed' THEN now() END
			WHERE document_id = $1 AND run = $2 AND name = $3`, id, run, stage, stageStatus, reason); err != nil {
			return fmt.Errorf("fail %s of %s: %w", stage, id, err)
		}
		docStatus := StatusProcessing
		if final {
			docStatus = StatusFailed
		}
		_, err := tx.Exec(ctx, `UPDATE documents SET status = $2, error = $3, updated_at = now() WHERE id = $1`, id, docStatus, reason)
		return err
	})
}

func (p *Postgres) Retry(ctx context.Context, id string) (Document, error) {
	d, err := scanDocument(p.pool.QueryRow(ctx, `
		UPDATE documents SET run = run + 1, status = 'received', error = '', updated_at = now()
		WHERE id = $1 AND status = 'failed'
		RETURNING `+documentColumns, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p.Document(ctx, id)
	}
	if err != nil {
		return Document{}, fmt.Errorf("retry %s: %w", id, err)
	}
	return d, nil
}

func (p *Postgres) Pending(ctx context.Context, idle time.Duration, limit int) ([]Document, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents
		WHERE status IN ('received', 'processing') AND updated_at < now() - make_interval(secs => $1)
		ORDER BY updated_at LIMIT $2`, idle.Seconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("pending documents: %w", err)
	}
	docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) { return scanDocument(r) })
	if err != nil {
		return nil, fmt.Errorf("pending documents: %w", err)
	}
	return docs, nil
}

// documentExists returns nil, or ErrNotFound when there is no document id: for queries that name a
// document but find nothing either way.
func (p *Postgres) documentExists(ctx context.Context, id string) error {
	var one int
	return notFound(p.pool.QueryRow(ctx, `SELECT 1 FROM documents WHERE id = $1`, id).Scan(&one), "document "+id)
}

func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}
