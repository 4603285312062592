package storage

import (
	"context"
	"encoding/json"

	"github.com/jackc/pgx/v5"
)

func (p *Postgres) ImportAgencies(ctx context.Context, agencies []Agency) error {
	ordered, err := ParentsFirst(agencies)
	if err != nil {
		return err
	}
	return constraintErr(p.tx(ctx, "import agencies", func(tx pgx.Tx) error {
		for _, a := range ordered {
			if _, err := tx.Exec(ctx, `INSERT INTO agencies (id, name, parent, level, placeholder)
				VALUES ($1, $2, nullif($3, ''), $4, $5)
				ON CONFLICT (id) DO UPDATE SET name = $2, parent = nullif($3, ''), level = $4, placeholder = $5`,
				a.ID, a.Name, a.Parent, a.Level, a.Placeholder); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (p *Postgres) ImportProcedures(ctx context.Context, procedures []Procedure) error {
	return p.tx(ctx, "import procedures", func(tx pgx.Tx) error {
		for _, pr := range procedures {
			papers, err := json.Marshal(cmpPapers(pr.Papers))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO procedures (code, name, field, level, papers) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (code) DO UPDATE SET name = $2, field = $3, level = $4, papers = $5`,
				pr.Code, pr.Name, pr.Field, pr.Level, papers); err != nil {
				return err
			}
		}
		return nil
	})
}

// cmpPapers is papers as stored: never null.
func cmpPapers(papers []ProcedurePaper) []ProcedurePaper {
	if papers == nil {
		return []ProcedurePaper{}
	}
	return papers
}
