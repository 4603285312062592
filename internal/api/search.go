package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// SearchResult is the JSON answer of a search.
type SearchResult struct {
	Total          int    `json:"total"`
	TotalEstimated bool   `json:"total_estimated"` // Total is an estimate ("khoảng"): more than storage.MaxCounted match
	Hits           []Hit  `json:"hits"`
	Facets         Facets `json:"facets"`
}

// Facets count the matches by kind, agency, month and owner: all of them, or when Sampled a part,
// Counted of them (the newest, or the first the index gave).
type Facets struct {
	Counted int          `json:"counted"`
	Sampled bool         `json:"sampled"`
	Kind    []FacetValue `json:"kind"`
	Agency  []FacetValue `json:"agency"`
	Month   []FacetValue `json:"month"`
	Owner   []FacetValue `json:"owner"`
}

// FacetValue is a value to narrow the search by (the filter of the same name takes it; a month
// YYYY-MM is from= and to= its first and last days) and how many of the counted matches have it.
type FacetValue struct {
	Value string `json:"value"`
	Name  string `json:"name,omitempty"` // an agency's
	Count int    `json:"count"`
}

// Hit is one document found.
type Hit struct {
	ID      string `json:"id"`
	Code    string `json:"code"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		writeError(w, http.StatusBadRequest, codeMissing, "Nhập từ cần tìm (tham số q).")
		return
	}
	v := r.URL.Query()
	query := storage.Query{Text: q, Owner: v.Get("owner"), Kind: v.Get("kind"), Agency: v.Get("agency"), Code: v.Get("code"), Scope: &who(r).scope,
		Limit: bounded(v.Get("limit"), 20, 1, 100), Offset: bounded(v.Get("offset"), 0, 0, 10000)}
	for _, d := range []struct {
		name string
		to   **time.Time
	}{{"from", &query.From}, {"to", &query.To}} {
		if v.Get(d.name) == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, v.Get(d.name))
		if err != nil {
			writeError(w, http.StatusBadRequest, codeBadDate, d.name+" phải có dạng YYYY-MM-DD.")
			return
		}
		*d.to = &t
	}
	found, err := s.Records.Search(r.Context(), query)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := SearchResult{Total: found.Total, TotalEstimated: found.Estimated, Hits: make([]Hit, len(found.Hits))}
	ids := make([]string, len(found.Hits))
	for i, h := range found.Hits {
		out.Hits[i] = Hit{ID: h.ID, Code: h.Code, Title: h.Title, Snippet: h.Snippet}
		ids[i] = h.ID
	}
	if out.Facets, err = s.facets(r.Context(), found.Facets); err != nil {
		s.storeError(w, r, err)
		return
	}
	filters := map[string]any{}
	for _, f := range []string{"owner", "kind", "agency", "code", "from", "to"} {
		if v.Get(f) != "" {
			filters[f] = v.Get(f)
		}
	}
	owners := make([]string, len(out.Facets.Owner))
	for i, o := range out.Facets.Owner {
		owners[i] = o.Value
	}
	if !s.record(w, r, storage.Event{Action: "search", OwnerID: query.Owner, Query: q,
		Detail: map[string]any{"ids": ids, "total": found.Total, "total_estimated": found.Estimated, "filters": filters, "facet_owners": owners}}) {
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// facets are f as the API answers them, with the agencies' names.
func (s *Server) facets(ctx context.Context, f storage.Facets) (Facets, error) {
	values := func(fs []storage.Facet) []FacetValue {
		out := make([]FacetValue, len(fs))
		for i, v := range fs {
			out[i] = FacetValue{Value: v.Value, Count: v.Count}
		}
		return out
	}
	out := Facets{Counted: f.Counted, Sampled: f.Sampled, Kind: values(f.Kind), Agency: values(f.Agency), Month: values(f.Month), Owner: values(f.Owner)}
	if len(f.Agency) == 0 {
		return out, nil
	}
	ids := make([]string, len(f.Agency))
	for i, a := range f.Agency {
		ids[i] = a.Value
	}
	agencies, err := s.Accounts.Agencies(ctx, ids)
	if err != nil {
		return out, err
	}
	names := map[string]string{}
	for _, a := range agencies {
		names[a.ID] = a.Name
	}
	for i := range out.Agency {
		out.Agency[i].Name = names[out.Agency[i].Value]
	}
	return out, nil
}

func bounded(v string, def, lo, hi int) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return max(lo, min(n, hi))
}
