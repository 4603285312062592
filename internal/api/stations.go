package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// stationReport is what sohoa-station sends of itself every half minute.
type stationReport struct {
	Version   string   `json:"version"`
	Host      string   `json:"host"`
	Dirs      []string `json:"dirs"`
	Waiting   int      `json:"waiting"`
	Sending   int      `json:"sending"`
	SentToday int      `json:"sent_today"`
	Failed    int      `json:"failed"`
	LastError string   `json:"last_error"`
}

// StationJSON is a station as the admin screen shows it.
type StationJSON struct {
	Name      string     `json:"name"`
	Agency    string     `json:"agency"`
	Disabled  bool       `json:"disabled"`
	LastUsed  *time.Time `json:"last_used,omitempty"` // its token's last use: the last upload or report
	Reported  *time.Time `json:"reported_at,omitempty"`
	Client    string     `json:"client,omitempty"`
	Version   string     `json:"version,omitempty"`
	Host      string     `json:"host,omitempty"`
	Dirs      []string   `json:"dirs,omitempty"`
	Waiting   int        `json:"waiting"`
	Sending   int        `json:"sending"`
	SentToday int        `json:"sent_today"`
	Failed    int        `json:"failed"`
	LastError string     `json:"last_error,omitempty"`
}

// reportStation records what a station says of itself. It holds no personal data, so it is not an
// event of the trail; the token's use is recorded as for any request.
func (s *Server) reportStation(w http.ResponseWriter, r *http.Request) {
	var b stationReport
	if !readJSON(w, r, &b) {
		return
	}
	short := func(s string) string { return storable(truncate(s, 500)) }
	dirs := make([]string, 0, min(len(b.Dirs), 20))
	for _, d := range b.Dirs[:min(len(b.Dirs), 20)] {
		dirs = append(dirs, short(d))
	}
	p := who(r)
	err := s.Stations.ReportStation(r.Context(), p.account.ID, storage.StationReport{At: s.now(), Client: p.client,
		Version: short(b.Version), Host: short(b.Host), Dirs: dirs, Waiting: max(b.Waiting, 0), Sending: max(b.Sending, 0),
		SentToday: max(b.SentToday, 0), Failed: max(b.Failed, 0), LastError: short(b.LastError)})
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// stations lists the stations of the caller's agencies with what each last reported.
func (s *Server) stations(w http.ResponseWriter, r *http.Request) {
	list, err := s.Stations.Stations(r.Context(), who(r).scope.Agencies)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := make([]StationJSON, 0, len(list))
	for _, st := range list {
		j := StationJSON{Name: st.Account.Name, Agency: st.Account.Agency, Disabled: st.Account.Disabled, LastUsed: st.LastUsed}
		if rep := st.Report; rep != nil {
			j.Reported, j.Client, j.Version, j.Host, j.Dirs = &rep.At, rep.Client, rep.Version, rep.Host, rep.Dirs
			j.Waiting, j.Sending, j.SentToday, j.Failed, j.LastError = rep.Waiting, rep.Sending, rep.SentToday, rep.Failed, rep.LastError
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"stations": out})
}

// truncate cuts s to at most n bytes, at a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
