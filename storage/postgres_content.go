package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

func (p *Postgres) SetPages(ctx context.Context, id string, pages []Page) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM documents WHERE id = $1 FOR UPDATE`, id).Scan(&one); err != nil {
			return dbErr("set pages of document "+id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pages WHERE document_id = $1`, id); err != nil {
			return dbErr(fmt.Sprintf("set pages of %s", id), err)
		}
		rows := make([][]any, len(pages))
		for i, pg := range pages {
			rows[i] = []any{id, pg.N, pg.ImageKey, pg.Format, pg.Width, pg.Height, pg.DPIX, pg.DPIY}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"pages"},
			[]string{"document_id", "n", "image_key", "format", "width", "height", "dpi_x", "dpi_y"},
			pgx.CopyFromRows(rows)); err != nil {
			return dbErr(fmt.Sprintf("set pages of %s", id), err)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET pages = $2, updated_at = now() WHERE id = $1`, id, len(pages)); err != nil {
			return dbErr("set pages of "+id, err)
		}
		return nil
	})
}

func (p *Postgres) PageProgress(ctx context.Context, ids []string) (map[string]PageProgress, error) {
	rows, err := p.pool.Query(ctx, `SELECT document_id::text, count(*) FILTER (WHERE ocr_key IS NOT NULL),
		coalesce(array_agg(n ORDER BY n) FILTER (WHERE review AND reviewed_at IS NULL), '{}')
		FROM pages WHERE document_id = ANY ($1::uuid[]) GROUP BY document_id`, ids)
	if err != nil {
		return nil, dbErr(fmt.Sprintf("page progress of %d documents", len(ids)), err)
	}
	out := map[string]PageProgress{}
	_, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var (
			id string
			pp PageProgress
		)
		err := r.Scan(&id, &pp.Read, &pp.Waiting)
		out[id] = pp
		return struct{}{}, err
	})
	if err != nil {
		return nil, dbErr(fmt.Sprintf("page progress of %d documents", len(ids)), err)
	}
	return out, nil
}

func (p *Postgres) Pages(ctx context.Context, id string) ([]Page, error) {
	rows, err := p.pool.Query(ctx, `SELECT n, image_key, format, width, height, dpi_x, dpi_y,
		coalesce(ocr_key, ''), coalesce(text, ''), coalesce(confidence, 0), review, coalesce(reviewed_by, ''), reviewed_at, ocr_started_at, ocr_finished_at, ocr_gen, ocr_worker
		FROM pages WHERE document_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, dbErr(fmt.Sprintf("pages of %s", id), err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Page, error) {
		var pg Page
		err := r.Scan(&pg.N, &pg.ImageKey, &pg.Format, &pg.Width, &pg.Height, &pg.DPIX, &pg.DPIY, &pg.OCRKey, &pg.Text,
			&pg.Confidence, &pg.Review, &pg.ReviewedBy, &pg.ReviewedAt, &pg.OCRStartedAt, &pg.OCRFinishedAt, &pg.Gen, &pg.Worker)
		return pg, err
	})
	if err != nil {
		return nil, dbErr(fmt.Sprintf("pages of %s", id), err)
	}
	if len(out) == 0 {
		return nil, p.documentExists(ctx, id)
	}
	return out, nil
}

// currentPage locks the document and checks c against it (at stage "ocr") and against its page: the
// page has no result yet, and its generation is not older than c's (exact: the same).
func currentPage(ctx context.Context, tx pgx.Tx, c Claim, exact bool) error {
	if err := current(ctx, tx, c, false); err != nil {
		return err
	}
	var (
		gen  int
		done bool
	)
	err := tx.QueryRow(ctx, `SELECT ocr_gen, ocr_key IS NOT NULL FROM pages WHERE document_id = $1 AND n = $2`,
		c.Document, c.Page).Scan(&gen, &done)
	if err != nil {
		return dbErr(fmt.Sprintf("page %d of %s", c.Page, c.Document), err)
	}
	if done || gen > c.Gen || exact && gen != c.Gen {
		return fmt.Errorf("page %d of %s generation %d (now %d, read %v): %w", c.Page, c.Document, c.Gen, gen, done, ErrStale)
	}
	return nil
}

