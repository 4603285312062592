package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/scopebench"
)

const accessUsage = `usage: sohoa bench access [-docs 100000] [-agencies 5] [-runs 300] [-q "khai sinh"] [-texts testdata/scans] [-keep | -db URL]

Makes a fresh database beside SOHOA_MIGRATE_DATABASE_URL's (else SOHOA_DATABASE_URL's), fills it with
DOCS documents of AGENCIES agencies (texts from the *.gt.txt pages in -texts, each with its own
numbers), then times RUNS times each, interleaved, listing 50 documents and searching Q without
authorization and as a clerk of one agency (token look-up, agency tree, scope in the SQL), and prints
p50, p95 and what authorization adds. The database is dropped at the end unless -keep; -db measures
again on a database kept so.`

func benchAccess(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench access", flag.ContinueOnError)
	c := scopebench.Config{Out: os.Stdout}
	fs.IntVar(&c.Docs, "docs", 100000, "documents")
	fs.IntVar(&c.Agencies, "agencies", 5, "agencies under one province")
	fs.IntVar(&c.Runs, "runs", 300, "runs of each operation")
	fs.StringVar(&c.Query, "q", "khai sinh", "the search")
	texts := fs.String("texts", "testdata/scans", "folder of *.gt.txt page texts")
	keep := fs.Bool("keep", false, "keep the database")
	reuse := fs.String("db", "", "measure on this database, filled by an earlier run with -keep, instead of a new one")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), accessUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.Docs < 1 || c.Agencies < 1 || c.Runs < 1 {
		return errors.New(accessUsage)
	}
	var err error
	if c.Texts, err = pageTexts(*texts); err != nil {
		return err
	}
	dbURL, p, done, err := benchDatabase(ctx, *reuse, *keep)
	if err != nil {
		return err
	}
	defer done()
	if *reuse == "" {
		if err := scopebench.Populate(ctx, dbURL, p, c); err != nil {
			return err
		}
	}
	rs, err := scopebench.Measure(ctx, p, c)
	if err != nil {
		return err
	}
	scopebench.Print(os.Stdout, c, rs)
	return nil
}

// pageTexts reads the pages of every *.gt.txt in dir (pages are separated by form feeds).
func pageTexts(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.gt.txt"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no *.gt.txt page texts in %s", dir)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, page := range strings.Split(string(b), "\f") {
			if strings.TrimSpace(page) != "" {
				out = append(out, page)
			}
		}
	}
	return out, nil
}

// benchDatabase opens the benchmark's database, migrated: reuse when given, else a fresh one beside
// SOHOA_MIGRATE_DATABASE_URL's (else SOHOA_DATABASE_URL's), dropped by done unless keep.
func benchDatabase(ctx context.Context, reuse string, keep bool) (url string, p *storage.Postgres, done func(), err error) {
	cfg, err := config.FromOS()
	if err != nil {
		return "", nil, nil, err
	}
	url, drop := reuse, func() {}
	if url == "" {
		if url, drop, err = freshDatabase(ctx, cmp.Or(cfg.MigrateDatabaseURL, cfg.DatabaseURL)); err != nil {
			return "", nil, nil, err
		}
		if keep {
			fmt.Println("database:", url)
			drop = func() {}
		}
	}
	migrations, err := schemasMigrations()
	if err == nil {
		p, err = storage.OpenPostgres(ctx, url, migrations)
	}
	if err != nil {
		drop()
		return "", nil, nil, err
	}
	return url, p, func() { p.Close(); drop() }, nil
}

// freshDatabase creates a database on the server of url and returns its URL and how to drop it.
func freshDatabase(ctx context.Context, server string) (string, func(), error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, err
	}
	name := "sohoa_bench_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return "", nil, fmt.Errorf("bench database: %w", err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, fmt.Errorf("bench database: %w", err)
	}
	drop := func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		conn.Close(context.Background())
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
