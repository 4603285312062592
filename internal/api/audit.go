package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

// AuditEvent is one event of the access trail as auditors read it.
type AuditEvent struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Account    string    `json:"account"`
	Action     string    `json:"action"`
	DocumentID string    `json:"document_id"`
	OwnerID    string    `json:"owner_id"`
	DossierID  string    `json:"dossier_id"`
	Query      string    `json:"query"`
	Client     string    `json:"client"`
}

// csvLimit is the most events one CSV export holds; narrow the dates for more.
const csvLimit = 100_000

// audit answers the access trail of the principal's agencies, newest first, as JSON or (format=csv)
// as a CSV file. Reading the trail is not itself recorded in it: it holds no personal papers, and
// each read would add an event to what the auditor is reading.
func (s *Server) audit(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := storage.AuditQuery{Owner: v.Get("owner"), Account: v.Get("account"), Document: v.Get("document"),
		Scope: &who(r).scope, Limit: bounded(v.Get("limit"), 100, 1, 1000), Offset: bounded(v.Get("offset"), 0, 0, 1<<30)}
	if q.Document != "" {
		var ok bool
		if q.Document, ok = canonicalID(q.Document); !ok {
			writeError(w, http.StatusBadRequest, codeBadRequest, "document phải là mã định danh (UUID) của một tài liệu.")
			return
		}
	}
	for _, d := range []struct {
		name  string
		to    **time.Time
		endOf bool
	}{{"from", &q.From, false}, {"to", &q.To, true}} {
		if v.Get(d.name) == "" {
			continue
		}
		t, ok := auditTime(v.Get(d.name), d.endOf)
		if !ok {
			writeError(w, http.StatusBadRequest, codeBadDate, d.name+" phải có dạng YYYY-MM-DD hoặc RFC 3339.")
			return
		}
		*d.to = &t
	}
	csvOut := v.Get("format") == "csv"
	if csvOut {
		q.Limit, q.Offset = csvLimit, 0
	}
	total, events, err := s.Trail.Audit(r.Context(), q)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := make([]AuditEvent, len(events))
	for i, e := range events {
		out[i] = AuditEvent{ID: e.ID, At: e.At, Account: e.Actor, Action: e.Action, DocumentID: e.DocumentID,
			OwnerID: e.OwnerID, DossierID: e.DossierID, Query: e.Query, Client: e.Client}
	}
	if csvOut {
		writeAuditCSV(w, out)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Total  int          `json:"total"`
		Events []AuditEvent `json:"events"`
	}{total, out})
}

// auditTime reads a bound of the audit's period: a day (in Vietnam's time; its start, or with
// endOf its last instant) or an RFC 3339 instant.
func auditTime(s string, endOf bool) (time.Time, bool) {
	if t, err := time.ParseInLocation(time.DateOnly, s, code.Vietnam); err == nil {
		if endOf {
			t = t.AddDate(0, 0, 1).Add(-time.Microsecond)
		}
		return t, true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

func writeAuditCSV(w http.ResponseWriter, events []AuditEvent) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename=nhat-ky-truy-cap.csv")
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "account", "action", "document_id", "owner_id", "dossier_id", "query", "client"})
	for _, e := range events {
		cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(code.Vietnam).Format(time.RFC3339), cell(e.Account), cell(e.Action),
			cell(e.DocumentID), cell(e.OwnerID), cell(e.DossierID), cell(e.Query), cell(e.Client)})
	}
	cw.Flush()
}

// cell keeps text typed by people from being read as a formula by a spreadsheet (CSV injection): a
// leading =, +, -, @, tab or CR is quoted with an apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
