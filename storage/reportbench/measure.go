package reportbench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

// direct is the reference: the report's core figures by level read straight from the attachments,
// as a report without dossier_facts would have to.
const direct = `WITH per AS (
		SELECT x.agency, bool_or(coalesce(d.signed_key, '') <> '') AS digitized, bool_or(dd.reused) AS reused
		FROM dossiers x JOIN dossier_documents dd ON dd.dossier_id = x.id JOIN documents d ON d.id = dd.document_id
		WHERE x.received_at >= $1 AND x.received_at < $2 GROUP BY x.id, x.agency)
	SELECT a.level, count(*), count(*) FILTER (WHERE digitized), count(*) FILTER (WHERE reused)
	FROM per JOIN agencies a ON a.id = per.agency GROUP BY a.level`

// Result is the timings of one operation over the runs.
type Result struct {
	Name     string
	P50, P95 time.Duration
}

// Measure times the yearly report of the whole province, each grouping as the API reads it (the
// rollup) and read from the facts (Exact: what every report cost before the rollup), and the
// reference, Runs times each, interleaved so that the machine's load falls on all alike.
func Measure(ctx context.Context, p *storage.Postgres, pool *pgxpool.Pool, c Config) ([]Result, error) {
	from := time.Date(c.Year, 1, 1, 0, 0, 0, 0, code.Vietnam)
	to := from.AddDate(1, 0, 0)
	type op struct {
		name string
		run  func() error
	}
	var ops []op
	for _, exact := range []bool{false, true} {
		for _, by := range []string{storage.ByAgency, storage.ByLevel, storage.ByProcedure, storage.ByMonth} {
			ops = append(ops, op{reportName(by, exact), func() error {
				_, err := p.Indicators(ctx, storage.IndicatorQuery{From: from, To: to, Agency: c.Agencies[0].ID, By: by, Exact: exact})
				return err
			}})
		}
	}
	ops = append(ops, op{reference, func() error {
		rows, err := pool.Query(ctx, direct, from, to)
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	}})
	times := make([][]time.Duration, len(ops))
	for range c.Runs {
		for i, op := range ops {
			start := time.Now()
			if err := op.run(); err != nil {
				return nil, fmt.Errorf("%s: %w", op.name, err)
			}
			times[i] = append(times[i], time.Since(start))
		}
	}
	out := make([]Result, len(ops))
	for i, op := range ops {
		slices.Sort(times[i])
		out[i] = Result{Name: op.name, P50: times[i][len(times[i])/2], P95: times[i][min(len(times[i])-1, len(times[i])*95/100)]}
	}
	return out, nil
}

const reference = "reference: by level from the attachments"

func reportName(by string, exact bool) string {
	if exact {
		return "report by " + by + ", from the facts"
	}
	return "report by " + by
}

// Print writes the results, the ratio of each report to the same read from the facts and of the
// level report to the reference, and the worst p95 of the reports as the API reads them.
func Print(w io.Writer, c Config, rs []Result) {
	fmt.Fprintf(w, "%d dossiers, %d papers each, %d agencies, %d procedures, year %d, %d runs\n",
		c.Dossiers, c.PapersPer, len(c.Agencies), len(c.Procedures), c.Year, c.Runs)
	byName := map[string]Result{}
	for _, r := range rs {
		fmt.Fprintf(w, "%-44s p50 %8.1f ms   p95 %8.1f ms\n", r.Name, ms(r.P50), ms(r.P95))
		byName[r.Name] = r
	}
	var worst, worstFacts time.Duration
	for _, by := range []string{storage.ByAgency, storage.ByLevel, storage.ByProcedure, storage.ByMonth} {
		r, f := byName[reportName(by, false)], byName[reportName(by, true)]
		worst, worstFacts = max(worst, r.P95), max(worstFacts, f.P95)
		if f.P50 > 0 {
			fmt.Fprintf(w, "report by %s / from the facts (p50): %.3f\n", by, float64(r.P50)/float64(f.P50))
		}
	}
	if ref := byName[reference].P50; ref > 0 {
		fmt.Fprintf(w, "report by level / reference (p50): %.3f\n", float64(byName[reportName(storage.ByLevel, false)].P50)/float64(ref))
		fmt.Fprintf(w, "report by level from the facts / reference (p50): %.3f\n", float64(byName[reportName(storage.ByLevel, true)].P50)/float64(ref))
	}
	fmt.Fprintf(w, "worst report p95: %.0f ms (from the facts: %.0f ms)\n", ms(worst), ms(worstFacts))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
