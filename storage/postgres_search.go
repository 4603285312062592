package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Search at a million documents. Ranking every match, as sohoa first did, reads the search vectors
// of every one, and the words of a letterhead are in nearly every paper: seconds, not milliseconds.
// So a search ranks a bounded set of candidates that an index finds:
//
//   - Matches are ordered exact-diacritics first; within each of the two classes, in blocks of the
//     newest (by the paper's date), and each block by rank. A class of no more matches than a block
//     is ranked whole, and pages never overlap.
//   - A sparse search (the planner expects few matches) collects its matches from the GIN index of
//     the folded words and the filters' lexemes, at most one more than counted, reading only their
//     narrow rows: the exact count, the facets and the blocks come from those. Past counted, the
//     total is the planner's estimate, the facets those of the matches counted, and the page is
//     taken from the matches of the newest months (the index finds them by their months' lexemes).
//     An index cannot give matches in date order, and collecting from it the hundreds of thousands
//     of matches of a common word takes longer than the whole search may.
//   - A dense search reads the newest documents that pass the filters (their indexes give them in
//     date order) and tests each against the query: with most documents matching, a window of the
//     newest holds the candidates, and is the sample of the estimated total and of the facets.
//   - Matches as typed that are few (the query typed without diacritics, or a name common only once
//     folded) come from their own GIN index wherever they are, so that each comes first; when they
//     are many, the candidates alone are tested as typed, first within their block.
//
// A wrong guess of the planner only costs time: a dense search whose window does not hold enough
// matches grows it, then goes sparse.
type searchLimits struct {
	counted   int     // MaxCounted
	block     int     // matches ranked together
	denseAt   float64 // matches the planner expects beyond which a search is dense
	bound     int     // matches a sparse search collects at most
	exactRows int     // matches as typed the planner expects beyond which they are tested by row
	window    int     // the newest documents a dense search reads first
	maxWindow int     // and at most, for deep pages
}

func defaultSearchLimits() searchLimits {
	return searchLimits{counted: MaxCounted, block: 100, denseAt: 20000, bound: 3 * MaxCounted, exactRows: 3000, window: 1000, maxWindow: 16000}
}

// searchQueries are the query as typed and as folded (the text is folded before it is parsed, as
// sohoa_search_folded folds the documents'), and whether it excludes words.
const (
	searchQueries = `q AS (SELECT websearch_to_tsquery('simple', $1) AS exact, websearch_to_tsquery('sohoa_folded', unaccent($1)) AS folded,
		position('!' IN websearch_to_tsquery('simple', $1)::text) > 0 AS negated)`
	paperDay = `sohoa_day(documents.issued_on, documents.created_at)`
	newest   = paperDay + ` DESC, documents.created_at DESC, documents.id DESC`
)

// rowFilters are the filters and the scope as conditions on a document's row. Filters that are not
// set compare with NULL or an empty string and select everything: the plan, made for the values at
// hand, folds them away. Parameters $2 … $9, from searchArgs.
var rowFilters = `($2 = '' OR documents.owner_id = $2)
	AND ($3 = '' OR documents.kind = $3)
	AND ($4 = '' OR sohoa_agency(documents.agency, documents.code) = $4)
	AND ($5 = '' OR documents.code = $5 OR EXISTS (SELECT 1 FROM dossier_documents dd JOIN dossiers d ON d.id = dd.dossier_id
		WHERE dd.document_id = documents.id AND (d.code = $5 OR dd.component_code = $5)))
	AND ($6::date IS NULL OR ` + paperDay + ` >= $6::date)
	AND ($7::date IS NULL OR ` + paperDay + ` <= $7::date)
	AND ` + visible("documents", 8, 9)

