package storage_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

// The province of the rollup's test: a province, two departments, two districts with a commune each.
var rollupAgencies = []storage.Agency{
	{ID: "000.00.00.H26", Name: "UBND tỉnh", Level: storage.LevelProvince},
	{ID: "000.10.00.H26", Name: "Sở Tư pháp", Parent: "000.00.00.H26", Level: storage.LevelDepartment},
	{ID: "000.11.00.H26", Name: "Sở Xây dựng", Parent: "000.00.00.H26", Level: storage.LevelDepartment},
	{ID: "000.00.53.H26", Name: "UBND quận Lê Chân", Parent: "000.00.00.H26", Level: storage.LevelDistrict},
	{ID: "000.01.53.H26", Name: "UBND phường Máy Chai", Parent: "000.00.53.H26", Level: storage.LevelCommune},
	{ID: "000.00.54.H26", Name: "UBND quận Ngô Quyền", Parent: "000.00.00.H26", Level: storage.LevelDistrict},
	{ID: "000.01.54.H26", Name: "UBND phường Lạch Tray", Parent: "000.00.54.H26", Level: storage.LevelCommune},
}

var rollupProcedures = []string{"1.001193", "1.000894", "2.000001"}

// TestPostgresRollup holds indicator_rollup to the facts it sums, after random changes made by
// several writers at once: dossiers received, papers attached and signed, results, reuse, pages
// flagged and cleared, dossiers moved to another agency, procedure or day, attachments and dossiers
// deleted. Then (1) each dossier's facts are what a refresh from scratch computes, (2) every rollup
// row is the sum of its facts, bucket by bucket, and (3) every report over whole days read from the
// rollup gives the counts of the report read from the facts, and times within ToSignedError.
func TestPostgresRollup(t *testing.T) {
	url := testenv.Postgres(t)
	p := open(t, url)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(p.ImportAgencies(ctx, rollupAgencies))
	var procs []storage.Procedure
	for _, c := range rollupProcedures {
		procs = append(procs, storage.Procedure{Code: c, Name: "thủ tục " + c, Level: storage.LevelCommune})
	}
	must(p.ImportProcedures(ctx, procs))
	pool, err := pgxpool.New(ctx, url)
	must(err)
	t.Cleanup(pool.Close)

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	const writers, steps = 4, 150
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			c := &changer{ctx: ctx, p: p, pool: pool, rnd: rand.New(rand.NewPCG(seed, uint64(w))), writer: w}
			for i := range steps {
				// Another writer may delete what this one picked: that step does nothing.
				if err := c.step(t); err != nil && !errors.Is(err, storage.ErrNotFound) {
					errs <- fmt.Errorf("writer %d step %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkFactsFresh(t, pool)
	checkRollupSums(t, pool)
	checkReports(t, p)
}

// changer makes random changes to one province's dossiers.
type changer struct {
	ctx    context.Context
	p      *storage.Postgres
	pool   *pgxpool.Pool
	rnd    *rand.Rand
	writer int
	n      int
}

// day is a random instant of 2025 in Vietnam, often near a month's edge: before any paper is
// signed (now), so that every time to sign is positive.
func (c *changer) day() time.Time {
	m := time.Month(1 + c.rnd.IntN(12))
	d := []int{1, 2, 15, 28, 30}[c.rnd.IntN(5)]
	return time.Date(2025, m, d, c.rnd.IntN(24), c.rnd.IntN(60), c.rnd.IntN(60), 0, code.Vietnam)
}

func (c *changer) pick(q string, args ...any) (string, error) {
	var id string
	err := c.pool.QueryRow(c.ctx, q, args...).Scan(&id)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return id, err
}

func (c *changer) exec(q string, args ...any) error {
	_, err := c.pool.Exec(c.ctx, q, args...)
	return err
}

func (c *changer) step(t *testing.T) error {
	ctx := c.ctx
	c.n++
	agency := rollupAgencies[c.rnd.IntN(len(rollupAgencies))].ID
	procedure := rollupProcedures[c.rnd.IntN(len(rollupProcedures))]
	owner := fmt.Sprintf("%012d", 1+c.rnd.IntN(5))
	switch k := c.rnd.IntN(20); {
	case k < 5: // a dossier received
		at := c.day()
		_, err := c.p.CreateDossier(ctx, storage.NewDossier{ID: uuid.NewString(), ProcedureCode: procedure, Agency: agency,
			Owner: storage.Owner{ID: owner, Kind: "citizen"}, ReceivedAt: at}, at,
			func(seq int) (string, error) { return fmt.Sprintf("%s-%d-%d-%d", agency, c.writer, c.n, seq), nil })
		return err
	case k < 10: // a paper or result handed in, with pages some of them flagged
		x, err := c.pick(`SELECT id FROM dossiers ORDER BY random() LIMIT 1`)
		if x == "" || err != nil {
			return err
		}
		doc, pages := uuid.NewString(), 1+c.rnd.IntN(4)
		if err := c.exec(`INSERT INTO documents (id, sha256, original_key, filename, source, size_bytes, media_type, status, stage, agency, pages)
			VALUES ($1, $4, 'x', 'x.png', 'api', 1, 'image/png', 'done', 'index', $2, $3)`, doc, agency, pages, doc); err != nil {
			return err
		}
		if err := c.exec(`INSERT INTO pages (document_id, n, image_key, format, width, height, dpi_x, dpi_y, ocr_key, confidence, review)
			SELECT $1, n, 'k', 'png', 1, 1, 300, 300, 'o', 50, random() < 0.3 FROM generate_series(1, $2::int) n`, doc, pages); err != nil {
			return err
		}
		role := []string{"component", "component", "result"}[c.rnd.IntN(3)]
		_, err = c.p.Attach(ctx, x, doc, role, false, storage.Actor{Name: "cán bộ"},
			func(series string, seq int) (string, error) {
				return fmt.Sprintf("%s-%s-%d-%d-%d", doc, series, c.writer, c.n, seq), nil
			})
		return err
	case k < 13: // a paper signed
		doc, err := c.pick(`SELECT id FROM documents WHERE signed_key IS NULL ORDER BY random() LIMIT 1`)
		if doc == "" || err != nil {
			return err
		}
		return c.p.SetSigned(ctx, doc, storage.SignedFile{Key: doc + ".pdf", SHA256: "x"})
	case k < 14: // a signed paper reused by another dossier of its owner
		var x, doc string
		err := c.pool.QueryRow(ctx, `SELECT x.id, d.id FROM dossiers x JOIN documents d ON d.owner_id = x.owner_id
			WHERE d.signed_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM dossier_documents dd WHERE dd.dossier_id = x.id AND dd.document_id = d.id)
			ORDER BY random() LIMIT 1`).Scan(&x, &doc)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = c.p.Attach(ctx, x, doc, "component", true, storage.Actor{Name: "cán bộ"},
			func(series string, seq int) (string, error) {
				return fmt.Sprintf("%s-%s-r%d-%d-%d", doc, series, c.writer, c.n, seq), nil
			})
		return err
	case k < 15: // a page's flag cleared or set, on any paper
		return c.exec(`UPDATE pages SET review = NOT review WHERE (document_id, n) = (SELECT document_id, n FROM pages ORDER BY random() LIMIT 1)`)
	case k < 17: // a dossier moved to another agency, procedure or day
		var set []string
		for _, col := range []string{"agency = $1", "procedure_code = $2", "received_at = $3"} {
			if c.rnd.IntN(2) == 0 {
				set = append(set, col)
			}
		}
		if len(set) == 0 {
			return nil
		}
		return c.exec(`UPDATE dossiers SET `+strings.Join(set, ", ")+` WHERE id = (SELECT id FROM dossiers ORDER BY random() LIMIT 1)
			AND $1::text IS NOT NULL AND $2::text IS NOT NULL AND $3::timestamptz IS NOT NULL`, agency, procedure, c.day())
	case k < 18: // an attachment taken off
		return c.exec(`DELETE FROM dossier_documents WHERE (dossier_id, document_id) =
			(SELECT dossier_id, document_id FROM dossier_documents ORDER BY random() LIMIT 1)`)
	default: // a dossier deleted with its attachments
		return pgx.BeginFunc(ctx, c.pool, func(tx pgx.Tx) error {
			var x string
			err := tx.QueryRow(ctx, `SELECT id FROM dossiers ORDER BY random() LIMIT 1 FOR UPDATE`).Scan(&x)
			if err == pgx.ErrNoRows {
				return nil
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM dossier_documents WHERE dossier_id = $1`, x); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `DELETE FROM dossiers WHERE id = $1`, x)
			return err
		})
	}
}

// checkFactsFresh refreshes every dossier's facts from scratch and fails if any changed: facts that
// concurrent writers left stale.
func checkFactsFresh(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	facts := func() map[string]string {
		rows, err := pool.Query(t.Context(), `SELECT dossier_id::text, f::text FROM dossier_facts f`)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for rows.Next() {
			var id, row string
			if err := rows.Scan(&id, &row); err != nil {
				t.Fatal(err)
			}
			out[id] = row
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := facts()
	if _, err := pool.Exec(t.Context(), `SELECT refresh_dossier_facts(ARRAY(SELECT id FROM dossiers))`); err != nil {
		t.Fatal(err)
	}
	after := facts()
	var dossiers int
	if err := pool.QueryRow(t.Context(), `SELECT count(*) FROM dossiers`).Scan(&dossiers); err != nil {
		t.Fatal(err)
	}
	if len(after) != dossiers || len(after) < 50 {
		t.Errorf("%d facts rows for %d dossiers (want one each, and more than 50)", len(after), dossiers)
	}
	for id, row := range after {
		if before[id] != row {
			t.Errorf("facts of %s were %s, a refresh makes them %s", id, before[id], row)
		}
	}
}

// checkRollupSums computes the rollup again from the facts, grouping them itself, and compares it
// row by row with indicator_rollup (rows that fell to nothing left out).
func checkRollupSums(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	const sums = `dossiers::bigint, digitized::bigint, with_results::bigint, results_signed::bigint, reused::bigint,
		papers::bigint, papers_signed::bigint, pages::bigint, pages_flagged::bigint`
	rows, err := pool.Query(t.Context(), `WITH
		want AS (SELECT g.grain, g.start, f.agency, f.procedure_code, to_signed_bucket(f.to_signed) AS bucket, count(*) AS dossiers,
				count(*) FILTER (WHERE f.papers_signed + f.results_signed > 0) AS digitized,
				count(*) FILTER (WHERE f.results > 0) AS with_results, count(*) FILTER (WHERE f.results_signed > 0) AS results_signed,
				count(*) FILTER (WHERE f.reused > 0) AS reused, sum(f.papers) AS papers, sum(f.papers_signed) AS papers_signed,
				sum(f.pages) AS pages, sum(f.pages_flagged) AS pages_flagged
			FROM dossier_facts f, LATERAL (VALUES ('day', (f.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date),
				('month', date_trunc('month', f.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)) g (grain, start)
			GROUP BY 1, 2, 3, 4, 5),
		w AS (SELECT grain, start, agency, procedure_code, bucket, `+sums+` FROM want),
		g AS (SELECT grain, start, agency, procedure_code, bucket, `+sums+` FROM indicator_rollup
			WHERE (dossiers, digitized, with_results, results_signed, reused, papers, papers_signed, pages, pages_flagged)
				<> (0, 0, 0, 0, 0, 0, 0, 0, 0))
		SELECT 'missing', w::text FROM (SELECT * FROM w EXCEPT SELECT * FROM g) w
		UNION ALL SELECT 'wrong', g::text FROM (SELECT * FROM g EXCEPT SELECT * FROM w) g
		UNION ALL SELECT 'count', count(*)::text FROM w`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var what, row string
		if err := rows.Scan(&what, &row); err != nil {
			t.Fatal(err)
		}
		switch {
		case what == "count" && row == "0":
			t.Error("no facts to roll up")
		case what != "count":
			t.Errorf("rollup row %s: %s", what, row)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// checkReports compares each report over whole days read from the rollup with the same read from
// the facts: the same rows and counts, the times within the rollup's bound.
func checkReports(t *testing.T, p *storage.Postgres) {
	t.Helper()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, code.Vietnam) }
	periods := [][2]time.Time{
		{day(2025, 1, 1), day(2026, 1, 1)},   // the year
		{day(2025, 4, 1), day(2025, 7, 1)},   // a quarter
		{day(2025, 2, 1), day(2025, 3, 1)},   // a month
		{day(2025, 1, 15), day(2025, 3, 3)},  // days, a whole month, days
		{day(2025, 6, 2), day(2025, 6, 29)},  // days of one month
		{day(2025, 12, 30), day(2026, 1, 2)}, // days across the year's end
		{day(2025, 8, 1), day(2025, 8, 2)},   // one day
	}
	rows := 0
	for _, period := range periods {
		for _, agency := range []string{rollupAgencies[0].ID, rollupAgencies[3].ID} {
			for _, by := range []string{storage.ByAgency, storage.ByLevel, storage.ByProcedure, storage.ByMonth} {
				q := storage.IndicatorQuery{From: period[0], To: period[1], Agency: agency, By: by}
				got, err := p.Indicators(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				q.Exact = true
				want, err := p.Indicators(t.Context(), q)
				if err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s–%s %s by %s", q.From.Format(time.DateOnly), q.To.Format(time.DateOnly), agency, by)
				if len(got) != len(want) {
					t.Errorf("%s: %d rows from the rollup, %d from the facts:\n%+v\n%+v", name, len(got), len(want), got, want)
					continue
				}
				for i := range got {
					rows++
					g, w := got[i], want[i]
					if !closeTo(g.ToSignedP50, w.ToSignedP50) || !closeTo(g.ToSignedP95, w.ToSignedP95) {
						t.Errorf("%s row %d: times %s %s from the rollup, %s %s from the facts", name, i,
							show(g.ToSignedP50), show(g.ToSignedP95), show(w.ToSignedP50), show(w.ToSignedP95))
					}
					g.ToSignedP50, g.ToSignedP95, w.ToSignedP50, w.ToSignedP95 = nil, nil, nil, nil
					if g != w {
						t.Errorf("%s row %d:\n rollup %+v\n facts  %+v", name, i, g, w)
					}
				}
			}
		}
	}
	if rows < 100 {
		t.Errorf("only %d report rows compared", rows)
	}
}

// closeTo reports whether the rollup's estimate is within its bound of the exact time.
func closeTo(est, exact *float64) bool {
	if est == nil || exact == nil {
		return est == nil && exact == nil
	}
	return math.Abs(*est-*exact) <= storage.ToSignedError**exact+1e-9
}

func show(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("%.1f s", *v)
}
