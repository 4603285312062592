package storage

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

func (p *Postgres) Heartbeat(ctx context.Context, w Worker) error {
	_, err := p.pool.Exec(ctx, `INSERT INTO workers (id, host, pid) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET seen_at = now()`, w.ID, w.Host, w.PID)
	if err != nil {
		return dbErr("heartbeat of "+w.ID, err)
	}
	// Rows of workers gone for a day only make the takeover's look-ups longer.
	_, err = p.pool.Exec(ctx, `DELETE FROM workers WHERE seen_at < now() - interval '1 day'`)
	return dbErr("forget old workers", err)
}

func (p *Postgres) Leave(ctx context.Context, id string) error {
	_, err := p.pool.Exec(ctx, `DELETE FROM workers WHERE id = $1`, id)
	return dbErr("leave "+id, err)
}

// TakeOver bumps generations with UPDATE … RETURNING, whose row locks make concurrent calls take
// each piece of work once: the second finds the worker column already cleared.
func (p *Postgres) TakeOver(ctx context.Context, deadAfter time.Duration) ([]Claim, error) {
	rows, err := p.pool.Query(ctx, `
		WITH live AS (SELECT id FROM workers WHERE seen_at >= now() - make_interval(secs => $1)),
		pages_taken AS (
			UPDATE pages SET ocr_worker = '', ocr_gen = ocr_gen + 1
			FROM documents d
			WHERE d.id = pages.document_id AND d.status = 'processing' AND d.stage = 'ocr'
			  AND pages.ocr_key IS NULL AND pages.ocr_worker <> ''
			  AND pages.ocr_worker NOT IN (SELECT id FROM live)
			RETURNING pages.document_id, d.run, pages.n, pages.ocr_gen),
		stages_taken AS (
			UPDATE stages SET worker = '', gen = gen + 1
			FROM documents d
			WHERE d.id = stages.document_id AND d.run = stages.run AND d.stage = stages.name
			  AND d.status = 'processing' AND stages.status = 'running' AND stages.worker <> ''
			  AND stages.worker NOT IN (SELECT id FROM live)
			RETURNING stages.document_id, stages.run, stages.name, stages.gen)
		SELECT document_id, run, 'ocr', n, ocr_gen FROM pages_taken
		UNION ALL SELECT document_id, run, name, 0, gen FROM stages_taken`, deadAfter.Seconds())
	if err != nil {
		return nil, dbErr("take over work of dead workers", err)
	}
	claims, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Claim, error) {
		var c Claim
		err := r.Scan(&c.Document, &c.Run, &c.Stage, &c.Page, &c.Gen)
		return c, err
	})
	return claims, dbErr("take over work of dead workers", err)
}

func (p *Postgres) Identity(ctx context.Context) (string, error) {
	var id string
	err := p.pool.QueryRow(ctx, `SELECT id::text FROM deployment`).Scan(&id)
	return id, dbErr("identity of the database", err)
}
