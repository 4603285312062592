package storage_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

// searchStore is a store of generated papers for the search at scale: n documents of two agencies,
// received one an hour up to now, indexed by the SQL the index stage runs, and analysed, so that
// the planner's estimates are what they are in a store in use. text gives document i's text, kind
// its kind; every third has an owner.
func searchStore(t *testing.T, n int, text func(i int) string) (*storage.Postgres, *pgx.Conn) {
	t.Helper()
	url := testenv.Postgres(t)
	p := open(t, url)
	conn := connect(t, url)
	ctx := t.Context()
	for _, a := range []string{"000.00.53.H26", "000.00.54.H26"} {
		must(t, p.EnsureAgency(ctx, a, "UBND "+a, ""))
	}
	texts := make([]string, n)
	for i := range texts {
		texts[i] = text(i)
	}
	_, err := conn.Exec(ctx, `INSERT INTO owners (id, kind) SELECT lpad(i::text, 12, '0'), 'citizen' FROM generate_series(0, 9) i`)
	must(t, err)
	_, err = conn.Exec(ctx, `
		INSERT INTO documents (id, sha256, original_key, source, size_bytes, status, stage, title, text, search, search_folded,
			agency, kind, owner_id, created_at, code)
		SELECT gen_random_uuid(), 'scale-' || i, 'k', 'api', 1, 'done', 'index', 'Giấy tờ ' || i, t,
			sohoa_search('Giấy tờ ' || i, t), sohoa_search_folded('Giấy tờ ' || i, t),
			CASE WHEN i % 2 = 0 THEN '000.00.53.H26' ELSE '000.00.54.H26' END,
			CASE WHEN i % 3 = 0 THEN 'Giấy khai sinh' ELSE 'Công văn' END,
			CASE WHEN i % 3 = 0 THEN lpad((i % 10)::text, 12, '0') END,
			now() - make_interval(hours => $2::int - i), 'scale-' || i
		FROM unnest($1::text[]) WITH ORDINALITY AS x(t, o), LATERAL (SELECT o::int - 1 AS i) j`, texts, n)
	must(t, err)
	_, err = conn.Exec(ctx, `ANALYZE documents`)
	must(t, err)
	return p, conn
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func ids(hits []storage.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// idsOf are the IDs of the documents whose sha256 ('scale-' || i) is for one of is.
func idsOf(t *testing.T, conn *pgx.Conn, is ...int) []string {
	t.Helper()
	var shas []string
	for _, i := range is {
		shas = append(shas, fmt.Sprint("scale-", i))
	}
	rows, err := conn.Query(t.Context(), `SELECT id::text FROM documents WHERE sha256 = ANY($1) ORDER BY created_at DESC`, shas)
	must(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	return out
}

// At a province's size a search cannot rank every match: it counts exactly up to a bound, estimates
// beyond, and ranks the newest matches, those with the diacritics as typed first wherever they are.
// With small limits, a few hundred documents take the paths a million do.
func TestPostgresSearchBounded(t *testing.T) {
	const n = 400
	// Every document is a letter of the people's committee; the first three (the oldest) are of a
	// Mr Khổng, and every fourth says "không"; ten say "hộ tịch", once "hồ tịch".
	p, conn := searchStore(t, n, func(i int) string {
		s := fmt.Sprintf("Ủy ban nhân dân phường số %d", i)
		switch {
		case i < 3:
			s += ". Ông Khổng Minh"
		case i%4 == 0:
			s += ". Không có ý kiến"
		}
		if i >= 100 && i < 110 {
			s += ". Sổ hộ tịch"
		}
		if i == 110 {
			s += ". Sổ hồ tịch"
		}
		if i%16 == 0 {
			s += ". Tổ dân phố"
		}
		return s
	})
	storage.SetSearchLimits(p, 12, 5, 30, 40)
	ctx := t.Context()

	t.Run("common: estimated, the newest ranked, facets of a sample", func(t *testing.T) {
		r, err := p.Search(ctx, storage.Query{Text: "ủy ban", Limit: 5})
		must(t, err)
		if !r.Estimated || r.Total < n/2 || r.Total > 2*n {
			t.Errorf("total %d, estimated %v; want an estimate near %d", r.Total, r.Estimated, n)
		}
		newest := idsOf(t, conn, n-1, n-2, n-3, n-4, n-5)
		if got := ids(r.Hits); !sameSet(got, newest) {
			t.Errorf("hits %v; want the newest five, %v", got, newest)
		}
		if f := r.Facets; !f.Sampled || f.Counted != 40 || len(f.Agency) != 2 || f.Agency[0].Count+f.Agency[1].Count != 40 {
			t.Errorf("facets %+v; want the 40 newest counted, by both agencies", f)
		}
	})

	t.Run("exact up to the bound", func(t *testing.T) {
		r, err := p.Search(ctx, storage.Query{Text: "hộ tịch"})
		must(t, err)
		if r.Estimated || r.Total != 11 || len(r.Hits) != 11 {
			t.Fatalf("total %d estimated %v, %d hits; want all 11 counted", r.Total, r.Estimated, len(r.Hits))
		}
		if r.Hits[10].ID != idsOf(t, conn, 110)[0] {
			t.Errorf("the one matched without its diacritics is not last: %v", ids(r.Hits))
		}
		if f := r.Facets; f.Sampled || f.Counted != 11 || len(f.Kind) != 2 || f.Kind[0] != (storage.Facet{Value: "Công văn", Count: 8}) ||
			f.Kind[1] != (storage.Facet{Value: "Giấy khai sinh", Count: 3}) {
			t.Errorf("facets %+v; want all 11 counted by kind", f)
		}
	})

	t.Run("a rare name first, though common without diacritics and old", func(t *testing.T) {
		r, err := p.Search(ctx, storage.Query{Text: "Khổng", Limit: 5})
		must(t, err)
		if got, want := ids(r.Hits[:3]), idsOf(t, conn, 0, 1, 2); !sameSet(got, want) {
			t.Errorf("first hits %v; want Mr Khổng's %v", got, want)
		}
		if r.Total < 50 {
			t.Errorf("total %d; want "+"không"+"'s hundred too", r.Total)
		}
	})

	t.Run("pages of the newest blocks never overlap", func(t *testing.T) {
		seen := map[string]int{}
		for page := range 6 {
			r, err := p.Search(ctx, storage.Query{Text: "ủy ban", Limit: 5, Offset: 5 * page})
			must(t, err)
			if len(r.Hits) != 5 {
				t.Fatalf("page %d: %d hits", page, len(r.Hits))
			}
			for _, id := range ids(r.Hits) {
				if p, ok := seen[id]; ok {
					t.Errorf("%s on pages %d and %d", id, p, page)
				}
				seen[id] = page
			}
		}
		// Blocks of five by recency: the 30 hits are the 30 newest documents.
		var want []int
		for i := range 30 {
			want = append(want, n-1-i)
		}
		var got []string
		for id := range seen {
			got = append(got, id)
		}
		if w := idsOf(t, conn, want...); !sameSet(got, w) {
			t.Errorf("six pages hold %d of the 30 newest", len(intersect(got, w)))
		}
	})

	t.Run("filters narrow the window", func(t *testing.T) {
		from := time.Now().Add(-(n - 300) * time.Hour).In(time.UTC)
		r, err := p.Search(ctx, storage.Query{Text: "ủy ban", Agency: "000.00.54.H26", Kind: "Công văn", From: &from, Limit: 50})
		must(t, err)
		for _, h := range r.Hits {
			var agency, kind string
			must(t, conn.QueryRow(ctx, `SELECT agency, kind FROM documents WHERE id = $1`, h.ID).Scan(&agency, &kind))
			if agency != "000.00.54.H26" || kind != "Công văn" {
				t.Errorf("hit %s of %s, %s", h.ID, agency, kind)
			}
		}
		if len(r.Facets.Agency) != 1 || len(r.Facets.Kind) != 1 {
			t.Errorf("total %d estimated %v, facets %+v; want one agency and one kind", r.Total, r.Estimated, r.Facets)
		}
	})

	t.Run("a few more than counted: estimated, and the newest from recent months", func(t *testing.T) {
		r, err := p.Search(ctx, storage.Query{Text: "tổ dân phố", Limit: 5})
		must(t, err)
		if !r.Estimated || r.Total <= 12 || !r.Facets.Sampled || r.Facets.Counted != 13 {
			t.Errorf("total %d estimated %v, facets %+v; want an estimate over 12, of 13 counted", r.Total, r.Estimated, r.Facets)
		}
		if got, want := ids(r.Hits), idsOf(t, conn, 384, 368, 352, 336, 320); !sameSet(got, want) {
			t.Errorf("hits %v; want the newest five, %v", got, want)
		}
	})
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && len(intersect(a, b)) == len(a)
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// The same at the limits sohoa runs with: 25 000 letters, 10 000 counted exactly.
func TestPostgresSearchEstimatedAtScale(t *testing.T) {
	const n = 25000
	p, _ := searchStore(t, n, func(i int) string {
		if i%1000 == 0 {
			return fmt.Sprintf("Ủy ban nhân dân, Quyết định số %d/QĐ-UBND", i)
		}
		return fmt.Sprintf("Ủy ban nhân dân phường số %d", i)
	})
	ctx := t.Context()
	r, err := p.Search(ctx, storage.Query{Text: "ủy ban"})
	must(t, err)
	if !r.Estimated || r.Total < storage.MaxCounted || len(r.Hits) != 20 || !r.Facets.Sampled {
		t.Errorf("total %d estimated %v, %d hits, facets %+v; want an estimate over %d", r.Total, r.Estimated, len(r.Hits), r.Facets, storage.MaxCounted)
	}
	r, err = p.Search(ctx, storage.Query{Text: "quyết định"})
	must(t, err)
	if r.Estimated || r.Total != n/1000 || r.Facets.Sampled || r.Facets.Counted != n/1000 {
		t.Errorf("total %d estimated %v, facets %+v; want %d exactly", r.Total, r.Estimated, r.Facets, n/1000)
	}
	r, err = p.Search(ctx, storage.Query{Text: "5000/QĐ-UBND"})
	must(t, err)
	if r.Total != 1 || len(r.Hits) != 1 {
		t.Errorf("notation: total %d, %d hits", r.Total, len(r.Hits))
	}
	if r, err = p.Search(ctx, storage.Query{Text: "5000/QD-UBND"}); err != nil || r.Total != 1 {
		t.Errorf("notation without diacritics: total %d, %v", r.Total, err)
	}
}
