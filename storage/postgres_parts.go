package storage

import (
	"context"

	"github.com/jackc/pgx/v5"
)

func (p *Postgres) Split(ctx context.Context, c Claim, parts []Part) error {
	return p.tx(ctx, "split "+c.Document, func(tx pgx.Tx) error {
		if err := current(ctx, tx, c, true); err != nil {
			return err
		}
		for _, part := range parts {
			if _, err := tx.Exec(ctx, `INSERT INTO document_parts (stack_id, n, document_id, first_page, last_page, dossier_id)
				VALUES ($1, $2, $3, $4, $5, NULLIF($6, '')::uuid) ON CONFLICT (stack_id, n) DO NOTHING`,
				c.Document, part.N, part.DocumentID, part.FirstPage, part.LastPage, part.DossierID); err != nil {
				return err
			}
		}
		if err := finishStage(ctx, tx, c, ""); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE documents SET status = $2 WHERE id = $1`, c.Document, StatusSplit)
		return err
	})
}

func (p *Postgres) Parts(ctx context.Context, id string) ([]Part, error) {
	rows, err := p.pool.Query(ctx, `SELECT n, document_id::text, first_page, last_page, coalesce(dossier_id::text, '')
		FROM document_parts WHERE stack_id = $1 ORDER BY n`, id)
	if err != nil {
		return nil, dbErr("parts of "+id, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Part, error) {
		var part Part
		return part, r.Scan(&part.N, &part.DocumentID, &part.FirstPage, &part.LastPage, &part.DossierID)
	})
	if err != nil {
		return nil, dbErr("parts of "+id, err)
	}
	if len(out) == 0 {
		return nil, p.documentExists(ctx, id)
	}
	return out, nil
}
