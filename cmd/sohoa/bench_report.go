package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sohoa-vn/sohoa/internal/catalogue"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/reportbench"
)

const reportUsage = `usage: sohoa bench report [-dossiers 100000] [-papers 5] [-runs 20] [-year 2026] [-province deploy/province] [-keep | -db URL]

Makes a fresh database beside SOHOA_MIGRATE_DATABASE_URL's (else SOHOA_DATABASE_URL's), fills it with a
year of DOSSIERS dossiers of PAPERS papers each over the province in -province (agencies.csv,
procedures.csv), then times RUNS times, interleaved, the yearly report of the whole province by agency,
level, procedure and month, and the same figures by level read straight from the attachments as the
reference; prints p50, p95, the ratio to the reference and the worst p95. The database is dropped at the
end unless -keep; -db measures again on a database kept so.`

func benchReport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench report", flag.ContinueOnError)
	c := reportbench.Config{Out: os.Stdout}
	fs.IntVar(&c.Dossiers, "dossiers", 100000, "dossiers received in the year")
	fs.IntVar(&c.PapersPer, "papers", 5, "papers of each dossier")
	fs.IntVar(&c.Runs, "runs", 20, "runs of each report")
	fs.IntVar(&c.Year, "year", time.Now().Year(), "the year")
	province := fs.String("province", "deploy/province", "folder of agencies.csv and procedures.csv")
	keep := fs.Bool("keep", false, "keep the database")
	reuse := fs.String("db", "", "measure on this database, filled by an earlier run with -keep")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), reportUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.Dossiers < 1 || c.PapersPer < 1 || c.Runs < 1 {
		return errors.New(reportUsage)
	}
	if err := readProvince(*province, &c); err != nil {
		return err
	}
	dbURL, p, done, err := benchDatabase(ctx, *reuse, *keep)
	if err != nil {
		return err
	}
	defer done()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if *reuse == "" {
		start := time.Now()
		if err := reportbench.Populate(ctx, dbURL, p, c); err != nil {
			return err
		}
		fmt.Printf("filled in %s\n", time.Since(start).Round(time.Second))
	}
	rs, err := reportbench.Measure(ctx, p, pool, c)
	if err != nil {
		return err
	}
	reportbench.Print(os.Stdout, c, rs)
	return nil
}

// readProvince reads the province's agencies and procedures into c.
func readProvince(dir string, c *reportbench.Config) (err error) {
	c.Agencies, c.Procedures, err = readCatalogue(dir)
	return err
}

// readCatalogue reads the agencies.csv and procedures.csv of a province's folder.
func readCatalogue(dir string) ([]storage.Agency, []storage.Procedure, error) {
	a, err := os.Open(filepath.Join(dir, "agencies.csv"))
	if err != nil {
		return nil, nil, err
	}
	defer a.Close()
	agencies, err := catalogue.ReadAgencies(a)
	if err != nil {
		return nil, nil, err
	}
	p, err := os.Open(filepath.Join(dir, "procedures.csv"))
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	procedures, err := catalogue.ReadProcedures(p)
	return agencies, procedures, err
}
