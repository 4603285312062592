package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/sohoa-vn/sohoa/storage"
)

// reviewPage records that the caller checked a page's text against its image, which takes a page
// the OCR stage flagged off the document's list of pages waiting for a check (Document.Review). It
// answers the page.
func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		writeError(w, http.StatusNotFound, codeNotFound, "Tài liệu không có trang "+r.PathValue("n")+".")
		return
	}
	switch err := s.Dossiers.ReviewPage(r.Context(), doc.ID, n, s.actor(r)); {
	case errors.Is(err, storage.ErrPageNotRead):
		writeError(w, http.StatusConflict, codePageNotRead, "Trang "+strconv.Itoa(n)+" chưa được nhận dạng chữ nên chưa thể xác nhận; hãy đợi tài liệu xử lý xong.")
		return
	case errors.Is(err, storage.ErrNotFound):
		writeError(w, http.StatusNotFound, codeNotFound, "Tài liệu không có trang "+strconv.Itoa(n)+".")
		return
	case err != nil:
		s.storeError(w, r, err)
		return
	}
	pages, err := s.Records.Pages(r.Context(), doc.ID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	i := slices.IndexFunc(pages, func(p storage.Page) bool { return p.N == n })
	if i < 0 { // split again between the two calls
		writeError(w, http.StatusNotFound, codeNotFound, "Tài liệu không có trang "+strconv.Itoa(n)+".")
		return
	}
	writeJSON(w, http.StatusOK, pageJSON(pages[i]))
}
