package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/sohoa-vn/sohoa/storage/searchbench"
)

const searchUsage = `usage: sohoa bench search [-docs 1000000] [-reference 100000] [-runs 100] [-years 3] [-province deploy/province] [-keep | -db URL]

Makes a fresh database beside SOHOA_MIGRATE_DATABASE_URL's (else SOHOA_DATABASE_URL's) and fills it,
through COPY and set-based SQL, with realistic Vietnamese papers (births, marriages, deaths, building
permits, business and land certificates, plans, decisions, letters: names, addresses, CCCDs, tax
codes, notations like 110/KH-UBND, dates) received over YEARS years by the agencies of -province,
indexed by the SQL the index stage runs. At REFERENCE documents, then at DOCS, it times RUNS runs of
each class of search (a rare term, a rare name common without diacritics, "ủy ban", "hồ sơ", a
two-syllable phrase with and without diacritics, a notation, an owner's papers, an agency's quarter)
through storage's Search as a reader of the whole province, interleaved, and at REFERENCE also
through the search that ranks every match, as the reference; prints p50, p95, p99 and what each
found, the ratio to the reference, the indexes' size and the indexing rates. The last line is the
worst p95 at DOCS. The database is dropped at the end unless -keep; -db measures again on a
database kept so (with the reference when it holds at most REFERENCE documents).`

func benchSearch(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench search", flag.ContinueOnError)
	c := searchbench.Config{Out: os.Stdout}
	fs.IntVar(&c.Docs, "docs", 1000000, "documents")
	fs.IntVar(&c.Reference, "reference", 100000, "documents at which the reference runs too (0: none)")
	fs.IntVar(&c.Runs, "runs", 100, "runs of each class of search")
	fs.IntVar(&c.Years, "years", 3, "years over which the documents were received")
	province := fs.String("province", "deploy/province", "folder of agencies.csv")
	keep := fs.Bool("keep", false, "keep the database")
	reuse := fs.String("db", "", "measure on this database, filled by an earlier run with -keep")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), searchUsage) }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.Docs < 1 || c.Reference < 0 || c.Runs < 1 || c.Years < 1 {
		return errors.New(searchUsage)
	}
	var err error
	if c.Agencies, _, err = readCatalogue(*province); err != nil {
		return err
	}
	dbURL, p, done, err := benchDatabase(ctx, *reuse, *keep)
	if err != nil {
		return err
	}
	defer done()
	if *reuse == "" {
		return searchbench.Run(ctx, dbURL, p, c)
	}
	s, err := searchbench.Reopen(ctx, dbURL, p, c)
	if err != nil {
		return err
	}
	return searchbench.Remeasure(ctx, s)
}
