package searchbench

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sohoa-vn/sohoa/storage"
)

// rankEveryMatch is the search sohoa had before storage's bounded one, kept as the reference: every
// match is ranked and counted with a window count(*), and the page's snippets made after. Its query
// is folded as the vectors are now (unaccent before parsing), so both find the same documents.
const rankEveryMatch = `
	WITH q AS (SELECT websearch_to_tsquery('simple', $1) AS exact, websearch_to_tsquery('sohoa_folded', unaccent($1)) AS folded),
	hits AS (
		SELECT id, count(*) OVER () AS total, (search @@ q.exact) AS as_typed, ts_rank_cd(search, q.exact) AS r1,
			ts_rank_cd(search_folded, q.folded) AS r2, created_at
		FROM documents, q
		WHERE search_folded @@ q.folded
			AND ($2 = '' OR owner_id = $2)
			AND ($3 = '' OR kind = $3)
			AND ($4 = '' OR code LIKE $4 || '-%')
			AND ($5::date IS NULL OR coalesce(issued_on, created_at::date) >= $5::date)
			AND ($6::date IS NULL OR coalesce(issued_on, created_at::date) <= $6::date)
			AND ($7::text[] IS NULL OR documents.agency = ANY($7::text[]) OR documents.id = ANY(ARRAY(
				SELECT sdd.document_id FROM dossier_documents sdd WHERE sdd.crosses AND sdd.agency = ANY($7::text[]))))
		ORDER BY as_typed DESC, r1 DESC, r2 DESC, created_at DESC, id LIMIT 20)
	SELECT d.id, coalesce(d.code, ''), d.title,
		ts_headline('sohoa_folded', d.text, q.folded, 'MaxFragments=2, MaxWords=20, MinWords=8, StartSel=«, StopSel=»'), h.total
	FROM hits h JOIN documents d ON d.id = h.id, q
	ORDER BY h.as_typed DESC, h.r1 DESC, h.r2 DESC, h.created_at DESC, h.id`

// Reference returns a searcher that runs the reference search on the store, as the same reader.
func (s *Store) Reference(ctx context.Context) (searcher, func(), error) {
	cfg, err := pgxpool.ParseConfig(s.url)
	if err != nil {
		return nil, nil, err
	}
	cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_custom_plan" // as storage's pool
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	day := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.Format(time.DateOnly)
	}
	return func(ctx context.Context, q storage.Query) (int, bool, error) {
		rows, err := pool.Query(ctx, rankEveryMatch, q.Text, q.Owner, q.Kind, q.Agency, day(q.From), day(q.To), s.scope.Agencies)
		if err != nil {
			return 0, false, err
		}
		var total int
		_, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (storage.Hit, error) {
			var h storage.Hit
			return h, r.Scan(&h.ID, &h.Code, &h.Title, &h.Snippet, &total)
		})
		return total, false, err
	}, pool.Close, nil
}
