package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// chainLock serialises appends to the trail, so that each event's prev_hash is the hash of the
// event with the ID before it. Held to the end of the appending transaction.
const chainLock = 0x50a0b

func (p *Postgres) Log(ctx context.Context, e Event) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error { return appendEvent(ctx, tx, e) })
}

// appendEvent appends e in tx, chained to the last event. Its agencies are those given and those of
// the dossier and document it names.
func appendEvent(ctx context.Context, tx pgx.Tx, e Event) error {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	err := func() error {
		var owning []string
		if err := tx.QueryRow(ctx, `SELECT ARRAY(SELECT agency FROM dossiers WHERE id = nullif($1, '')::uuid
			UNION SELECT agency FROM documents WHERE id = nullif($2, '')::uuid AND agency IS NOT NULL)`,
			e.DossierID, e.DocumentID).Scan(&owning); err != nil {
			return err
		}
		e.Agencies = union(e.Agencies, owning)
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLock); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT hash FROM events ORDER BY id DESC LIMIT 1`).Scan(&e.PrevHash); err != nil && err != pgx.ErrNoRows {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('events', 'id'))`).Scan(&e.ID); err != nil {
			return err
		}
		e.At = EventTime(time.Now())
		e.Hash = ChainHash(e.PrevHash, e)
		_, err := tx.Exec(ctx, `INSERT INTO events (id, at, actor, action, dossier_id, document_id, owner_id, detail,
			client, query, agencies, prev_hash, hash)
			VALUES ($1, $2, $3, $4, nullif($5, '')::uuid, nullif($6, '')::uuid, nullif($7, ''), $8, $9, $10, $11, $12, $13)`,
			e.ID, e.At, e.Actor, e.Action, e.DossierID, e.DocumentID, e.OwnerID, e.Detail, e.Client, e.Query, e.Agencies,
			e.PrevHash, e.Hash)
		return err
	}()
	return dbErr(fmt.Sprintf("log %s", e.Action), err)
}

// union returns the distinct strings of a and b, sorted.
func union(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

const eventColumns = `id, at, actor, action, coalesce(dossier_id::text, ''), coalesce(document_id::text, ''),
	coalesce(owner_id, ''), detail, client, query, agencies, prev_hash, hash`

func scanEvent(r pgx.CollectableRow) (Event, error) {
	var e Event
	err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.DossierID, &e.DocumentID, &e.OwnerID, &e.Detail,
		&e.Client, &e.Query, &e.Agencies, &e.PrevHash, &e.Hash)
	return e, err
}

func (p *Postgres) Audit(ctx context.Context, q AuditQuery) (int, []Event, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var agencies []string
	if q.Scope != nil {
		agencies = append([]string{}, q.Scope.Agencies...)
	}
	const where = ` FROM events WHERE ($1 = '' OR owner_id = $1) AND ($2 = '' OR actor = $2)
		AND ($3 = '' OR document_id = nullif($3, '')::uuid)
		AND ($4::timestamptz IS NULL OR at >= $4) AND ($5::timestamptz IS NULL OR at <= $5)
		AND ($6::text[] IS NULL OR agencies && $6::text[])`
	args := []any{q.Owner, q.Account, q.Document, q.From, q.To, agencies}
	rows, err := p.pool.Query(ctx, `SELECT `+eventColumns+`, count(*) OVER ()`+where+` ORDER BY id DESC LIMIT $7 OFFSET $8`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return 0, nil, dbErr("audit", err)
	}
	var total int
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Event, error) {
		var e Event
		err := r.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.DossierID, &e.DocumentID, &e.OwnerID, &e.Detail,
			&e.Client, &e.Query, &e.Agencies, &e.PrevHash, &e.Hash, &total)
		return e, err
	})
	if err == nil && len(events) == 0 && q.Offset > 0 {
		err = p.pool.QueryRow(ctx, `SELECT count(*)`+where, args...).Scan(&total)
	}
	if err != nil {
		return 0, nil, dbErr("audit", err)
	}
	return total, events, nil
}

func (p *Postgres) Chain(ctx context.Context, after int64, limit int) ([]Event, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, dbErr("trail", err)
	}
	events, err := pgx.CollectRows(rows, scanEvent)
	return events, dbErr("trail", err)
}

// sealEvents chains the events written before the trail was hash-chained, in ID order. It must run
// as the table's owner: it sets the hashes of rows the append-only trigger guards.
func sealEvents(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var unsealed bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE hash IS NULL)`).Scan(&unsealed); err != nil || !unsealed {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, chainLock); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+eventColumns+` FROM events ORDER BY id`)
		if err != nil {
			return err
		}
		events, err := pgx.CollectRows(rows, scanEvent)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `ALTER TABLE events DISABLE TRIGGER events_append_only`); err != nil {
			return err
		}
		var prev []byte
		for _, e := range events {
			if e.Hash == nil {
				e.PrevHash, e.Hash = prev, ChainHash(prev, e)
				if _, err := tx.Exec(ctx, `UPDATE events SET prev_hash = $2, hash = $3 WHERE id = $1`, e.ID, e.PrevHash, e.Hash); err != nil {
					return err
				}
			}
			prev = e.Hash
		}
		_, err = tx.Exec(ctx, `ALTER TABLE events ENABLE TRIGGER events_append_only`)
		return err
	})
}
