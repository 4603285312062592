package storage

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// foldAfter is how many rows document_counts may hold before a read folds them: a few minutes of
// status changes of a busy province, a read of a few kilobytes.
const foldAfter = 1000

// foldLock serialises the folding of document_counts: a second reader folding at once would not see
// the sums the first one writes, and would delete nothing; it skips instead.
const foldLock = 0x50a0b

// DocumentsByStatus sums the counts the triggers of migration 0015 keep: one row per status and the
// deltas appended since. It only reads (one snapshot, so a fold running meanwhile is seen whole or
// not at all), and folds the rows into one per status once there are more than foldAfter.
func (p *Postgres) DocumentsByStatus(ctx context.Context) (map[string]int64, error) {
	counts := map[string]int64{}
	rows, err := p.pool.Query(ctx, `SELECT status, sum(n)::bigint, count(*) FROM document_counts GROUP BY status`)
	if err != nil {
		return nil, dbErr("count documents by status", err)
	}
	var status string
	var n, kept, total int64
	if _, err := pgx.ForEachRow(rows, []any{&status, &n, &kept}, func() error {
		if n != 0 {
			counts[status] = n
		}
		total += kept
		return nil
	}); err != nil {
		return nil, dbErr("count documents by status", err)
	}
	if total > foldAfter {
		if err := p.foldCounts(ctx); err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// foldCounts replaces the rows of document_counts by one per status. Deltas of transactions still
// running are neither seen nor deleted: they count once they commit. A fold lost in a crash leaves
// the rows as they were, which sum the same, so it need not wait for the disk.
func (p *Postgres) foldCounts(ctx context.Context) error {
	return p.tx(ctx, "fold the document counts", func(tx pgx.Tx) error {
		var mine bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, foldLock).Scan(&mine); err != nil || !mine {
			return err
		}
		_, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off;
			WITH gone AS (DELETE FROM document_counts RETURNING status, n)
			INSERT INTO document_counts (status, n) SELECT status, sum(n) FROM gone GROUP BY status HAVING sum(n) <> 0`)
		return err
	})
}
