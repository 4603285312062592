package storagetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// received opens a dossier of agency received at at, and returns its ID.
func received(t *testing.T, d storage.Dossiers, agency string, at time.Time) string {
	t.Helper()
	n := newDossier(citizen)
	n.Agency, n.ReceivedAt = agency, at
	ds, err := d.CreateDossier(t.Context(), n, at, func(seq int) (string, error) {
		return fmt.Sprintf("%s-%s-%04d", agency, at.Format("060102150405"), seq), nil
	})
	must(t, err)
	return ds.ID
}

// ReceivedDossiers lists a period's dossiers of the scope's agencies in the order of receipt (ties
// by ID), from included and to excluded, a page at a time after the cursor, each once.
func dossiersReceived(t *testing.T, _ storage.Records, d storage.Dossiers) {
	const other = "000.00.54.H26"
	from := day
	to := from.Add(24 * time.Hour)
	hour := from.Add(time.Hour)
	first := received(t, d, agency, from)
	tied := []string{received(t, d, agency, hour), received(t, d, agency, hour)}
	slices.Sort(tied)
	received(t, d, agency, from.Add(-time.Second)) // before the period
	received(t, d, agency, to)                     // its end is excluded
	elsewhere := received(t, d, other, hour)

	for _, c := range []struct {
		name     string
		agencies []string
		limit    int
		want     []string
	}{
		{"one agency, pages of 2", []string{agency}, 2, []string{first, tied[0], tied[1]}},
		{"one agency, pages of 1", []string{agency}, 1, []string{first, tied[0], tied[1]}},
		{"two agencies", []string{agency, other}, 10, append([]string{first}, sortedIDs(tied[0], tied[1], elsewhere)...)},
		{"another agency", []string{other}, 10, []string{elsewhere}},
		{"no agency reaches nothing", nil, 10, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			var after storage.DossierCursor
			for range 10 {
				page, err := d.ReceivedDossiers(t.Context(), storage.Scope{Agencies: c.agencies}, from, to, after, c.limit)
				must(t, err)
				if len(page) > c.limit {
					t.Fatalf("a page of %d with limit %d", len(page), c.limit)
				}
				if len(page) == 0 {
					break
				}
				for _, ds := range page {
					got = append(got, ds.ID)
					if ds.Code == "" || ds.Owner.ID != citizen || ds.ProcedureName == "" {
						t.Errorf("dossier %+v lacks what Dossier gives", ds)
					}
				}
				after = page[len(page)-1].After()
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("dossiers %v, want %v", got, c.want)
			}
		})
	}
}

// sortedIDs is the IDs of dossiers received at one time, in the order a listing gives them.
func sortedIDs(ids ...string) []string {
	slices.SortFunc(ids, strings.Compare)
	return ids
}
