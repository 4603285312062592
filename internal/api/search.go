package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// SearchResult is the JSON answer of a search.
type SearchResult struct {
	Total int   `json:"total"`
	Hits  []Hit `json:"hits"`
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
	total, hits, err := s.Records.Search(r.Context(), query)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := SearchResult{Total: total, Hits: make([]Hit, len(hits))}
	ids := make([]string, len(hits))
	for i, h := range hits {
		out.Hits[i] = Hit{ID: h.ID, Code: h.Code, Title: h.Title, Snippet: h.Snippet}
		ids[i] = h.ID
	}
	filters := map[string]any{}
	for _, f := range []string{"owner", "kind", "agency", "code", "from", "to"} {
		if v.Get(f) != "" {
			filters[f] = v.Get(f)
		}
	}
	if !s.record(w, r, storage.Event{Action: "search", OwnerID: query.Owner, Query: q,
		Detail: map[string]any{"ids": ids, "total": total, "filters": filters}}) {
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func bounded(v string, def, lo, hi int) int {
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return max(lo, min(n, hi))
}
