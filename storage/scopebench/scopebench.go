// Package scopebench measures what authorization costs on a large e-data store: it fills a fresh
// PostgreSQL database with documents of several agencies, then times the listing and the search a
// clerk of one agency runs, with authorization (the token look-up and the agency tree the API does
// for every request, and the scope in the SQL) and without it, interleaved in the same run.
package scopebench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
)

// Config is one benchmark.
type Config struct {
	Docs, Agencies, Runs int
	Texts                []string // page texts the documents' text is made from
	Query                string   // the search
	Out                  io.Writer
}

// Province is the agency the benchmark's agencies are under.
const Province = "000.00.00.H26"

// agencyID is the i-th district under Province (1-based).
func agencyID(i int) string { return fmt.Sprintf("000.00.%02d.H26", 50+i) }

// Populate fills the empty, migrated database at url with c.Docs documents spread evenly over
// c.Agencies agencies under Province, a fifth of them handed in with a dossier, indexed as the
// workers index them, then analyses the tables.
func Populate(ctx context.Context, url string, p *storage.Postgres, c Config) error {
	if err := p.EnsureAgency(ctx, Province, "UBND tỉnh", ""); err != nil {
		return err
	}
	agencies := make([]string, c.Agencies)
	for i := range agencies {
		agencies[i] = agencyID(i + 1)
		if err := p.EnsureAgency(ctx, agencies[i], fmt.Sprintf("UBND huyện %d", i+1), Province); err != nil {
			return err
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("populate: %w", err)
	}
	defer conn.Close(ctx)
	// One statement per batch keeps memory flat; the text is a sample page's with a document's own
	// numbers in it (a CCCD, a notation), as real papers differ.
	const batch = 20000
	for from := 0; from < c.Docs; from += batch {
		to := min(from+batch, c.Docs)
		if _, err := conn.Exec(ctx, `
			INSERT INTO documents (id, sha256, original_key, filename, source, size_bytes, media_type, status, stage,
				title, text, agency, created_at, code)
			SELECT gen_random_uuid(), 'bench-' || i, 'originals/bench-' || i, 'scan-' || i || '.jpg', 'api', 300000, 'image/jpeg',
				'done', 'index', split_part(t, E'\n', 1), t || E'\nSố CCCD: ' || lpad((i * 7919 % 1000000000000)::text, 12, '0') ||
				E'\nSố: ' || i || '/QĐ-UBND', ($2::text[])[1 + i % array_length($2::text[], 1)],
				now() - (i || ' minutes')::interval, ($2::text[])[1 + i % array_length($2::text[], 1)] || '-bench-' || i
			FROM generate_series($3::int + 1, $4::int) AS i, LATERAL (SELECT ($1::text[])[1 + i % array_length($1::text[], 1)] AS t) x`,
			c.Texts, agencies, from, to); err != nil {
			return fmt.Errorf("populate documents %d–%d: %w", from, to, err)
		}
	}
	for _, q := range []string{
		`UPDATE documents SET search = sohoa_search(title, text), search_folded = sohoa_search_folded(title, text)`,
		`INSERT INTO owners (id, kind) VALUES ('031085012345', 'citizen')`,
		`INSERT INTO procedures (code, name) VALUES ('1.001193', 'Đăng ký khai sinh')`,
		// A fifth of the documents handed in with a dossier, one in a hundred of those a paper of
		// another agency reused there: the scope's second path.
		`WITH d AS (SELECT id, agency, row_number() OVER (ORDER BY id) AS n FROM documents WHERE random() < 0.2)
		 INSERT INTO dossiers (id, code, procedure_code, agency, owner_id, received_at)
		 SELECT id, 'bench-dossier-' || n, '1.001193',
			CASE WHEN n % 100 = 0 THEN (SELECT min(a.id) FROM agencies a WHERE a.parent IS NOT NULL AND a.id <> d.agency) ELSE agency END,
			'031085012345', now() FROM d`,
		`INSERT INTO dossier_documents (dossier_id, document_id, role, component_code, reused, agency, crosses)
		 SELECT x.id, x.id, 'component', 'bench-cmp-' || x.code, d.agency <> x.agency, x.agency, d.agency <> x.agency
		 FROM dossiers x JOIN documents d ON d.id = x.id`,
		// As autovacuum leaves a store in use: the index-only scans of counts need the visibility map.
		`VACUUM ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("populate: %w", err)
		}
	}
	return nil
}

// Result is the timings of one operation, in milliseconds.
type Result struct {
	Name     string
	P50, P95 float64
}

// Measure times, c.Runs times each, interleaved: a listing of 50 documents and a search, first
// without authorization (no scope, no token look-up), then as a clerk of the first agency
// (authenticated by token, the agency tree looked up, the scope in the SQL); and the authentication
// alone, what every request pays before its handler.
func Measure(ctx context.Context, p *storage.Postgres, c Config) ([]Result, error) {
	clerk := "bench-clerk-" + uuid.NewString()[:8]
	if _, err := p.CreateAccount(ctx, storage.NewAccount{Name: clerk, Role: string(account.Clerk), Agency: agencyID(1)}); err != nil {
		return nil, err
	}
	token, id, hash := account.NewToken()
	if _, err := p.AddToken(ctx, clerk, id, hash); err != nil {
		return nil, err
	}
	// authorized does what the API does for a request before its handler: the token's account and
	// the agencies it reaches.
	authorized := func() (*storage.Scope, error) {
		a, err := p.TokenAccount(ctx, account.Hash(token), time.Now())
		if err != nil {
			return nil, err
		}
		agencies, err := p.Subtree(ctx, a.Agency)
		return &storage.Scope{Agencies: agencies}, err
	}
	open := func() (*storage.Scope, error) { return nil, nil }
	ops := []op{
		{"list 50, no authorization", open, func(s *storage.Scope) error { _, _, err := p.List(ctx, storage.Filter{Limit: 50}); return err }},
		{"list 50, as a clerk", authorized, func(s *storage.Scope) error {
			_, _, err := p.List(ctx, storage.Filter{Limit: 50, Scope: s})
			return err
		}},
		{"search, no authorization", open, func(s *storage.Scope) error {
			_, err := p.Search(ctx, storage.Query{Text: c.Query})
			return err
		}},
		{"search, as a clerk", authorized, func(s *storage.Scope) error {
			_, err := p.Search(ctx, storage.Query{Text: c.Query, Scope: s})
			return err
		}},
	}
	ops = append(ops, op{"authentication alone", authorized, func(*storage.Scope) error { return nil }})
	times := make([][]float64, len(ops))
	for range c.Runs {
		for i, op := range ops {
			start := time.Now()
			s, err := op.scope()
			if err == nil {
				err = op.run(s)
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", op.name, err)
			}
			times[i] = append(times[i], float64(time.Since(start).Microseconds())/1000)
		}
	}
	out := make([]Result, len(ops))
	for i, op := range ops {
		out[i] = Result{Name: op.name, P50: quantile(times[i], 0.5), P95: quantile(times[i], 0.95)}
	}
	return out, nil
}

// op is one timed operation: what the request does before the store is asked (scope), and the ask.
type op struct {
	name  string
	scope func() (*storage.Scope, error)
	run   func(*storage.Scope) error
}

// quantile is the q-quantile of xs, nearest rank.
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// Print writes the results and, for each pair, what authorization adds at the 95th percentile.
func Print(w io.Writer, c Config, rs []Result) {
	fmt.Fprintf(w, "%d documents in %d agencies; %d runs of each, interleaved\n", c.Docs, c.Agencies, c.Runs)
	fmt.Fprintf(w, "%-28s %9s %9s\n", "operation", "p50 ms", "p95 ms")
	for _, r := range rs {
		fmt.Fprintf(w, "%-28s %9.2f %9.2f\n", r.Name, r.P50, r.P95)
	}
	for i := 0; i+2 < len(rs); i += 2 {
		fmt.Fprintf(w, "authorization adds %+.2f ms at p95 to %q (ratio %.2f)\n", rs[i+1].P95-rs[i].P95, rs[i].Name, rs[i+1].P95/rs[i].P95)
	}
}