// indexed is the documents whose vector (search or search_folded) matches query and whose lexemes
// match the filters, found in one GIN index alone, and then rowFilters: the fence keeps the planner
// from joining a B-tree's bitmap of the filters to the index's bitmap of every document with a
// common word. The lexemes' months are of the dates in parameters from and to (the filters', or a
// recent window's).
func indexed(vector, query string, from, to int) string {
	filter := fmt.Sprintf(`sohoa_search_filter($4, $3, $2, $%d::date, $%d::date)`, from, to)
	return `(SELECT documents.id, documents.created_at, documents.issued_on, documents.kind, documents.agency, documents.code,
				documents.owner_id, documents.uploaded_by, documents.search_folded
			FROM documents, q WHERE documents.` + vector + ` @@ q.` + query + `
			AND (` + filter + ` IS NULL OR sohoa_search_meta(documents.agency, documents.code, documents.kind, documents.owner_id,
				documents.issued_on, documents.created_at) @@ ` + filter + `) OFFSET 0) documents
		WHERE ` + rowFilters
}

func searchArgs(q Query) []any {
	day := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.Format(time.DateOnly)
	}
	agencies, uploader := scopeArgs(q.Scope)
	return []any{q.Text, q.Owner, q.Kind, q.Agency, q.Code, day(q.From), day(q.To), agencies, uploader}
}

func (p *Postgres) Search(ctx context.Context, q Query) (Results, error) {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	var r Results
	err := pgx.BeginTxFunc(ctx, p.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// A search statement is planned for thousands of rows it never reads (its CTEs' estimates
		// are guesses), and JIT compiling it took longer than running it.
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		var err error
		r, err = p.search(ctx, tx, q)
		return err
	})
	if err != nil {
		return Results{}, dbErr(fmt.Sprintf("search %q", q.Text), err)
	}
	return r, nil
}

func (p *Postgres) search(ctx context.Context, tx pgx.Tx, q Query) (Results, error) {
	args := searchArgs(q)
	est, err := searchEstimates(ctx, tx, args)
	if err != nil {
		return Results{}, err
	}
	// Matches as typed are found through their own index when the planner expects them few (the
	// query typed without diacritics, or a name common only once folded), so that each comes first
	// wherever it is. When they are many (the query typed with its diacritics: nearly every match),
	// reading all their rows would cost more than the search may: only the candidates are tested
	// as typed, and come first within their block.
	byRow := est.exact > float64(p.limits.exactRows)
	dense := func() (Results, bool, error) {
		for w := p.limits.window; w <= p.limits.maxWindow; {
			r, outcome, err := p.searchDense(ctx, tx, q, args, est, w, byRow)
			switch {
			case err != nil || outcome == answered || outcome == declined:
				return r, outcome == answered, err
			case outcome == manyExact:
				byRow = true
			default:
				w *= 4
			}
		}
		return Results{}, false, nil
	}
	// A phrase is checked on every row the index finds with its words: counting its matches from
	// the index costs more, and the newest documents answer sooner.
	if denseAt := p.limits.denseAt; est.folded > denseAt || strings.Contains(q.Text, `"`) && est.folded > denseAt/4 {
		if r, ok, err := dense(); err != nil || ok {
			return r, err
		}
	}
	// Expecting more than counted, count them and their facets first, and leave the page to the
	// newest months.
	var r Results
	found := 0
	if est.folded > float64(p.limits.counted) {
		if r, found, err = p.searchCounts(ctx, tx, args); err != nil {
			return Results{}, err
		}
	}
	if found <= p.limits.counted {
		if r, found, err = p.searchSparse(ctx, tx, q, args, byRow, nil); err != nil {
			return Results{}, err
		}
	}
	if found <= p.limits.counted || est.newest.IsZero() {
		return r, nil
	}
	// More than counted match: the total is the planner's (at least what was counted), the facets
	// those of the matches counted, and the page is taken from the newest months, widened until
	// they hold enough matches.
	r.Total, r.Estimated, r.Facets.Sampled = roughly(max(est.folded, float64(p.limits.counted+1))), true, true
	perMonth := max(est.folded/max(est.months, 1), 1)
	for months := max(1, int(math.Ceil(2*float64(p.limits.block)/perMonth))); ; months *= 4 {
		since := est.newest.AddDate(0, -months, 0)
		recent, found, err := p.searchSparse(ctx, tx, q, args, byRow, &since)
		if err != nil {
			return Results{}, err
		}
		if found >= q.Offset+q.Limit || since.Before(est.oldest) {
			r.Hits = recent.Hits
			return r, nil
		}
	}
}