func (p *Postgres) StartPage(ctx context.Context, c Claim) error {
	return p.tx(ctx, fmt.Sprintf("start page %d of %s", c.Page, c.Document), func(tx pgx.Tx) error {
		if err := currentPage(ctx, tx, c, false); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE pages SET ocr_started_at = now(), ocr_finished_at = NULL, ocr_worker = $3, ocr_gen = $4
			WHERE document_id = $1 AND n = $2`, c.Document, c.Page, c.Worker, c.Gen)
		return err
	})
}

func (p *Postgres) PageRecognized(ctx context.Context, c Claim, r PageResult, next string) (bool, error) {
	var finished bool
	err := p.tx(ctx, fmt.Sprintf("record page %d of %s", c.Page, c.Document), func(tx pgx.Tx) error {
		// current locks the document's row, so page results of one document are recorded one at a
		// time and the count below sees every page recorded before: exactly one task counts zero.
		if err := currentPage(ctx, tx, c, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pages SET ocr_key = $3, text = $4, confidence = $5, review = $6,
			reviewed_by = NULL, reviewed_at = NULL, ocr_finished_at = now(), ocr_worker = '' WHERE document_id = $1 AND n = $2`, c.Document, c.Page, r.OCRKey, r.Text, r.Confidence, r.Review); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM pages WHERE document_id = $1 AND ocr_key IS NULL`, c.Document).Scan(&left); err != nil {
			return err
		}
		if left > 0 {
			_, err := tx.Exec(ctx, `UPDATE documents SET updated_at = now() WHERE id = $1`, c.Document)
			return err
		}
		finished = true
		return finishStage(ctx, tx, Claim{Document: c.Document, Run: c.Run, Stage: c.Stage}, next)
	})
	if err != nil {
		return false, err
	}
	return finished, nil
}

func (p *Postgres) SetPDF(ctx context.Context, id, key, conformance string) error {
	tag, err := p.pool.Exec(ctx, `UPDATE documents SET pdf_key = $2, conformance = $3, updated_at = now() WHERE id = $1`, id, key, conformance)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("set pdf of "+id, err)
}

func (p *Postgres) MarkSignedOriginal(ctx context.Context, id string) error {
	tag, err := p.pool.Exec(ctx, `UPDATE documents SET signed_original = true, updated_at = now() WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("mark signed original "+id, err)
}

func (p *Postgres) SetSigned(ctx context.Context, id string, f SignedFile) error {
	tag, err := p.pool.Exec(ctx, `UPDATE documents SET signed_key = $2, signed_version = $3, signed_sha256 = $4,
		signed_at = coalesce(signed_at, now()), updated_at = now() WHERE id = $1`, id, f.Key, f.VersionID, f.SHA256)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("set signed file of "+id, err)
}

func (p *Postgres) Signed(ctx context.Context, after string, limit int) ([]Document, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+documentColumns+` FROM documents
		WHERE coalesce(signed_key, '') <> '' AND ($1 = '' OR id > $1::uuid) ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, dbErr("signed documents", err)
	}
	docs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Document, error) { return scanDocument(r) })
	if err != nil {
		return nil, dbErr("signed documents", err)
	}
	return docs, nil
}

func (p *Postgres) AssignCode(ctx context.Context, id, agency string, day time.Time, format func(seq int) (string, error)) (string, error) {
	var code string
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		// The row lock serialises assignments to one document; nextCode's upsert serialises the
		// agency's day, so two counters never draw the same number.
		if err := tx.QueryRow(ctx, `SELECT coalesce(code, '') FROM documents WHERE id = $1 FOR UPDATE`, id).Scan(&code); err != nil {
			return dbErr("document "+id, err)
		}
		if code != "" {
			return nil
		}
		// A paper handed in with a dossier is known by its component code; one uploaded alone is a
		// dossier of its own.
		err := tx.QueryRow(ctx, `SELECT component_code FROM dossier_documents WHERE document_id = $1 AND NOT reused
			ORDER BY attached_at LIMIT 1`, id).Scan(&code)
		if errors.Is(err, pgx.ErrNoRows) {
			code, err = nextCode(ctx, tx, agency, day, format)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE documents SET code = $2, updated_at = now() WHERE id = $1`, id, code)
		return err
	})
	if err != nil {
		return "", dbErr(fmt.Sprintf("assign code to %s", id), err)
	}
	return code, nil
}

func (p *Postgres) Index(ctx context.Context, id, title, text string) error {
	tag, err := p.pool.Exec(ctx, `UPDATE documents SET title = $2, text = $3,
		search = sohoa_search($2, $3), search_folded = sohoa_search_folded($2, $3), updated_at = now() WHERE id = $1`, id, title, text)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("index "+id, err)
}

func (p *Postgres) Text(ctx context.Context, id string) ([]string, error) {
	if _, err := p.Document(ctx, id); err != nil {
		return nil, err
	}
	rows, err := p.pool.Query(ctx, `SELECT coalesce(text, '') FROM pages WHERE document_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, dbErr(fmt.Sprintf("text of %s", id), err)
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, dbErr(fmt.Sprintf("text of %s", id), err)
	}
	return texts, nil
}

func (p *Postgres) Ping(ctx context.Context) error {
	if err := p.pool.Ping(ctx); err != nil {
		return dbErr("postgres ping", err)
	}
	return nil
}
