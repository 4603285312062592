package storage

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// indicatorSums is what every report row sums over its dossiers' facts (f).
const indicatorSums = `count(f.dossier_id),
	count(*) FILTER (WHERE f.papers_signed + f.results_signed > 0),
	count(*) FILTER (WHERE f.results > 0),
	count(*) FILTER (WHERE f.results_signed > 0),
	count(*) FILTER (WHERE f.reused > 0),
	coalesce(sum(f.papers), 0), coalesce(sum(f.papers_signed), 0), coalesce(sum(f.pages), 0),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY f.to_signed),
	percentile_cont(0.95) WITHIN GROUP (ORDER BY f.to_signed)`

// indicatorGroups is, for each grouping, the columns that name a row (agency, agency name, level,
// procedure, procedure name, period) and the FROM that brings them beside the facts. $1 is the
// query's agency, $2 and $3 the period; sub is the agency and those under it.
var indicatorGroups = map[string]struct{ key, from, group string }{
	// Rolled up: each agency's row counts the dossiers of every agency under it, so a parent's figure
	// is its tree's. closure pairs each agency of sub with itself and every agency under it.
	ByAgency: {`a.id, a.name, a.level, '', ''`,
		`agencies a JOIN closure c ON c.ancestor = a.id LEFT JOIN facts f ON f.agency = c.id`, `a.id`},
	ByLevel: {`'', '', a.level, '', ''`, `facts f JOIN agencies a ON a.id = f.agency`, `a.level`},
	ByProcedure: {`'', '', '', f.procedure_code, coalesce(p.name, '')`,
		`facts f LEFT JOIN procedures p ON p.code = f.procedure_code`, `f.procedure_code, p.name`},
	ByMonth: {`'', '', '', '', to_char(f.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')`, `facts f`, `5`},
}

func (p *Postgres) Indicators(ctx context.Context, q IndicatorQuery) ([]IndicatorRow, error) {
	g, ok := indicatorGroups[q.By]
	if !ok {
		return nil, fmt.Errorf("report by %q: no such grouping", q.By)
	}
	if _, err := p.Subtree(ctx, q.Agency); err != nil {
		return nil, err
	}
	rows, err := p.pool.Query(ctx, `WITH RECURSIVE
		sub (id) AS (SELECT id FROM agencies WHERE id = $1 UNION SELECT a.id FROM agencies a JOIN sub ON a.parent = sub.id),
		closure (ancestor, id) AS (SELECT id, id FROM sub UNION ALL SELECT c.ancestor, a.id FROM closure c JOIN agencies a ON a.parent = c.id),
		facts AS (SELECT * FROM dossier_facts WHERE received_at >= $2 AND received_at < $3 AND agency IN (SELECT id FROM sub))
		SELECT `+g.key+`, `+indicatorSums+` FROM `+g.from+` GROUP BY `+g.group+` ORDER BY 1, 3, 4, 5`, q.Agency, q.From, q.To)
	if err != nil {
		return nil, dbErr("indicators", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (IndicatorRow, error) {
		var x IndicatorRow
		var period string
		err := r.Scan(&x.Agency, &x.AgencyName, &x.Level, &x.Procedure, &period, &x.Dossiers, &x.Digitized, &x.WithResults,
			&x.ResultsSigned, &x.Reused, &x.Papers, &x.PapersSigned, &x.Pages, &x.ToSignedP50, &x.ToSignedP95)
		if q.By == ByMonth {
			x.Period = period
		} else {
			x.ProcedureName = period
		}
		return x, err
	})
	return out, dbErr("indicators", err)
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