// estimates are the planner's: documents matching folded, matching as typed, and passing the
// filters at all; and the newest and oldest paper dates within the filters' range, and the months
// between.
type estimates struct {
	folded, exact, filtered float64
	newest, oldest          time.Time
	months                  float64
}

func searchEstimates(ctx context.Context, tx pgx.Tx, args []any) (estimates, error) {
	var e estimates
	b := &pgx.Batch{}
	for _, cond := range []string{`documents.search_folded @@ q.folded AND `, `documents.search @@ q.exact AND `, ``} {
		b.Queue(`EXPLAIN (FORMAT JSON) WITH `+searchQueries+` SELECT 1 FROM documents, q WHERE `+cond+rowFilters, args...)
	}
	// Two reads of documents_day's ends.
	b.Queue(`SELECT least((SELECT max(`+paperDay+`) FROM documents), $2::date, now()::date + 1),
		greatest((SELECT min(`+paperDay+`) FROM documents), $1::date)`, args[5], args[6])
	res := tx.SendBatch(ctx, b)
	defer res.Close()
	for _, to := range []*float64{&e.folded, &e.exact, &e.filtered} {
		var raw []byte
		if err := res.QueryRow().Scan(&raw); err != nil {
			return e, err
		}
		var plan []struct {
			Plan struct {
				Rows float64 `json:"Plan Rows"`
			}
		}
		if err := json.Unmarshal(raw, &plan); err != nil || len(plan) != 1 {
			return e, fmt.Errorf("the planner's estimate: %v in %.200s", err, raw)
		}
		*to = plan[0].Plan.Rows
	}
	var newest, oldest *time.Time
	if err := res.QueryRow().Scan(&newest, &oldest); err != nil {
		return e, err
	}
	if newest != nil && oldest != nil {
		e.newest, e.oldest = *newest, *oldest
		e.months = e.newest.Sub(e.oldest).Hours() / 24 / 30.4
	}
	return e, res.Close()
}

// searchSparse collects the matches from the GIN indexes, up to one more than counted, and says how
// many it found. With since, it collects those of papers dated since then (up to the bound), and
// every match as typed (unless by row): the page of the newest.
func (p *Postgres) searchSparse(ctx context.Context, tx pgx.Tx, q Query, args []any, byRow bool, since *time.Time) (Results, int, error) {
	from, to, limit, window := 6, 7, p.limits.counted+1, ``
	args = append(args[:len(args):len(args)], limit, q.Offset+q.Limit, q.Offset, q.Limit, byRow)
	if since != nil {
		from, to, limit, window = 15, 16, p.limits.bound, ` AND `+paperDay+` >= $15::date`
		args[9] = limit
		args = append(args, since.Format(time.DateOnly), time.Now().AddDate(0, 0, 1).Format(time.DateOnly))
		if q.To != nil {
			args[15] = q.To.Format(time.DateOnly)
		}
	}
	sql := `WITH ` + searchQueries + `,
		m AS MATERIALIZED (
			SELECT documents.id, ` + paperDay + ` AS day, documents.created_at, documents.kind,
				sohoa_agency(documents.agency, documents.code) AS agency, documents.owner_id
			FROM ` + indexed("search_folded", "folded", from, to) + window + ` LIMIT $10),
		` + sparseHits(byRow, since != nil) + p.ranked(11, "m WHERE true")
	f, err := scanFound(tx.QueryRow(ctx, sql, args...))
	if err != nil {
		return Results{}, 0, err
	}
	r := f.results()
	r.Total = f.exact + f.other
	return r, r.Total, nil
}

