package storagetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

// reportsIndicators counts what it made: in a district (with a ward under it) and another district,
// dossiers in November and December, papers signed or not, a result, a reuse; each grouping gives
// the counts it knows, the district's row rolls its ward up, and dossiers outside the period or the
// tree are left out.
func reportsIndicators(t *testing.T, s Store) {
	ctx := t.Context()
	must(t, s.ImportAgencies(ctx, []storage.Agency{
		{ID: province, Name: "UBND tỉnh", Level: storage.LevelProvince},
		{ID: district, Name: "UBND quận Lê Chân", Parent: province, Level: storage.LevelDistrict},
		{ID: ward, Name: "UBND phường Máy Chai", Parent: district, Level: storage.LevelCommune},
		{ID: other, Name: "UBND quận Ngô Quyền", Parent: province, Level: storage.LevelDistrict},
	}))
	// Both months before the papers are signed (now), so that times to sign are positive.
	nov := time.Date(2026, 10, 20, 9, 0, 0, 0, code.Vietnam)
	dec := time.Date(2026, 11, 25, 9, 0, 0, 0, code.Vietnam)
	n := 0
	open := func(agency, procedure string, at time.Time) storage.Dossier {
		n++
		d, err := s.CreateDossier(ctx, storage.NewDossier{ID: uuid.NewString(), ProcedureCode: procedure, ProcedureName: "thủ tục " + procedure,
			Agency: agency, Owner: storage.Owner{ID: citizen, Kind: "citizen"}, ReceivedAt: at}, at,
			func(seq int) (string, error) { return code.Dossier(agency, at, seq+n) })
		must(t, err)
		return d
	}
	paper := func(x storage.Dossier, role string, signed bool, pages int) string {
		doc := create(t, s, uuid.NewString())
		rows := make([]storage.Page, pages)
		for i := range rows {
			rows[i] = storage.Page{N: i + 1, ImageKey: fmt.Sprintf("pages/%s/%04d.png", doc.ID, i+1), Format: "png", Width: 10, Height: 10}
		}
		must(t, s.SetPages(ctx, doc.ID, rows))
		if signed {
			finish(t, s, doc.ID)
			must(t, s.SetSigned(ctx, doc.ID, storage.SignedFile{Key: doc.ID + ".pdf", SHA256: "x"}))
		}
		_, err := s.Attach(ctx, x.ID, doc.ID, role, false, storage.Actor{Name: "cán bộ"}, componentOf(x))
		must(t, err)
		return doc.ID
	}

	a := open(district, "1.001193", nov) // digitized, with a signed result
	paper(a, "component", true, 2)
	paper(a, "result", true, 1)
	b := open(ward, "1.001193", nov) // not digitized yet, a result not signed
	paper(b, "component", false, 3)
	paper(b, "result", false, 1)
	c := open(ward, "1.000894", dec) // reuses a's paper, and hands in one signed
	reusable := paper(c, "component", true, 4)
	c2 := open(ward, "1.000894", dec)
	_, err := s.Attach(ctx, c2.ID, reusable, "component", true, storage.Actor{Name: "cán bộ"}, componentOf(c2))
	must(t, err)
	open(other, "1.001193", nov)                                                // another district: out of the tree asked
	open(district, "1.001193", time.Date(2027, 1, 5, 9, 0, 0, 0, code.Vietnam)) // out of the period

	q := storage.IndicatorQuery{From: time.Date(2026, 10, 1, 0, 0, 0, 0, code.Vietnam), To: time.Date(2027, 1, 1, 0, 0, 0, 0, code.Vietnam), Agency: district}
	counts := func(r storage.IndicatorRow) [9]int {
		return [9]int{r.Dossiers, r.Digitized, r.WithResults, r.ResultsSigned, r.Reused, r.Papers, r.PapersSigned, r.Pages,
			b2i(r.ToSignedP50 != nil)}
	}
	for _, c := range []struct {
		by   string
		keys []string
		want [][9]int // dossiers, digitized, with results, results signed, reused, papers, papers signed, pages, has a time
	}{
		{storage.ByAgency, []string{district, ward}, [][9]int{{4, 3, 2, 1, 1, 4, 3, 11, 1}, {3, 2, 1, 0, 1, 3, 2, 8, 1}}},
		{storage.ByLevel, []string{storage.LevelDistrict, storage.LevelCommune}, [][9]int{{1, 1, 1, 1, 0, 1, 1, 3, 1}, {3, 2, 1, 0, 1, 3, 2, 8, 1}}},
		{storage.ByProcedure, []string{"1.000894", "1.001193"}, [][9]int{{2, 2, 0, 0, 1, 2, 2, 8, 1}, {2, 1, 2, 1, 0, 2, 1, 3, 1}}},
		{storage.ByMonth, []string{"2026-10", "2026-11"}, [][9]int{{2, 1, 2, 1, 0, 2, 1, 3, 1}, {2, 2, 0, 0, 1, 2, 2, 8, 1}}},
	} {
		q.By = c.by
		rows, err := s.Indicators(ctx, q)
		must(t, err)
		var keys []string
		var got [][9]int
		for _, r := range rows {
			keys = append(keys, r.Agency+r.Level+r.Procedure+r.Period)
			got = append(got, counts(r))
		}
		wantKeys := c.keys
		if c.by == storage.ByAgency {
			wantKeys = []string{district + storage.LevelDistrict, ward + storage.LevelCommune}
		}
		if !reflect.DeepEqual(keys, wantKeys) || !reflect.DeepEqual(got, c.want) {
			t.Errorf("by %s: rows %v %v, want %v %v", c.by, keys, got, wantKeys, c.want)
		}
	}
	// The reused paper was signed before c2 was received: c2 has no paper of its own signed, so no
	// time; the others' times are from receipt to signing.
	q.By = storage.ByProcedure
	rows, err := s.Indicators(ctx, q)
	must(t, err)
	if p := rows[0].ToSignedP50; p == nil || *p <= 0 {
		t.Errorf("time to sign %v, want a positive number of seconds", p)
	}
	if _, err := s.Indicators(ctx, storage.IndicatorQuery{From: q.From, To: q.To, Agency: "000.99.99.H99", By: storage.ByAgency}); err == nil {
		t.Error("a report of an unknown agency")
	}
	if v, ok := storage.TargetOf(mustTargets(t, s, 2023), storage.IndicatorResults, storage.LevelCommune); !ok || v < 0.549 || v > 0.551 {
		t.Errorf("the 2023 target of communes' results: %v, %v; want 0.55", v, ok)
	}
}

// componentOf codes components in the series of x's agency.
func componentOf(x storage.Dossier) func(series string, seq int) (string, error) {
	return func(series string, seq int) (string, error) { return code.Component(x.Agency, series, seq) }
}

func mustTargets(t *testing.T, s Store, year int) []storage.Target {
	t.Helper()
	got, err := s.Targets(t.Context(), year)
	must(t, err)
	return got
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
