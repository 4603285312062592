package storage

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// foldLock serialises the folding of document_counts: a second reader folding at once would not see
// the sums the first one writes, and would return counts without them.
const foldLock = 0x50a0b

// DocumentsByStatus reads the counts the triggers of migration 0015 keep, folding the deltas
// appended since the last read into one row per status. Deltas of transactions still running are
// neither seen nor folded: they count once they commit.
func (p *Postgres) DocumentsByStatus(ctx context.Context) (map[string]int64, error) {
	counts := map[string]int64{}
	err := p.tx(ctx, "count documents by status", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, foldLock); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `WITH gone AS (DELETE FROM document_counts RETURNING status, n)
			SELECT status, sum(n)::bigint FROM gone GROUP BY status`)
		if err != nil {
			return err
		}
		var status string
		var n int64
		if _, err := pgx.ForEachRow(rows, []any{&status, &n}, func() error {
			counts[status] = n
			return nil
		}); err != nil {
			return err
		}
		for status, n := range counts {
			if n == 0 {
				delete(counts, status) // nothing left to keep
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO document_counts (status, n) VALUES ($1, $2)`, status, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}