// searchCounts counts the matches from the GIN index up to one more than counted, and their facets.
func (p *Postgres) searchCounts(ctx context.Context, tx pgx.Tx, args []any) (Results, int, error) {
	sql := `WITH ` + searchQueries + `,
		m AS MATERIALIZED (
			SELECT ` + paperDay + ` AS day, documents.kind, sohoa_agency(documents.agency, documents.code) AS agency, documents.owner_id
			FROM ` + indexed("search_folded", "folded", 6, 7) + ` LIMIT $10)
		SELECT 0, (SELECT count(*) FROM m), '[]'::json, (SELECT count(*) FROM m), ` + facetsJSON("m WHERE true")
	f, err := scanFound(tx.QueryRow(ctx, sql, append(args[:len(args):len(args)], p.limits.counted+1)...))
	if err != nil {
		return Results{}, 0, err
	}
	r := f.results()
	r.Total = f.other
	return r, r.Total, nil
}

// sparseHits are the CTE hits of a sparse search: its matches, each exact when found as typed by the
// index too (by row, none is); in a window, every match as typed too, wherever it is.
func sparseHits(byRow, window bool) string {
	if byRow {
		return `hits AS (SELECT id, day, created_at, false AS exact FROM m),`
	}
	having := `HAVING bool_or(folded)`
	if window {
		having = ``
	}
	return `x AS MATERIALIZED (
			SELECT x0.id, x0.day, x0.created_at FROM (
				SELECT documents.id, ` + paperDay + ` AS day, documents.created_at, documents.search_folded AS sf
				FROM ` + indexed("search", "exact", 6, 7) + ` LIMIT $10) x0, q
			WHERE NOT q.negated OR x0.sf @@ q.folded),
		-- A union grouped by document, not a join: the planner, expecting a row or two from each
		-- side, would join thousands in a nested loop.
		hits AS (
			SELECT id, max(day) AS day, max(created_at) AS created_at, bool_or(exact) AS exact FROM (
				SELECT id, day, created_at, false AS exact, true AS folded FROM m
				UNION ALL SELECT id, day, created_at, true, false FROM x) u
			GROUP BY id ` + having + `),`
}

// A dense search's outcome: answered; short of matches for the page in its window; more matches as
// typed than the index lookup of them may collect; or none of those (the sparse search answers).
type outcome int

const (
	declined outcome = iota
	answered
	short
	manyExact
)

// searchDense reads the newest w documents that pass the filters and tests each on its folded
// vector. It answers when the window holds enough matches for the page and the total is exact (the
// window held every document that passes the filters) or surely over the count limit.
func (p *Postgres) searchDense(ctx context.Context, tx pgx.Tx, q Query, args []any, est estimates, w int, byRow bool) (Results, outcome, error) {
	sql := `WITH ` + searchQueries + `,
		w0 AS (
			SELECT documents.id, ` + paperDay + ` AS day, documents.created_at, documents.kind,
				sohoa_agency(documents.agency, documents.code) AS agency, documents.owner_id, documents.search_folded AS sf
			FROM documents WHERE ` + rowFilters + ` ORDER BY ` + newest + ` LIMIT $10),
		w AS MATERIALIZED (
			SELECT w0.id, w0.day, w0.created_at, w0.kind, w0.agency, w0.owner_id, w0.sf @@ q.folded AS hit FROM w0, q),
		` + denseHits(byRow) + p.ranked(11, "w WHERE hit") + `,
		(SELECT count(*) FROM w), (SELECT count(*) FROM hits WHERE exact)`
	var inWindow, exact int
	args = append(args[:len(args):len(args)], w, q.Offset+q.Limit, q.Offset, q.Limit, byRow)
	if !byRow {
		args = append(args, p.limits.bound+1) // xs's
	}
	f, err := scanFound(tx.QueryRow(ctx, sql, args...), &inWindow, &exact)
	if err != nil {
		return Results{}, declined, err
	}
	if exact > p.limits.bound {
		return Results{}, manyExact, nil
	}
	r := f.results()
	if inWindow < w { // every document that passes the filters
		r.Total = f.counted
		return r, answered, nil
	}
	// The page must come from the window, after every exact match the index found; a window that
	// would have to grow past the largest for it gives way at once.
	if need := q.Offset + q.Limit - f.exact; f.other < need {
		if float64(need)*float64(w)/float64(max(f.other, 1)) > float64(p.limits.maxWindow) {
			return r, declined, nil
		}
		return r, short, nil
	}
	// The total is estimated only when even its lower bound (three standard errors of the
	// window's share, a binomial count) is over counted, and the planner, which sampled the whole
	// table, does not put it far lower: a word of the newest papers only is counted.
	total := float64(f.counted) / float64(inWindow) * est.filtered
	if total*(1-3/math.Sqrt(float64(max(f.counted, 1)))) <= float64(p.limits.counted) || est.folded < float64(p.limits.counted)/4 {
		return r, declined, nil
	}
	r.Total, r.Estimated = roughly(total), true
	r.Facets.Sampled = true
	return r, answered, nil
}

