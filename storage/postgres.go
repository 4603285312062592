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
	pool   *pgxpool.Pool
	limits searchLimits
}

// OpenPostgres connects to url and applies the migrations in fsys, unless fsys is nil (the
// migrations were applied as another role, see GrantService).
func OpenPostgres(ctx context.Context, url string, migrations fs.FS) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, dbErr("postgres", err)
	}
	// Queries keep optional filters in SQL ($1 = '' OR …, a scope that may be NULL). A plan made for
	// the parameters at hand folds those away and uses the right index; the generic plan PostgreSQL
	// switches a prepared statement to after five runs cannot, and reads every document.
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, dbErr("postgres", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, dbErr("postgres: connect", err)
	}
	if migrations == nil {
		return &Postgres{pool: pool, limits: defaultSearchLimits()}, nil
	}
	if err := Migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, err
	}
	return &Postgres{pool: pool, limits: defaultSearchLimits()}, nil
}

// Close closes the connections.
func (p *Postgres) Close() { p.pool.Close() }

const documentColumns = `id, sha256, original_key, filename, source, size_bytes, media_type, status, stage,
	run, error, error_code, retryable, title, pages, coalesce(code, ''), coalesce(pdf_key, ''), conformance,
	coalesce(signed_key, ''), signed_version, coalesce(signed_sha256, ''), signed_original, coalesce(agency, ''),
	coalesce(uploaded_by, 0), lane, created_at, updated_at,
	coalesce((SELECT s.gen FROM stages s WHERE s.document_id = documents.id AND s.run = documents.run
		AND s.name = documents.stage), 0)`

// scanDocument scans documentColumns, then extra.
func scanDocument(row pgx.Row, extra ...any) (Document, error) {
	var d Document
	err := row.Scan(append([]any{&d.ID, &d.SHA256, &d.OriginalKey, &d.Filename, &d.Source, &d.Size, &d.MediaType,
		&d.Status, &d.Stage, &d.Run, &d.Error, &d.ErrorCode, &d.Retryable, &d.Title, &d.Pages, &d.Code, &d.PDFKey, &d.Conformance,
		&d.SignedKey, &d.SignedVersion, &d.SignedSHA256, &d.SignedOriginal, &d.Agency, &d.UploadedBy, &d.Lane, &d.CreatedAt, &d.UpdatedAt, &d.Gen}, extra...)...)
	return d, err
}

func (p *Postgres) CreateDocument(ctx context.Context, n NewDocument) (Document, bool, error) {
	d, err := scanDocument(p.pool.QueryRow(ctx, `
		INSERT INTO documents (id, sha256, original_key, filename, source, size_bytes, media_type, agency, uploaded_by, lane)
		VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), nullif($9, 0), coalesce(nullif($10, ''), 'counter'))
		ON CONFLICT (sha256) DO NOTHING
		RETURNING `+documentColumns,
		n.ID, n.SHA256, n.OriginalKey, n.Filename, n.Source, n.Size, n.MediaType, n.Agency, n.UploadedBy, n.Lane))
	if err == nil {
		return d, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return Document{}, false, dbErr(fmt.Sprintf("create document %s", n.SHA256), err)
	}
	d, err = scanDocument(p.pool.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE sha256 = $1`, n.SHA256))
	if err != nil {
		return Document{}, false, dbErr(fmt.Sprintf("find document %s", n.SHA256), err)
	}
	return d, false, nil
}

func (p *Postgres) Document(ctx context.Context, id string) (Document, error) {
	d, err := scanDocument(p.pool.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE id = $1`, id))
	return d, dbErr("document "+id, err)
}

func (p *Postgres) Visible(ctx context.Context, id string, s Scope) error {
	agencies, uploader := scopeArgs(&s)
	var ok bool
	// coalesce: a document of no agency makes the condition NULL, which reaches nobody.
	err := p.pool.QueryRow(ctx, `SELECT coalesce(`+visible("documents", 2, 3)+`, false) FROM documents WHERE id = $1`, id, agencies, uploader).Scan(&ok)
	if err == nil && !ok {
		return fmt.Errorf("document %s: out of scope: %w", id, ErrNotFound)
	}
	return dbErr("document "+id, err)
}

