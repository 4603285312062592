package api

import (
	"net/http"
	"strconv"
	"strings"
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
		writeError(w, http.StatusBadRequest, "Nhập từ cần tìm (tham số q).")
		return
	}
	limit := bounded(r.URL.Query().Get("limit"), 20, 1, 100)
	offset := bounded(r.URL.Query().Get("offset"), 0, 0, 10000)
	total, hits, err := s.Records.Search(r.Context(), q, limit, offset)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := SearchResult{Total: total, Hits: make([]Hit, len(hits))}
	for i, h := range hits {
		out.Hits[i] = Hit{ID: h.ID, Code: h.Code, Title: h.Title, Snippet: h.Snippet}
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
