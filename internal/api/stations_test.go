package api

import (
	"net/http"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/account"
)

// A station reports what waits on it; the admin of its agency sees the report with the station's
// last token use, the admin of another agency does not see the station at all.
func TestStationReportsAreListedForItsAgency(t *testing.T) {
	r := newRig(t)
	st := r.as("may-quet-1", account.Station, testAgency)
	st.sendJSON(http.MethodPost, "/api/v1/stations/report", map[string]any{"version": "1.0", "host": "QUAY-01",
		"dirs": []string{`C:\Scan`}, "waiting": 3, "sending": 1, "sent_today": 12, "failed": 2, "last_error": "máy chủ bận"}).
		wantStatus(t, http.StatusNoContent)

	var got struct{ Stations []StationJSON }
	r.get("/api/v1/stations").decode(t, &got)
	if len(got.Stations) != 1 {
		t.Fatalf("stations = %+v, want may-quet-1", got.Stations)
	}
	s := got.Stations[0]
	if s.Name != "may-quet-1" || s.Reported == nil || s.LastUsed == nil || s.Host != "QUAY-01" || s.Waiting != 3 ||
		s.SentToday != 12 || s.Failed != 2 || s.LastError != "máy chủ bận" || len(s.Dirs) != 1 {
		t.Errorf("station = %+v", s)
	}

	must(t, r.store.EnsureAgency(t.Context(), otherAgency, "UBND quận Ngô Quyền", ""))
	var theirs struct{ Stations []StationJSON }
	r.as("quan-tri-khac", account.Admin, otherAgency).get("/api/v1/stations").decode(t, &theirs)
	if len(theirs.Stations) != 0 {
		t.Errorf("another agency's admin sees %+v", theirs.Stations)
	}
	st.sendJSON(http.MethodPost, "/api/v1/stations/report", "not an object").wantError(t, http.StatusBadRequest, codeBadRequest)
}

// A station uploads into a dossier of its agency; a dossier of another agency is not found for it.
func TestStationUploadsIntoItsAgencysDossier(t *testing.T) {
	r := newRig(t)
	mine := r.openDossier(citizen)
	st := r.as("may-quet-1", account.Station, testAgency)
	a := st.upload("/api/v1/dossiers/"+mine.ID+"/documents", "giay.png", scanPNG(1))
	a.wantStatus(t, http.StatusCreated)

	must(t, r.store.EnsureAgency(t.Context(), otherAgency, "UBND quận Ngô Quyền", ""))
	theirs := r.as("can-bo-khac", account.Clerk, otherAgency).openDossier(citizen)
	st.upload("/api/v1/dossiers/"+theirs.ID+"/documents", "giay-2.png", scanPNG(2)).wantError(t, http.StatusNotFound, codeNotFound)
}
