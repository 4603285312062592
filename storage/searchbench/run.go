package searchbench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/storage"
)

// Run fills the empty, migrated database at url to c.Reference documents, times the searches and
// the reference there, then fills it to c.Docs and times the searches again, printing each table;
// the last line is the worst p95 at c.Docs.
func Run(ctx context.Context, url string, p *storage.Postgres, c Config) error {
	s, err := Open(ctx, url, p, c)
	if err != nil {
		return err
	}
	sizes := []int{c.Docs}
	if c.Reference > 0 && c.Reference < c.Docs {
		sizes = []int{c.Reference, c.Docs}
	}
	var last []Timing
	for _, n := range sizes {
		before := s.n
		l, err := s.Grow(ctx, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.Out, "%d documents: written in %s; vectors of the %d new in %s, every index of them built in %s: %.0f documents/s\n",
			n, l.Generate.Round(time.Second), n-before, l.Vectors.Round(time.Second), l.Indexes.Round(time.Second), l.Rate(n-before))
		if last, err = s.Report(ctx, c.Reference > 0 && n <= c.Reference); err != nil {
			return err
		}
	}
	fmt.Fprintf(c.Out, "worst p95: %d ms\n", worst(last).Round(time.Millisecond).Milliseconds())
	return nil
}

// Report times the searches at the store's size, and the reference when asked, and prints them
// with the indexes' size and the rate of indexing one document at a time.
func (s *Store) Report(ctx context.Context, reference bool) ([]Timing, error) {
	ts, err := s.Measure(ctx, s.Search)
	if err != nil {
		return nil, err
	}
	var ref []Timing
	if reference {
		run, done, err := s.Reference(ctx)
		if err != nil {
			return nil, err
		}
		ref, err = s.Measure(ctx, run)
		done()
		if err != nil {
			return nil, err
		}
	}
	size, err := s.sizes(ctx)
	if err != nil {
		return nil, err
	}
	rate, err := s.IndexOneByOne(ctx, 500)
	if err != nil {
		return nil, err
	}
	Print(s.cfg.Out, s.n, s.cfg.Runs, ts, ref)
	fmt.Fprintf(s.cfg.Out, "search indexes %s (documents with their TOAST and every index %s); Records.Index one by one: %.0f documents/s\n\n",
		mb(size.index), mb(size.table), rate)
	return ts, nil
}

// Print writes the table of the timings, beside the reference's when there is one.
func Print(w io.Writer, docs, runs int, ts, ref []Timing) {
	fmt.Fprintf(w, "%d documents, a reader of the whole province; %d runs of each class, interleaved, after one to warm up\n", docs, runs)
	head := fmt.Sprintf("%-40s %8s %8s %8s %10s", "class", "p50 ms", "p95 ms", "p99 ms", "found")
	if ref != nil {
		head += fmt.Sprintf(" │ %-9s %8s %8s %8s", "reference", "p50 ms", "p95 ms", "p95 ratio")
	}
	fmt.Fprintln(w, head)
	for i, t := range ts {
		found := fmt.Sprint(t.Total)
		if t.Estimated {
			found = "~" + found
		}
		line := fmt.Sprintf("%-40s %8.1f %8.1f %8.1f %10s", t.Class, ms(t.P50), ms(t.P95), ms(t.P99), found)
		if ref != nil {
			r := ref[i]
			line += fmt.Sprintf(" │ %9d %8.1f %8.1f %9.3f", r.Total, ms(r.P50), ms(r.P95), ms(t.P95)/ms(r.P95))
		}
		fmt.Fprintln(w, line)
	}
	if ref != nil {
		fmt.Fprintf(w, "worst p95 %.1f ms, reference %.1f ms: ratio %.3f\n", ms(worst(ts)), ms(worst(ref)), ms(worst(ts))/ms(worst(ref)))
	}
}

func worst(ts []Timing) time.Duration {
	var w time.Duration
	for _, t := range ts {
		w = max(w, t.P95)
	}
	return w
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/(1<<20)) }

type sizes struct{ index, table int64 }

func (s *Store) sizes(ctx context.Context) (sizes, error) {
	var z sizes
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return z, fmt.Errorf("bench search: %w", err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT pg_relation_size('documents_search') + pg_relation_size('documents_search_folded'),
		pg_total_relation_size('documents')`).Scan(&z.index, &z.table)
	return z, err
}

// Remeasure times the searches of a store kept by an earlier run, with the reference when it is no
// larger than c.Reference, and prints the worst p95 last.
func Remeasure(ctx context.Context, s *Store) error {
	ts, err := s.Report(ctx, s.n <= s.cfg.Reference)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.cfg.Out, "worst p95: %d ms\n", worst(ts).Round(time.Millisecond).Milliseconds())
	return nil
}
