package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/code"
)

// indicatorSums is what every report row sums over its dossiers' facts (f).
const indicatorSums = `count(f.dossier_id),
	count(*) FILTER (WHERE f.papers_signed + f.results_signed > 0),
	count(*) FILTER (WHERE f.results > 0),
	count(*) FILTER (WHERE f.results_signed > 0),
	count(*) FILTER (WHERE f.reused > 0),
	coalesce(sum(f.papers), 0), coalesce(sum(f.papers_signed), 0), coalesce(sum(f.pages), 0), coalesce(sum(f.pages_flagged), 0),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY f.to_signed),
	percentile_cont(0.95) WITHIN GROUP (ORDER BY f.to_signed)`

// rollupSums is the same over indicator_rollup's rows (f), for one bucket of the times to sign.
const rollupSums = `coalesce(sum(f.dossiers), 0)::bigint, coalesce(sum(f.digitized), 0)::bigint,
	coalesce(sum(f.with_results), 0)::bigint, coalesce(sum(f.results_signed), 0)::bigint, coalesce(sum(f.reused), 0)::bigint,
	coalesce(sum(f.papers), 0)::bigint, coalesce(sum(f.papers_signed), 0)::bigint, coalesce(sum(f.pages), 0)::bigint,
	coalesce(sum(f.pages_flagged), 0)::bigint`

// indicatorGroups is, for each grouping, the columns that name a row (agency, agency name, level,
// procedure, procedure name or period) and the FROM that brings them beside the facts (f: facts, of
// dossier_facts or of indicator_rollup, each with its agency, procedure_code and month).
var indicatorGroups = map[string]struct{ key, from, group string }{
	// Rolled up: each agency's row counts the dossiers of every agency under it, so a parent's figure
	// is its tree's. closure pairs each agency of sub with itself and every agency under it.
	ByAgency: {`a.id, a.name, a.level, '', ''`,
		`agencies a JOIN closure c ON c.ancestor = a.id LEFT JOIN facts f ON f.agency = c.id`, `a.id`},
	ByLevel: {`'', '', a.level, '', ''`, `facts f JOIN agencies a ON a.id = f.agency`, `a.level`},
	ByProcedure: {`'', '', '', f.procedure_code, coalesce(p.name, '')`,
		`facts f LEFT JOIN procedures p ON p.code = f.procedure_code`, `f.procedure_code, p.name`},
	ByMonth: {`'', '', '', '', f.month`, `facts f`, `5`},
}

// indicatorTree is the agency asked ($1) and those under it (sub), and closure.
const indicatorTree = `WITH RECURSIVE
	sub (id) AS (SELECT id FROM agencies WHERE id = $1 UNION SELECT a.id FROM agencies a JOIN sub ON a.parent = sub.id),
	closure (ancestor, id) AS (SELECT id, id FROM sub UNION ALL SELECT c.ancestor, a.id FROM closure c JOIN agencies a ON a.parent = c.id),`

// Indicators sums the rollup when the period is whole days of Vietnam (the API's always are), and
// the facts otherwise or when asked to be exact.
func (p *Postgres) Indicators(ctx context.Context, q IndicatorQuery) ([]IndicatorRow, error) {
	g, ok := indicatorGroups[q.By]
	if !ok {
		return nil, fmt.Errorf("report by %q: no such grouping", q.By)
	}
	if _, err := p.Subtree(ctx, q.Agency); err != nil {
		return nil, err
	}
	if !q.Exact && wholeDay(q.From) && wholeDay(q.To) {
		return p.indicatorsRolledUp(ctx, q, g.key, g.from, g.group)
	}
	return p.indicatorsFromFacts(ctx, q, g.key, g.from, g.group)
}

// wholeDay reports whether t is a midnight in Vietnam.
func wholeDay(t time.Time) bool {
	v := t.In(code.Vietnam)
	return v.Equal(time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, code.Vietnam))
}