// denseHits are the CTE hits of a dense search: the window's matches and, unless by row, every match
// as typed the index finds (xs), exact.
func denseHits(byRow bool) string {
	if byRow {
		return `hits AS (SELECT id, day, created_at, false AS exact FROM w WHERE hit),`
	}
	return `xs AS MATERIALIZED (
			SELECT x0.id, x0.day, x0.created_at FROM (
				SELECT documents.id, ` + paperDay + ` AS day, documents.created_at, documents.search_folded AS sf
				FROM ` + indexed("search", "exact", 6, 7) + ` LIMIT $15) x0, q
			WHERE NOT q.negated OR x0.sf @@ q.folded),
		hits AS (
			SELECT id, max(day) AS day, max(created_at) AS created_at, bool_or(exact) AS exact FROM (
				SELECT id, day, created_at, true AS exact FROM xs
				UNION ALL SELECT id, day, created_at, false FROM w WHERE hit) u
			GROUP BY id),`
}

// roughly rounds n to two significant digits: an estimate says no more than it knows.
func roughly(n float64) int {
	if n < 100 {
		return int(math.Round(n))
	}
	unit := math.Pow(10, math.Floor(math.Log10(n))-1)
	return int(math.Round(n/unit) * unit)
}

// ranked is the end of a search statement whose CTE hits (id, day, created_at, exact: the matches to
// rank, exact when found as typed by the index) the caller wrote, with counted the matches to count
// by facet ("cte WHERE condition", with kind, agency, owner_id, day): the classes' sizes; the
// candidates, the newest matches of each class in the blocks the page needs, tested as typed when
// the index did not (by row), each ranked on the vector of its class; the page with its snippets;
// and the facets, as the columns scanFound reads first. Parameters from p: the page's end (offset +
// limit), its offset, its limit, and whether the candidates are tested as typed by row.
func (pg *Postgres) ranked(p int, counted string) string {
	return fmt.Sprintf(`
		classes AS (SELECT count(*) FILTER (WHERE exact) AS exact, count(*) FILTER (WHERE NOT exact) AS other FROM hits),
		want AS (SELECT (least(exact, $%[1]d) + %[2]d - 1) / %[2]d * %[2]d AS exact,
			(greatest($%[1]d - exact, 0) + %[2]d - 1) / %[2]d * %[2]d AS other FROM classes),
		cand AS (
			SELECT id, exact AS class, (row_number() OVER (PARTITION BY exact ORDER BY day DESC, created_at DESC, id DESC) - 1) / %[2]d AS block,
				day, created_at
			FROM ((SELECT id, day, created_at, exact FROM hits WHERE exact ORDER BY day DESC, created_at DESC, id DESC LIMIT (SELECT exact FROM want))
				UNION ALL (SELECT id, day, created_at, exact FROM hits WHERE NOT exact ORDER BY day DESC, created_at DESC, id DESC
					LIMIT (SELECT other FROM want))) c),
		tested AS (
			SELECT c.*, c.class OR $%[5]d AND d.search @@ q.exact AND (NOT q.negated OR d.search_folded @@ q.folded) AS exact, d.search, d.search_folded
			FROM cand c JOIN documents d ON d.id = c.id, q),
		scored AS (
			SELECT t.id, t.class, t.block, t.exact, t.day, t.created_at,
				CASE WHEN t.exact THEN ts_rank_cd(t.search, q.exact) ELSE ts_rank_cd(t.search_folded, q.folded) END AS rank
			FROM tested t, q),
		page AS (
			SELECT id, row_number() OVER (ORDER BY class DESC, block, exact DESC, rank DESC, day DESC, created_at DESC, id DESC) AS o
			FROM scored ORDER BY o OFFSET $%[3]d LIMIT $%[4]d)
		SELECT (SELECT exact FROM classes), (SELECT other FROM classes),
			coalesce((SELECT json_agg(json_build_object('id', d.id, 'code', coalesce(d.code, ''), 'title', d.title,
				'snippet', ts_headline('sohoa_folded', d.text, q.folded, 'MaxFragments=2, MaxWords=20, MinWords=8, StartSel=«, StopSel=»'))
				ORDER BY page.o) FROM page JOIN documents d ON d.id = page.id, q), '[]'),
			(SELECT count(*) FROM %[6]s), %[7]s`, p, pg.limits.block, p+1, p+2, p+3, counted, facetsJSON(counted))
}

