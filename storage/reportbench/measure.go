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

// Measure times the yearly report of the whole province, each grouping and the reference, Runs
// times each, interleaved so that the machine's load falls on all alike.
func Measure(ctx context.Context, p *storage.Postgres, pool *pgxpool.Pool, c Config) ([]Result, error) {
	from := time.Date(c.Year, 1, 1, 0, 0, 0, 0, code.Vietnam)
	to := from.AddDate(1, 0, 0)
	ops := []struct {
		name string
		run  func() error
	}{}
	for _, by := range []string{storage.ByAgency, storage.ByLevel, storage.ByProcedure, storage.ByMonth} {
		ops = append(ops, struct {
			name string
			run  func() error
		}{"report by " + by, func() error {
			_, err := p.Indicators(ctx, storage.IndicatorQuery{From: from, To: to, Agency: c.Agencies[0].ID, By: by})
			return err
		}})
	}
	ops = append(ops, struct {
		name string
		run  func() error
	}{"reference: by level from the attachments", func() error {
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

// Print writes the results and the ratio of the level report to its reference.
func Print(w io.Writer, c Config, rs []Result) {
	fmt.Fprintf(w, "%d dossiers, %d papers each, %d agencies, year %d, %d runs\n", c.Dossiers, c.PapersPer, len(c.Agencies), c.Year, c.Runs)
	var worst, level, ref time.Duration
	for _, r := range rs {
		fmt.Fprintf(w, "%-44s p50 %8.1f ms   p95 %8.1f ms\n", r.Name, ms(r.P50), ms(r.P95))
		switch r.Name {
		case "report by " + storage.ByLevel:
			level = r.P50
		case "reference: by level from the attachments":
			ref = r.P50
			continue
		}
		worst = max(worst, r.P95)
	}
	if ref > 0 {
		fmt.Fprintf(w, "report by level / reference (p50): %.3f\n", float64(level)/float64(ref))
	}
	fmt.Fprintf(w, "worst report p95: %.0f ms\n", ms(worst))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
