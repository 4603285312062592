package memory

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

var _ storage.Reports = (*Store)(nil)

// facts is what a report counts of one dossier, as PostgreSQL's dossier_facts keeps it.
type facts struct {
	agency, procedure             string
	received                      time.Time
	papers, papersSigned, results int
	resultsSigned, reused, pages  int
	pagesFlagged                  int
	toSigned                      *float64
}

func (s *Store) factsOf(x *dossier) facts {
	f := facts{agency: x.Agency, procedure: x.ProcedureCode, received: x.ReceivedAt}
	var first time.Time
	for _, a := range x.attachments {
		d := s.docs[a.DocumentID]
		signed := d.SignedKey != ""
		switch a.Role {
		case "result":
			f.results++
			f.resultsSigned += b2i(signed)
		default:
			f.papers++
			f.papersSigned += b2i(signed)
		}
		f.reused += b2i(a.Reused)
		if signed {
			f.pages += d.Pages
			for _, p := range d.pages {
				f.pagesFlagged += b2i(p.Review)
			}
			if !a.Reused && (first.IsZero() || d.signedAt.Before(first)) {
				first = d.signedAt
			}
		}
	}
	if !first.IsZero() {
		v := first.Sub(x.ReceivedAt).Seconds()
		f.toSigned = &v
	}
	return f
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Store) Indicators(ctx context.Context, q storage.IndicatorQuery) ([]storage.IndicatorRow, error) {
	sub, err := s.Subtree(ctx, q.Agency)
	if err != nil {
		return nil, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	groups := map[string]*group{}
	add := func(key storage.IndicatorRow, f *facts) {
		k := key.Agency + "\x00" + key.Level + "\x00" + key.Procedure + "\x00" + key.Period
		g := groups[k]
		if g == nil {
			g = &group{row: key}
			groups[k] = g
		}
		if f != nil {
			g.add(*f)
		}
	}
	if q.By == storage.ByAgency { // every agency of the tree has a row, dossiers or not
		for _, id := range sub {
			add(storage.IndicatorRow{Agency: id, AgencyName: s.agencies[id], Level: s.agencyInfo[id].Level}, nil)
		}
	}
	for _, x := range s.dossiers {
		if x.ReceivedAt.Before(q.From) || !x.ReceivedAt.Before(q.To) || !slices.Contains(sub, x.Agency) {
			continue
		}
		f := s.factsOf(x)
		switch q.By {
		case storage.ByAgency:
			for _, id := range sub {
				if s.under(x.Agency, id) {
					add(storage.IndicatorRow{Agency: id, AgencyName: s.agencies[id], Level: s.agencyInfo[id].Level}, &f)
				}
			}
		case storage.ByLevel:
			add(storage.IndicatorRow{Level: s.agencyInfo[x.Agency].Level}, &f)
		case storage.ByProcedure:
			add(storage.IndicatorRow{Procedure: x.ProcedureCode, ProcedureName: s.procedures[x.ProcedureCode]}, &f)
		case storage.ByMonth:
			add(storage.IndicatorRow{Period: x.ReceivedAt.In(code.Vietnam).Format("2006-01")}, &f)
		default:
			return nil, fmt.Errorf("report by %q: no such grouping", q.By)
		}
	}
	out := make([]storage.IndicatorRow, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.result())
	}
	slices.SortFunc(out, func(a, b storage.IndicatorRow) int {
		return cmp.Or(cmp.Compare(a.Agency, b.Agency), cmp.Compare(a.Level, b.Level), cmp.Compare(a.Procedure, b.Procedure), cmp.Compare(a.Period, b.Period))
	})
	return out, nil
}

// under reports whether agency is ancestor or under it, at any depth.
func (s *Store) under(agency, ancestor string) bool {
	for a := agency; a != ""; a = s.parents[a] {
		if a == ancestor {
			return true
		}
	}
	return false
}

type group struct {
	row      storage.IndicatorRow
	toSigned []float64
}

func (g *group) add(f facts) {
	r := &g.row
	r.Dossiers++
	r.Digitized += b2i(f.papersSigned+f.resultsSigned > 0)
	r.WithResults += b2i(f.results > 0)
	r.ResultsSigned += b2i(f.resultsSigned > 0)
	r.Reused += b2i(f.reused > 0)
	r.Papers, r.PapersSigned, r.Pages = r.Papers+f.papers, r.PapersSigned+f.papersSigned, r.Pages+f.pages
	r.PagesFlagged += f.pagesFlagged
	if f.toSigned != nil {
		g.toSigned = append(g.toSigned, *f.toSigned)
	}
}

func (g *group) result() storage.IndicatorRow {
	r := g.row
	if len(g.toSigned) > 0 {
		slices.Sort(g.toSigned)
		p50, p95 := percentile(g.toSigned, 0.5), percentile(g.toSigned, 0.95)
		r.ToSignedP50, r.ToSignedP95 = &p50, &p95
	}
	return r
}

// percentile interpolates as PostgreSQL's percentile_cont does.
func percentile(sorted []float64, p float64) float64 {
	pos := p * float64(len(sorted)-1)
	lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}

func (s *Store) Targets(ctx context.Context, year int) ([]storage.Target, error) {
	return storage.DefaultTargets(year), nil
}
