// Package reportbench measures the plan's indicators on a province-sized store: it fills a fresh
// PostgreSQL database with a year of dossiers over the sample province's agencies, each with its
// papers (some signed, some reused, some results), then times the yearly report for the whole
// province by agency (rolled up), level, procedure and month, against the same figures read
// straight from the attachments, interleaved in one run (`sohoa bench report`).
package reportbench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

// Config is one benchmark.
type Config struct {
	Dossiers, PapersPer, Runs int
	Agencies                  []storage.Agency // the tree; the first is the province
	Procedures                []storage.Procedure
	Year                      int
	Out                       io.Writer
}

// Populate fills the empty, migrated database at url: Config.Dossiers dossiers received over the
// year, spread over the agencies and procedures, each with PapersPer papers of which about 80 % are
// signed, 30 % of the dossiers with a reused paper, half with a result, one paper in ten with a page
// flagged for review. The facts triggers are off while it fills (one refresh at the end does their
// work set-based, and the rollup's trigger takes that refresh as one delta), as a bulk load would
// have them.
func Populate(ctx context.Context, url string, p *storage.Postgres, c Config) error {
	if err := p.ImportAgencies(ctx, c.Agencies); err != nil {
		return err
	}
	if err := p.ImportProcedures(ctx, c.Procedures); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("populate: %w", err)
	}
	defer conn.Close(ctx)
	agencies, procs := make([]string, len(c.Agencies)), make([]string, len(c.Procedures))
	for i, a := range c.Agencies {
		agencies[i] = a.ID
	}
	for i, pr := range c.Procedures {
		procs[i] = pr.Code
	}
	start := time.Date(c.Year, 1, 1, 0, 0, 0, 0, code.Vietnam)
	for _, q := range []string{
		`ALTER TABLE dossier_documents DISABLE TRIGGER dossier_facts_attachment`,
		`ALTER TABLE dossiers DISABLE TRIGGER dossier_facts_dossier`,
		fmt.Sprintf(`INSERT INTO owners (id, kind) SELECT lpad(i::text, 12, '0'), 'citizen' FROM generate_series(1, %d) i`, owners(c)),
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("populate: %s: %w", q, err)
		}
	}
	const batch = 50000
	for from := 0; from < c.Dossiers; from += batch {
		to := min(from+batch, c.Dossiers)
		if err := fill(ctx, conn, c, agencies, procs, start, from, to); err != nil {
			return err
		}
	}
	for _, q := range []string{
		`SELECT refresh_dossier_facts(ARRAY(SELECT id FROM dossiers))`,
		`ALTER TABLE dossier_documents ENABLE TRIGGER dossier_facts_attachment`,
		`ALTER TABLE dossiers ENABLE TRIGGER dossier_facts_dossier`,
		`ANALYZE`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("populate: %s: %w", q, err)
		}
	}
	return nil
}

// owners is how many citizens the dossiers are of: ten dossiers each.
func owners(c Config) int { return max(c.Dossiers/10, 1) }

// fill inserts dossiers from+1…to with their papers, in three set-based statements.
func fill(ctx context.Context, conn *pgx.Conn, c Config, agencies, procs []string, start time.Time, from, to int) error {
	seconds := 365 * 24 * 3600 / max(c.Dossiers, 1)
	for _, st := range []struct {
		q    string
		args []any
	}{{
		`INSERT INTO dossiers (id, code, procedure_code, agency, owner_id, received_at)
		SELECT md5('d' || i)::uuid, 'bench-' || i, ($1::text[])[1 + i % array_length($1::text[], 1)],
			($2::text[])[1 + (i * 7) % array_length($2::text[], 1)], lpad((1 + i % $3::int)::text, 12, '0'),
			$4::timestamptz + make_interval(secs => i::double precision * $5::int)
		FROM generate_series($6::int + 1, $7::int) i`, []any{procs, agencies, owners(c), start, seconds, from, to}}, {
		`INSERT INTO documents (id, sha256, original_key, filename, source, size_bytes, media_type, status, stage, agency,
			pages, signed_key, signed_at, created_at)
		SELECT md5('p' || i || '-' || j)::uuid, 'bench-' || i || '-' || j, 'x', 'x.jpg', 'api', 1, 'image/jpeg', 'done', 'index',
			($1::text[])[1 + (i * 7) % array_length($1::text[], 1)], 1 + (i + j) % 3,
			CASE WHEN (i * 13 + j) % 5 <> 0 THEN 'bench/' || i || '-' || j END,
			$2::timestamptz + make_interval(secs => i::double precision * $3::int + 600 + (i * 37 + j) % 86400),
			$2::timestamptz + make_interval(secs => i::double precision * $3::int)
		FROM generate_series($4::int + 1, $5::int) i, generate_series(1, $6::int) j`, []any{agencies, start, seconds, from, to, c.PapersPer}}, {
		// Paper j of dossier i; its last paper is a result for half the dossiers, and for 30 % its
		// first paper is reused: the first paper of the dossier 1000 before it.
		`INSERT INTO dossier_documents (dossier_id, document_id, role, component_code, reused, agency)
		SELECT md5('d' || i)::uuid, md5('p' || src || '-' || j)::uuid,
			CASE WHEN j = $4::int AND i % 2 = 0 THEN 'result' ELSE 'component' END,
			'bench-' || i || '-' || j, src <> i, ($1::text[])[1 + (i * 7) % array_length($1::text[], 1)]
		FROM generate_series($2::int + 1, $3::int) i, generate_series(1, $4::int) j,
			LATERAL (SELECT CASE WHEN j = 1 AND i % 10 < 3 AND i > 1000 THEN i - 1000 ELSE i END AS src) s`,
		[]any{agencies, from, to, c.PapersPer}}, {
		// One paper in ten has its first page flagged for review (the others' pages are not rows:
		// only flagged pages count).
		`INSERT INTO pages (document_id, n, image_key, format, width, height, dpi_x, dpi_y, ocr_key, confidence, review)
		SELECT md5('p' || i || '-' || j)::uuid, 1, 'x', 'jpeg', 1, 1, 300, 300, 'x', 50, true
		FROM generate_series($1::int + 1, $2::int) i, generate_series(1, $3::int) j WHERE (i * 11 + j) % 10 = 0`,
		[]any{from, to, c.PapersPer}},
	} {
		if _, err := conn.Exec(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("populate dossiers %d–%d: %w", from, to, err)
		}
	}
	return nil
}
