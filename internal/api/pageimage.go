package api

import (
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/sohoa-vn/sohoa/storage"
)

// pageImage serves page n of a document as it was scanned (the image ingest stored, JPEG or PNG),
// for the document view beside the page's text. A page image is the paper itself: each look is in
// the trail.
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	pages, perr := s.Records.Pages(r.Context(), doc.ID)
	if perr != nil {
		s.storeError(w, r, perr)
		return
	}
	i := slices.IndexFunc(pages, func(p storage.Page) bool { return p.N == n })
	if err != nil || i < 0 {
		writeError(w, http.StatusNotFound, codeNotFound, "Tài liệu không có trang "+r.PathValue("n")+".")
		return
	}
	img, err := s.Objects.Get(r.Context(), storage.Work, pages[i].ImageKey)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	defer img.Close()
	if !s.record(w, r, storage.Event{Action: "document.page", DocumentID: doc.ID, Detail: map[string]any{"page": n}}) {
		return
	}
	w.Header().Set("Content-Type", "image/"+pages[i].Format)
	// Not kept by the browser: the counter PC is shared, and every look must reach the trail.
	w.Header().Set("Cache-Control", "no-store")
	if _, err := io.Copy(w, img); err != nil {
		s.Log.Warn("page image cut off", "document", doc.ID, "page", n, "error", err)
	}
}

// documentHistory is a document's own history: what the workers recorded (ingest, archive writes,
// changes to the PDF, a split) and what people changed of it, oldest first.
func (s *Server) documentHistory(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	events, err := s.Dossiers.History(r.Context(), "", doc.ID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: "document.history", DocumentID: doc.ID}) {
		writeJSON(w, http.StatusOK, map[string]any{"events": events})
	}
}