func (p *Postgres) List(ctx context.Context, f Filter) ([]Document, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	agencies, uploader := scopeArgs(f.Scope)
	const filters = `($1 = '' OR sha256 = $1) AND ($2 = '' OR status = $2)`
	where := ` FROM documents WHERE ` + filters + ` AND ` + visible("documents", 3, 4)
	// The page and the count apart: a window count would compute every row's columns (and the
	// stage subquery) before the limit, hundreds of milliseconds at 100 000 documents.
	rows, err := p.pool.Query(ctx, `SELECT `+documentColumns+where+`
		ORDER BY created_at DESC, id LIMIT $5 OFFSET $6`, f.SHA256, f.Status, agencies, uploader, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, dbErr("list documents", err)
	}
	docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) { return scanDocument(r) })
	var total int
	if err == nil {
		err = p.pool.QueryRow(ctx, countVisible(filters, 3, 4), f.SHA256, f.Status, agencies, uploader).Scan(&total)
	}
	if err != nil {
		return nil, 0, dbErr("list documents", err)
	}
	return docs, total, nil
}

func (p *Postgres) Stages(ctx context.Context, id string) ([]StageRun, error) {
	rows, err := p.pool.Query(ctx, `
		SELECT s.name, s.run, s.status, s.attempts, s.started_at, s.finished_at, s.error
		FROM stages s JOIN documents d ON d.id = s.document_id AND d.run = s.run
		WHERE s.document_id = $1 ORDER BY s.started_at`, id)
	if err != nil {
		return nil, dbErr(fmt.Sprintf("stages of %s", id), err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (StageRun, error) {
		var s StageRun
		err := r.Scan(&s.Name, &s.Run, &s.Status, &s.Attempts, &s.StartedAt, &s.FinishedAt, &s.Error)
		return s, err
	})
	if err != nil {
		return nil, dbErr(fmt.Sprintf("stages of %s", id), err)
	}
	if len(out) == 0 {
		return nil, p.documentExists(ctx, id)
	}
	return out, nil
}

// current locks the document's row and checks that c's run and stage are still what the document is
// at. With the stage's row it also checks c's generation: not older when an attempt starts, the same
// when it ends (exact).
func current(ctx context.Context, tx pgx.Tx, c Claim, exact bool) error {
	var (
		curRun          int
		curStage, state string
		gen             *int
	)
	err := tx.QueryRow(ctx, `SELECT d.run, d.stage, d.status, s.gen FROM documents d
		LEFT JOIN stages s ON s.document_id = d.id AND s.run = d.run AND s.name = d.stage
		WHERE d.id = $1 FOR UPDATE OF d`, c.Document).Scan(&curRun, &curStage, &state, &gen)
	if err != nil {
		return dbErr("document "+c.Document, err)
	}
	if curRun != c.Run || curStage != c.Stage || Terminal(state) {
		return fmt.Errorf("document %s run %d stage %s (now run %d stage %s, %s): %w",
			c.Document, c.Run, c.Stage, curRun, curStage, state, ErrStale)
	}
	if c.Page == 0 && gen != nil && (*gen > c.Gen || exact && *gen != c.Gen) {
		return fmt.Errorf("document %s stage %s generation %d (now %d): %w", c.Document, c.Stage, c.Gen, *gen, ErrStale)
	}
	return nil
}

func (p *Postgres) StartStage(ctx context.Context, c Claim) error {
	return p.tx(ctx, "start "+c.Stage+" of "+c.Document, func(tx pgx.Tx) error {
		if err := current(ctx, tx, c, false); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO stages (document_id, run, name, status, attempts, started_at, worker, gen)
			VALUES ($1, $2, $3, 'running', 1, now(), $4, $5)
			ON CONFLICT (document_id, run, name) DO UPDATE
			SET status = 'running', attempts = stages.attempts + 1, finished_at = NULL, worker = $4, gen = $5`,
			c.Document, c.Run, c.Stage, c.Worker, c.Gen); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE documents SET status = 'processing', updated_at = now() WHERE id = $1`, c.Document)
		return err
	})
}

func (p *Postgres) FinishStage(ctx context.Context, c Claim, next string) error {
	return p.tx(ctx, "finish "+c.Stage+" of "+c.Document, func(tx pgx.Tx) error {
		if err := current(ctx, tx, c, true); err != nil {
			return err
		}
		return finishStage(ctx, tx, c, next)
	})
}