// indicatorsFromFacts aggregates one facts row per dossier: exact to the second, and what a period
// that does not fall on days needs.
func (p *Postgres) indicatorsFromFacts(ctx context.Context, q IndicatorQuery, key, from, group string) ([]IndicatorRow, error) {
	rows, err := p.pool.Query(ctx, indicatorTree+`
		facts AS (SELECT *, to_char(received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM') AS month FROM dossier_facts
			WHERE received_at >= $2 AND received_at < $3 AND agency IN (SELECT id FROM sub))
		SELECT `+key+`, `+indicatorSums+` FROM `+from+` GROUP BY `+group+` ORDER BY 1, 3, 4, 5`, q.Agency, q.From, q.To)
	if err != nil {
		return nil, dbErr("indicators", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (IndicatorRow, error) {
		var x IndicatorRow
		var name string
		err := r.Scan(&x.Agency, &x.AgencyName, &x.Level, &x.Procedure, &name, &x.Dossiers, &x.Digitized, &x.WithResults,
			&x.ResultsSigned, &x.Reused, &x.Papers, &x.PapersSigned, &x.Pages, &x.PagesFlagged, &x.ToSignedP50, &x.ToSignedP95)
		x.named(q.By, name)
		return x, err
	})
	return out, dbErr("indicators", err)
}

// named sets the row's fifth naming column: the period by month, else the procedure's name.
func (x *IndicatorRow) named(by, name string) {
	if by == ByMonth {
		x.Period = name
	} else {
		x.ProcedureName = name
	}
}

// indicatorsRolledUp sums indicator_rollup: the months wholly inside the period, the days at its
// edges, one row per group and bucket of the time to sign; the buckets then give the percentiles.
func (p *Postgres) indicatorsRolledUp(ctx context.Context, q IndicatorQuery, key, from, group string) ([]IndicatorRow, error) {
	day := func(t time.Time) string { return t.In(code.Vietnam).Format(time.DateOnly) }
	m1, m2 := wholeMonths(q.From, q.To)
	rows, err := p.pool.Query(ctx, indicatorTree+`
		facts AS (SELECT *, to_char(start, 'YYYY-MM') AS month FROM indicator_rollup
			WHERE agency IN (SELECT id FROM sub) AND (grain = 'month' AND start >= $4::date AND start < $5::date
				OR grain = 'day' AND (start >= $2::date AND start < $4::date OR start >= $5::date AND start < $3::date)))
		SELECT `+key+`, f.bucket, `+rollupSums+` FROM `+from+` GROUP BY `+group+`, f.bucket ORDER BY 1, 3, 4, 5, 6`,
		q.Agency, day(q.From), day(q.To), day(m1), day(m2))
	if err != nil {
		return nil, dbErr("indicators", err)
	}
	defer rows.Close()
	var out []IndicatorRow
	var hists []histogram
	for rows.Next() {
		var x IndicatorRow
		var name string
		var bucket *int16
		if err := rows.Scan(&x.Agency, &x.AgencyName, &x.Level, &x.Procedure, &name, &bucket, &x.Dossiers, &x.Digitized,
			&x.WithResults, &x.ResultsSigned, &x.Reused, &x.Papers, &x.PapersSigned, &x.Pages, &x.PagesFlagged); err != nil {
			return nil, dbErr("indicators", err)
		}
		x.named(q.By, name)
		if n := len(out) - 1; n >= 0 && sameGroup(out[n], x) {
			out[n].add(x)
		} else {
			out, hists = append(out, x), append(hists, nil)
		}
		if bucket != nil && *bucket >= 0 && x.Dossiers > 0 {
			hists[len(hists)-1] = append(hists[len(hists)-1], bucketCount{int(*bucket), x.Dossiers})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("indicators", err)
	}
	// Rows whose dossiers all moved away are left as zeros in the rollup; the facts would not name
	// them. By agency, every agency of the tree has its row, dossiers or not, as from the facts.
	kept := out[:0]
	for i, x := range out {
		x.ToSignedP50, x.ToSignedP95 = hists[i].percentile(0.5), hists[i].percentile(0.95)
		if x.Dossiers > 0 || q.By == ByAgency {
			kept = append(kept, x)
		}
	}
	return kept, nil
}

// wholeMonths is the months of Vietnam wholly inside [from, to), as [m1, m2); m1 = m2 = to when
// there is none, so that the period is all days.
func wholeMonths(from, to time.Time) (m1, m2 time.Time) {
	f, t := from.In(code.Vietnam), to.In(code.Vietnam)
	m1 = time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, code.Vietnam)
	if m1.Before(f) {
		m1 = m1.AddDate(0, 1, 0)
	}
	m2 = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, code.Vietnam)
	if !m1.Before(m2) {
		return to, to
	}
	return m1, m2
}

func sameGroup(a, b IndicatorRow) bool {
	return a.Agency == b.Agency && a.Level == b.Level && a.Procedure == b.Procedure && a.Period == b.Period
}

// add sums b's counts into a.
func (a *IndicatorRow) add(b IndicatorRow) {
	a.Dossiers += b.Dossiers
	a.Digitized += b.Digitized
	a.WithResults += b.WithResults
	a.ResultsSigned += b.ResultsSigned
	a.Reused += b.Reused
	a.Papers += b.Papers
	a.PapersSigned += b.PapersSigned
	a.Pages += b.Pages
	a.PagesFlagged += b.PagesFlagged
}

// Targets are the plan's (DefaultTargets), each replaced by report_targets' row for the same year,
// level and indicator when there is one.
func (p *Postgres) Targets(ctx context.Context, year int) ([]Target, error) {
	rows, err := p.pool.Query(ctx, `SELECT year, level, indicator, target::float8 FROM report_targets WHERE year = $1`, year)
	if err != nil {
		return nil, dbErr("targets", err)
	}
	set, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Target])
	if err != nil {
		return nil, dbErr("targets", err)
	}
	out := DefaultTargets(year)
	for _, t := range set {
		if i := slices.IndexFunc(out, func(d Target) bool { return d.Level == t.Level && d.Indicator == t.Indicator }); i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	return out, nil
}