// facetsJSON counts the matches in from (a CTE and its condition) by each facet, in one pass: one
// JSON object of lists of {"v", "n"}.
func facetsJSON(from string) string {
	facet := func(name, value, where, order string, limit int) string {
		return fmt.Sprintf(`'%s', coalesce((SELECT json_agg(json_build_object('v', v, 'n', n) ORDER BY %[4]s)
			FROM (SELECT %[2]s AS v, n FROM facets WHERE %[3]s ORDER BY %[4]s LIMIT %[5]d) f), '[]')`, name, value, where, order, limit)
	}
	return `(WITH facets AS (
			SELECT grouping(kind, agency, date_trunc('month', day), owner_id) AS g, kind, agency, date_trunc('month', day) AS month,
				owner_id, count(*) AS n
			FROM ` + from + ` GROUP BY GROUPING SETS ((kind), (agency), (date_trunc('month', day)), (owner_id)))
		SELECT json_build_object(` +
		facet("kind", "kind", "g = 7 AND kind <> ''", "n DESC, v", 12) + `, ` +
		facet("agency", "agency", "g = 11 AND agency IS NOT NULL", "n DESC, v", 30) + `, ` +
		facet("month", "to_char(month, 'YYYY-MM')", "g = 13 AND month IS NOT NULL", "v DESC", 24) + `, ` +
		facet("owner", "owner_id", "g = 14 AND owner_id IS NOT NULL", "n DESC, v", 12) + `))`
}

// found is what ranked's columns hold.
type found struct {
	exact, other int // matches of each class among those ranked
	hits         []Hit
	counted      int
	facets       struct{ Kind, Agency, Month, Owner []facetCount }
}

type facetCount struct {
	V string `json:"v"`
	N int    `json:"n"`
}

// scanFound reads ranked's columns, then the caller's into extra.
func scanFound(row pgx.Row, extra ...any) (found, error) {
	var (
		f            found
		hits, facets []byte
		written      []struct{ ID, Code, Title, Snippet string }
	)
	if err := row.Scan(append([]any{&f.exact, &f.other, &hits, &f.counted, &facets}, extra...)...); err != nil {
		return f, err
	}
	if err := json.Unmarshal(hits, &written); err != nil {
		return f, fmt.Errorf("read hits: %w", err)
	}
	for _, h := range written {
		f.hits = append(f.hits, Hit{ID: h.ID, Code: h.Code, Title: h.Title, Snippet: h.Snippet})
	}
	if err := json.Unmarshal(facets, &f.facets); err != nil {
		return f, fmt.Errorf("read facets: %w", err)
	}
	return f, nil
}

// results are f's hits and facets, without the total.
func (f found) results() Results {
	conv := func(vs []facetCount) []Facet {
		out := make([]Facet, len(vs))
		for i, v := range vs {
			out[i] = Facet{Value: v.V, Count: v.N}
		}
		return out
	}
	return Results{Hits: f.hits, Facets: Facets{Counted: f.counted,
		Kind: conv(f.facets.Kind), Agency: conv(f.facets.Agency), Month: conv(f.facets.Month), Owner: conv(f.facets.Owner)}}
}