// finishStage does FinishStage's work inside tx, whose caller has checked and locked the document.
func finishStage(ctx context.Context, tx pgx.Tx, c Claim, next string) error {
	if _, err := tx.Exec(ctx, `UPDATE stages SET status = 'done', finished_at = now(), error = '', worker = ''
		WHERE document_id = $1 AND run = $2 AND name = $3`, c.Document, c.Run, c.Stage); err != nil {
		return err
	}
	status, nextStage := StatusProcessing, next
	if next == "" {
		status, nextStage = StatusDone, c.Stage
	}
	_, err := tx.Exec(ctx, `UPDATE documents SET status = $2, stage = $3, error = '', error_code = '', retryable = false,
		updated_at = now() WHERE id = $1`, c.Document, status, nextStage)
	return err
}

func (p *Postgres) FailStage(ctx context.Context, c Claim, f Failure, final bool) error {
	return p.tx(ctx, "fail "+c.Stage+" of "+c.Document, func(tx pgx.Tx) error {
		if err := current(ctx, tx, c, c.Page == 0); err != nil {
			return err
		}
		stageStatus := "running"
		if final {
			stageStatus = "failed"
		}
		if _, err := tx.Exec(ctx, `UPDATE stages SET status = $4, error = $5, worker = '',
			finished_at = CASE WHEN $4 = 'failed' THEN now() END
			WHERE document_id = $1 AND run = $2 AND name = $3`, c.Document, c.Run, c.Stage, stageStatus, f.Reason); err != nil {
			return err
		}
		if c.Page > 0 {
			if _, err := tx.Exec(ctx, `UPDATE pages SET ocr_worker = '' WHERE document_id = $1 AND n = $2`, c.Document, c.Page); err != nil {
				return err
			}
		}
		docStatus := StatusProcessing
		if final {
			docStatus = StatusFailed
		}
		_, err := tx.Exec(ctx, `UPDATE documents SET status = $2, error = $3, error_code = $4, retryable = $5,
			updated_at = now() WHERE id = $1`, c.Document, docStatus, f.Reason, f.Code, f.Retryable && final)
		return err
	})
}

func (p *Postgres) HandOff(ctx context.Context, c Claim) error {
	return p.tx(ctx, "hand off "+c.Stage+" of "+c.Document, func(tx pgx.Tx) error {
		if err := current(ctx, tx, c, true); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE stages SET worker = '' WHERE document_id = $1 AND run = $2 AND name = $3`,
			c.Document, c.Run, c.Stage)
		return err
	})
}

func (p *Postgres) Retry(ctx context.Context, id string) (Document, error) {
	d, err := scanDocument(p.pool.QueryRow(ctx, `
		UPDATE documents SET run = run + 1, status = 'received', error = '', error_code = '', retryable = false,
			updated_at = now()
		WHERE id = $1 AND status = 'failed'
		RETURNING `+documentColumns, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p.Document(ctx, id)
	}
	if err != nil {
		return Document{}, dbErr(fmt.Sprintf("retry %s", id), err)
	}
	return d, nil
}

func (p *Postgres) Pending(ctx context.Context, idle time.Duration, limit int) ([]Document, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents
		WHERE status IN ('received', 'processing') AND updated_at < now() - make_interval(secs => $1)
		ORDER BY updated_at LIMIT $2`, idle.Seconds(), limit)
	if err != nil {
		return nil, dbErr("pending documents", err)
	}
	docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) { return scanDocument(r) })
	if err != nil {
		return nil, dbErr("pending documents", err)
	}
	return docs, nil
}

// tx runs fn in a transaction, describing its error as a call on what.
func (p *Postgres) tx(ctx context.Context, what string, fn func(pgx.Tx) error) error {
	return dbErr(what, pgx.BeginFunc(ctx, p.pool, fn))
}

// documentExists returns nil, or ErrNotFound when there is no document id: for queries that name a
// document but find nothing either way.
func (p *Postgres) documentExists(ctx context.Context, id string) error {
	var one int
	return dbErr("document "+id, p.pool.QueryRow(ctx, `SELECT 1 FROM documents WHERE id = $1`, id).Scan(&one))
}
