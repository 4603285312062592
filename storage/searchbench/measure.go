package searchbench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sohoa-vn/sohoa/internal/extract"
	"github.com/sohoa-vn/sohoa/storage"
)

// class is one kind of search in the mix, with the variants its runs take in turn.
type class struct {
	name    string
	queries []storage.Query
}

// Timing is one class's times over the runs, and the median of what it found.
type Timing struct {
	Class         string
	P50, P95, P99 time.Duration
	Total         int  // median total
	Estimated     bool // that total was estimated
}

// searcher runs one search.
type searcher func(ctx context.Context, q storage.Query) (total int, estimated bool, err error)

// Measure times each class of search c.Runs times, interleaved, after a round to warm the caches,
// through s (the store's Search, or the reference).
func (s *Store) Measure(ctx context.Context, run searcher) ([]Timing, error) {
	classes, err := s.classes(ctx)
	if err != nil {
		return nil, err
	}
	times := make([][]time.Duration, len(classes))
	totals := make([][]int, len(classes))
	estimated := make([]int, len(classes))
	for r := -1; r < s.cfg.Runs; r++ {
		for i, c := range classes {
			q := c.queries[max(r, 0)%len(c.queries)]
			start := time.Now()
			total, est, err := run(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("%s %+v: %w", c.name, q, err)
			}
			if r < 0 {
				continue
			}
			times[i] = append(times[i], time.Since(start))
			totals[i] = append(totals[i], total)
			if est {
				estimated[i]++
			}
		}
	}
	out := make([]Timing, len(classes))
	for i, c := range classes {
		slices.Sort(times[i])
		slices.Sort(totals[i])
		out[i] = Timing{Class: c.name, P50: quantile(times[i], 0.5), P95: quantile(times[i], 0.95), P99: quantile(times[i], 0.99),
			Total: totals[i][len(totals[i])/2], Estimated: estimated[i]*2 > len(totals[i])}
	}
	return out, nil
}

// quantile is the q-quantile of sorted xs, nearest rank.
func quantile(xs []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(xs))+0.5) - 1
	return xs[max(0, min(i, len(xs)-1))]
}

// Search runs q through the store's Search as a reader of the whole province.
func (s *Store) Search(ctx context.Context, q storage.Query) (int, bool, error) {
	q.Scope = s.scope
	r, err := s.p.Search(ctx, q)
	return r.Total, r.Estimated, err
}

// classes are the searches of the mix, their words and filters drawn from the store itself.
func (s *Store) classes(ctx context.Context) ([]class, error) {
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return nil, fmt.Errorf("bench search: %w", err)
	}
	defer conn.Close(ctx)
	strs := func(sql string) ([]string, error) {
		rows, err := conn.Query(ctx, sql)
		if err != nil {
			return nil, fmt.Errorf("bench search: %s: %w", sql, err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err == nil && len(out) == 0 {
			err = fmt.Errorf("bench search: %s: nothing", sql)
		}
		return out, err
	}
	// Owners with several papers, and the numbers in their papers' text.
	owners, err := strs(`SELECT owner_id FROM documents WHERE owner_id IS NOT NULL GROUP BY owner_id
		HAVING count(*) >= 2 ORDER BY md5(owner_id) LIMIT 25`)
	if err != nil {
		return nil, err
	}
	notations, err := strs(`SELECT DISTINCT notation FROM documents WHERE notation LIKE '%/KH-UBND' OR notation LIKE '%/QĐ-UBND'
		ORDER BY 1 LIMIT 24`)
	if err != nil {
		return nil, err
	}
	notations = append([]string{"110/KH-UBND"}, notations...)
	var first, last time.Time
	if err := conn.QueryRow(ctx, `SELECT min(created_at), max(created_at) FROM documents`).Scan(&first, &last); err != nil {
		return nil, fmt.Errorf("bench search: dates: %w", err)
	}
	texts := func(ws ...string) []storage.Query {
		var qs []storage.Query
		for _, w := range ws {
			qs = append(qs, storage.Query{Text: w})
		}
		return qs
	}
	var byOwner, byAgency []storage.Query
	for _, o := range owners {
		byOwner = append(byOwner, storage.Query{Text: "Hải Phòng", Owner: o})
	}
	// Each agency's calendar quarters, the newest first, in turn.
	q0 := time.Date(last.Year(), time.Month((int(last.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
	for from := q0; !from.Before(first.AddDate(0, -3, 0)); from = from.AddDate(0, -3, 0) {
		for _, a := range s.cfg.Agencies[1:] {
			from, to := from, from.AddDate(0, 3, -1)
			byAgency = append(byAgency, storage.Query{Text: "ủy ban", Agency: a.ID, From: &from, To: &to})
		}
	}
	phrases := []string{`"giấy phép"`, `"kết hôn"`, `"đăng ký"`, `"xây dựng"`, `"thửa đất"`, `"doanh nghiệp"`}
	return []class{
		{"rare term (a CCCD or tax code)", texts(owners...)},
		{"rare name, common without diacritics", texts(rareSurnames...)},
		{`common: "ủy ban"`, texts("ủy ban")},
		{`common: "hồ sơ"`, texts("hồ sơ")},
		{"two-syllable phrase", texts(phrases...)},
		{"the phrase without diacritics", texts(folded(phrases)...)},
		{"notation (110/KH-UBND…)", texts(notations...)},
		{`owner filter ("Hải Phòng")`, byOwner},
		{`agency + quarter ("ủy ban")`, byAgency},
		// Not in the mix: words in one or two papers in a hundred (the brand Bạch Đằng, the
		// chỉ tiêu of decisions), too many to count and too few for the newest documents to hold.
		{"a word in 1–2 % of papers (not the issue's)", texts("Bạch", "Tiêu", "chỉ tiêu")},
	}, nil
}

// IndexOneByOne is the documents a second that Records.Index indexes, one at a time as the index
// stage does, over n documents already in the store (indexed again with their own text).
func (s *Store) IndexOneByOne(ctx context.Context, n int) (float64, error) {
	conn, err := pgxpool.New(ctx, s.url)
	if err != nil {
		return 0, fmt.Errorf("bench search: %w", err)
	}
	defer conn.Close()
	rows, err := conn.Query(ctx, `SELECT id::text, title, text FROM documents ORDER BY md5(id::text) LIMIT $1`, n)
	if err != nil {
		return 0, fmt.Errorf("bench search: %w", err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ ID, Title, Text string }])
	if err != nil {
		return 0, fmt.Errorf("bench search: %w", err)
	}
	start := time.Now()
	for _, d := range docs {
		if err := s.p.Index(ctx, d.ID, d.Title, d.Text); err != nil {
			return 0, err
		}
	}
	return float64(len(docs)) / time.Since(start).Seconds(), nil
}

// folded are ws without their diacritics, as people type them on a keyboard without a Vietnamese
// input method.
func folded(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = extract.Fold(w)
	}
	return out
}
