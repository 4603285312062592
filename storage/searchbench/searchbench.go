// Package searchbench measures search on a province-sized store (`sohoa bench search`): it fills a
// fresh PostgreSQL database with realistic Vietnamese papers (the sample texts' kinds and phrasing,
// each with its own names, addresses, CCCDs, tax codes, notations like 110/KH-UBND and dates, over a
// province's agencies and several years), indexes them as the index stage does, and times a mix of
// searches through storage.Postgres's Search, as a reader of the whole province: a rare term, common
// ones, a phrase with and without diacritics, a notation, an owner's papers, an agency's quarter.
// At a smaller size the same searches also run through the search sohoa had before (every match
// ranked), as the reference.
package searchbench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

// Config is one benchmark.
type Config struct {
	Docs      int              // documents at the end
	Reference int              // the size the reference runs at (and the new search with it); 0: none
	Runs      int              // runs of each class of search, at each size
	Years     int              // the documents were received over this many years, up to now
	Agencies  []storage.Agency // the tree; the first is the province, whose reader searches
	Out       io.Writer
}

// Load is what filling the store to a size cost.
type Load struct {
	Docs             int
	Generate         time.Duration // writing the texts and copying them in
	Vectors, Indexes time.Duration // the search vectors of the new documents; building the indexes
	IndexBytes       int64         // both search indexes
	TableBytes       int64         // the documents, their TOAST and every index of them
	OneByOne         float64       // documents a second through Records.Index, one at a time
}

// Rate is the documents indexed a second in bulk: vectors and index build.
func (l Load) Rate(added int) float64 { return float64(added) / (l.Vectors + l.Indexes).Seconds() }

// Store is the benchmark's database as it grows.
type Store struct {
	url string
	p   *storage.Postgres
	cfg Config
	n   int // documents so far
	// owners are the citizens' CCCDs and the companies' tax codes the papers are of.
	citizens, companies []string
	seq                 map[string]int // an agency's documents of a day, for their codes
	scope               *storage.Scope // a reader of the whole province
}

// Open starts filling the empty, migrated database at url: the agencies and the owners.
func Open(ctx context.Context, url string, p *storage.Postgres, c Config) (*Store, error) {
	if err := p.ImportAgencies(ctx, c.Agencies); err != nil {
		return nil, err
	}
	s := &Store{url: url, p: p, cfg: c, seq: map[string]int{}}
	if err := s.readScope(ctx); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	// A citizen hands in a few papers over the years, a company a couple.
	for range max(c.Docs/4, 1) {
		s.citizens = append(s.citizens, citizenID(r, 1950+r.IntN(55), r.IntN(2) == 0))
	}
	for range max(c.Docs/40, 1) {
		s.companies = append(s.companies, taxCode(r))
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("bench search: %w", err)
	}
	defer conn.Close(ctx)
	rows := func(ids []string, kind string) pgx.CopyFromSource {
		return pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) { return []any{ids[i], kind}, nil })
	}
	for _, o := range []struct {
		ids  []string
		kind string
	}{{s.citizens, "citizen"}, {s.companies, "business"}} {
		// Drawn at random, a few numbers repeat: the owner table keeps each once.
		if _, err := conn.Exec(ctx, `CREATE TEMP TABLE o (id text, kind text)`); err != nil {
			return nil, fmt.Errorf("bench search: owners: %w", err)
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"o"}, []string{"id", "kind"}, rows(o.ids, o.kind)); err != nil {
			return nil, fmt.Errorf("bench search: owners: %w", err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO owners (id, kind) SELECT DISTINCT id, kind FROM o ON CONFLICT DO NOTHING; DROP TABLE o`); err != nil {
			return nil, fmt.Errorf("bench search: owners: %w", err)
		}
	}
	return s, nil
}

// Reopen measures again a store an earlier run filled and kept.
func Reopen(ctx context.Context, url string, p *storage.Postgres, c Config) (*Store, error) {
	s := &Store{url: url, p: p, cfg: c}
	if err := s.readScope(ctx); err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("bench search: %w", err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM documents`).Scan(&s.n); err != nil {
		return nil, fmt.Errorf("bench search: %w", err)
	}
	return s, nil
}

// Docs is how many documents the store holds.
func (s *Store) Docs() int { return s.n }

func (s *Store) readScope(ctx context.Context) error {
	agencies, err := s.p.Subtree(ctx, s.cfg.Agencies[0].ID)
	s.scope = &storage.Scope{Agencies: agencies}
	return err
}

