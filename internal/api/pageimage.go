package api

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/sohoa-vn/sohoa/internal/thumb"
	"github.com/sohoa-vn/sohoa/storage"
)

// The widths a thumbnail may be asked at (?w=): below, nothing is left to see of a page; above, it
// is the page itself that should be asked for.
const minThumbWidth, maxThumbWidth = 32, 1600

// thumbSlots is how many thumbnails are made at once: each decodes a whole page (tens of MB for a
// large one) on the cores that serve every other request.
const thumbSlots = 2

// pageImage serves page n of a document as it was scanned (the image ingest stored, JPEG or PNG),
// for the document view beside the page's text; with ?w= a JPEG thumbnail that wide (the page
// itself when it is no wider, or too large to decode here). A page image is the paper itself, and
// so is its thumbnail: each look is in the trail, and neither is kept by the browser.
func (s *Server) pageImage(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	width, ok := thumbWidth(w, r)
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
	detail := map[string]any{"page": n}
	if width > 0 {
		detail["width"] = width
	}
	if !s.record(w, r, storage.Event{Action: "document.page", DocumentID: doc.ID, Detail: detail}) {
		return
	}
	// Not kept by the browser: the counter PC is shared, and every look must reach the trail.
	w.Header().Set("Cache-Control", "no-store")
	if width > 0 && width < pages[i].Width {
		s.serveThumbnail(w, r, img, pages[i], width, doc.ID)
		return
	}
	w.Header().Set("Content-Type", "image/"+pages[i].Format)
	if _, err := io.Copy(w, img); err != nil {
		s.Log.Warn("page image cut off", "document", doc.ID, "page", n, "error", err)
	}
}

// thumbWidth reads ?w=, 0 when absent, answering 400 itself when it is not a width it makes.
func thumbWidth(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("w")
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minThumbWidth || n > maxThumbWidth {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Độ rộng ảnh thu nhỏ (w) phải là số nguyên từ "+
			strconv.Itoa(minThumbWidth)+" đến "+strconv.Itoa(maxThumbWidth)+" điểm ảnh.")
		return 0, false
	}
	return n, true
}

// serveThumbnail sends page's image brought down to width pixels wide, or the image as stored when
// no thumbnail can be made of it here (a page too large to decode in this process, a format Go's
// decoders refuse): the browser scales that one itself, which is slower but shows the page.
func (s *Server) serveThumbnail(w http.ResponseWriter, r *http.Request, img io.Reader, page storage.Page, width int, docID string) {
	data, err := io.ReadAll(img)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.thumbsOnce.Do(func() { s.thumbs = make(chan struct{}, thumbSlots) })
	select {
	case s.thumbs <- struct{}{}:
	case <-r.Context().Done():
		return // the browser went away (the clerk left the page) while others were made
	}
	small, err := thumb.Make(data, width)
	<-s.thumbs
	if err != nil {
		if !errors.Is(err, thumb.ErrTooLarge) {
			s.Log.Warn("no thumbnail of a page; sent as stored", "document", docID, "page", page.N, "error", err)
		}
		w.Header().Set("Content-Type", "image/"+page.Format)
		w.Write(data)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Write(small)
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
