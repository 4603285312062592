package api

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/dvcqg"
	"github.com/sohoa-vn/sohoa/storage"
)

// exportPage is how many dossiers the national-portal export reads from the store at a time.
const exportPage = 200

// dossierDVCQG answers the dossier in the national portal's shape.
func (s *Server) dossierDVCQG(w http.ResponseWriter, r *http.Request) {
	d, atts, ok := s.pathDossierPapers(w, r)
	if !ok {
		return
	}
	if s.record(w, r, storage.Event{Action: "dossier.dvcqg", DossierID: d.ID, OwnerID: d.Owner.ID}) {
		writeJSON(w, http.StatusOK, dvcqg.New(d, atts, s.fileURL(r)))
	}
}

// dvcqgExport streams the records of the dossiers the caller's agencies received in a period, one
// JSON line each, in the order they were received. The trail records the period and the instant
// it was cut at (until): the dossiers served are exactly those of the caller's agencies received
// from from until then, whatever is received later. A failure once lines have gone out aborts the
// connection, so that a client never takes a cut-off export for a whole one.
func (s *Server) dvcqgExport(w http.ResponseWriter, r *http.Request) {
	from, to, ok := period(w, r)
	if !ok {
		return
	}
	until := to
	if now := s.now(); now.Before(to) {
		until = now
	}
	scope := who(r).scope
	if !s.record(w, r, storage.Event{Action: "dvcqg.export", Detail: map[string]any{"from": r.URL.Query().Get("from"),
		"to": r.URL.Query().Get("to"), "until": until.In(code.Vietnam).Format(time.RFC3339Nano)}}) {
		return
	}
	page, err := s.Dossiers.ReceivedDossiers(r.Context(), scope, from, until, storage.DossierCursor{}, exportPage)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", "attachment; filename=dvcqg-"+r.URL.Query().Get("from")+"-"+r.URL.Query().Get("to")+".ndjson")
	enc, flush, fileURL := json.NewEncoder(w), http.NewResponseController(w), s.fileURL(r)
	enc.SetEscapeHTML(false)
	for len(page) > 0 {
		for _, d := range page {
			atts, err := s.Dossiers.Attachments(r.Context(), d.ID)
			if err == nil {
				err = enc.Encode(dvcqg.New(d, atts, fileURL))
			}
			if err != nil {
				s.abort(r, err)
			}
		}
		flush.Flush()
		if page, err = s.Dossiers.ReceivedDossiers(r.Context(), scope, from, until, page[len(page)-1].After(), exportPage); err != nil {
			s.abort(r, err)
		}
	}
}

// abort ends an answer whose body has begun: its status can no longer say it failed, so the
// connection is cut (net/http closes it without a clean end of the body) and the error logged.
func (s *Server) abort(r *http.Request, err error) {
	s.Log.Error("answer cut off", "route", r.Pattern, "error", err)
	panic(http.ErrAbortHandler)
}

// period reads from and to (YYYY-MM-DD, both days included, in Vietnam's time) as [from, to),
// answering 400 itself when they are missing or wrong.
func period(w http.ResponseWriter, r *http.Request) (from, to time.Time, ok bool) {
	var days [2]time.Time
	for i, name := range []string{"from", "to"} {
		v := r.URL.Query().Get(name)
		if v == "" {
			writeError(w, http.StatusBadRequest, codeMissing, "Thiếu khoảng thời gian: from và to (YYYY-MM-DD).")
			return from, to, false
		}
		t, err := time.ParseInLocation(time.DateOnly, v, code.Vietnam)
		if err != nil {
			writeError(w, http.StatusBadRequest, codeBadDate, name+" phải có dạng YYYY-MM-DD.")
			return from, to, false
		}
		days[i] = t
	}
	if days[1].Before(days[0]) {
		writeError(w, http.StatusBadRequest, codeBadDate, "Ngày kết thúc (to) phải không trước ngày bắt đầu (from).")
		return from, to, false
	}
	return days[0], days[1].AddDate(0, 0, 1), true
}

// fileURL gives the address where a document's signed file is served: under SOHOA_PUBLIC_URL, or,
// in development without it, under the address the request came to.
func (s *Server) fileURL(r *http.Request) func(documentID string) string {
	base := ""
	if u := s.Guard.PublicURL; u != nil {
		base = strings.TrimSuffix(u.String(), "/")
	} else {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return func(id string) string { return base + "/api/v1/documents/" + id + "/file" }
}