// indexes are the definitions of the documents' indexes that a bulk load drops and builds again
// after, as the migrations wrote them (those of constraints stay).
func indexes(ctx context.Context, conn *pgx.Conn) (map[string]string, error) {
	rows, err := conn.Query(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.tablename = 'documents' AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`)
	if err != nil {
		return nil, fmt.Errorf("bench search: indexes: %w", err)
	}
	defs := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, fmt.Errorf("bench search: indexes: %w", err)
		}
		defs[name] = def
	}
	return defs, rows.Err()
}

// Grow adds documents up to to, indexes them, and analyses the tables.
func (s *Store) Grow(ctx context.Context, to int) (Load, error) {
	l := Load{Docs: to}
	conn, err := pgx.Connect(ctx, s.url)
	if err != nil {
		return l, fmt.Errorf("bench search: %w", err)
	}
	defer conn.Close(ctx)
	defs, err := indexes(ctx, conn)
	if err != nil {
		return l, err
	}
	for name := range defs {
		if _, err := conn.Exec(ctx, `DROP INDEX `+pgx.Identifier{name}.Sanitize()); err != nil {
			return l, fmt.Errorf("bench search: %w", err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE UNLOGGED TABLE bench_docs (LIKE documents INCLUDING DEFAULTS)`); err != nil {
		return l, fmt.Errorf("bench search: %w", err)
	}
	start := time.Now()
	if err := s.copyDocs(ctx, conn, s.n, to); err != nil {
		return l, err
	}
	l.Generate = time.Since(start)

	// The vectors are computed by the same SQL the index stage's Records.Index runs, on both cores.
	start = time.Now()
	g, gctx := errgroup.WithContext(ctx)
	const workers = 2
	for w := range workers {
		g.Go(func() error {
			c, err := pgx.Connect(gctx, s.url)
			if err != nil {
				return err
			}
			defer c.Close(gctx)
			_, err = c.Exec(gctx, `INSERT INTO documents (`+docColumns+`, search, search_folded)
				SELECT `+docColumns+`, sohoa_search(title, text), sohoa_search_folded(title, text)
				FROM bench_docs WHERE hashtext(sha256) & 1 = $1`, w)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return l, fmt.Errorf("bench search: index documents %d–%d: %w", s.n+1, to, err)
	}
	l.Vectors = time.Since(start)
	start = time.Now()
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for _, def := range defs {
		g.Go(func() error {
			c, err := pgx.Connect(gctx, s.url)
			if err != nil {
				return err
			}
			defer c.Close(gctx)
			_, err = c.Exec(gctx, `SET maintenance_work_mem = '1GB'; `+def)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return l, fmt.Errorf("bench search: build the indexes: %w", err)
	}
	l.Indexes = time.Since(start)
	// As autovacuum leaves a store in use: the visibility map lets counts skip the rows.
	if _, err := conn.Exec(ctx, `DROP TABLE bench_docs`); err != nil {
		return l, fmt.Errorf("bench search: %w", err)
	}
	if _, err := conn.Exec(ctx, `VACUUM ANALYZE documents`); err != nil {
		return l, fmt.Errorf("bench search: %w", err)
	}
	s.n = to
	return l, nil
}

// docColumns are the columns of documents the benchmark fills.
const docColumns = "id, sha256, original_key, filename, source, size_bytes, media_type, status, stage, " +
	"title, text, pages, code, agency, owner_id, kind, notation, issued_on, issuing_body, created_at, updated_at"

// copyDocs writes documents from+1…to into bench_docs: one COPY, the texts made as it streams.
func (s *Store) copyDocs(ctx context.Context, conn *pgx.Conn, from, to int) error {
	end := time.Now().Truncate(time.Hour)
	begin := end.AddDate(-s.cfg.Years, 0, 0)
	step := end.Sub(begin) / time.Duration(max(s.cfg.Docs, 1))
	i := from
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == to {
			return nil, nil
		}
		i++
		r := rand.New(rand.NewPCG(uint64(i), 7))
		created := begin.Add(step * time.Duration(i))
		agency := s.cfg.Agencies[r.IntN(len(s.cfg.Agencies))].ID
		p := generate(r, created.AddDate(0, 0, -r.IntN(20)), pick(r, s.citizens), pick(r, s.companies))
		day := agency + created.In(code.Vietnam).Format("060102")
		s.seq[day]++
		c, err := code.Dossier(agency, created, s.seq[day])
		if err != nil {
			return nil, err
		}
		var owner any
		if p.owner != "" {
			owner = p.owner
		}
		id := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "bench-%d", i))
		return []any{id, fmt.Sprintf("bench-%d", i), fmt.Sprintf("originals/bench-%d", i), fmt.Sprintf("scan-%d.jpg", i), "api",
			int64(250000 + r.IntN(500000)), "image/jpeg", "done", "index", p.title, p.text, 1, c, agency, owner, p.kind,
			p.notation, p.issued, p.issuer, created, created}, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"bench_docs"}, strings.Split(docColumns, ", "), src); err != nil {
		return fmt.Errorf("bench search: copy documents %d–%d: %w", from+1, to, err)
	}
	return nil
}
