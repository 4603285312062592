package storagetest

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// accountsStations lists the station accounts of the agencies asked for, each with its last report
// (replaced by the next) and its tokens' last use; other roles are left out.
func accountsStations(t *testing.T, s Store) {
	ctx := t.Context()
	agencies(t, s)
	mk := func(name, role, agency string) storage.Account {
		a, err := s.CreateAccount(ctx, storage.NewAccount{Name: name, Role: role, Agency: agency})
		must(t, err)
		return a
	}
	one, two := mk("may-quet-1", storage.StationRole, district), mk("may-quet-2", storage.StationRole, other)
	mk("lan", "clerk", district)
	used := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	_, err := s.AddToken(ctx, one.Name, "tok1", []byte("hash-1"))
	must(t, err)
	_, err = s.TokenAccount(ctx, []byte("hash-1"), used)
	must(t, err)

	first := storage.StationReport{At: used, Client: "10.0.0.5", Version: "1.0", Host: "QUAY-01", Dirs: []string{`C:\Scan`},
		Waiting: 3, Sending: 1, SentToday: 10, Failed: 2, LastError: "máy chủ không trả lời"}
	must(t, s.ReportStation(ctx, one.ID, first))
	second := first
	second.At, second.Waiting, second.Dirs, second.LastError = used.Add(time.Minute), 0, []string{`C:\Scan`, `D:\Quet`}, ""
	must(t, s.ReportStation(ctx, one.ID, second))
	if err := s.ReportStation(ctx, 999999, first); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("report of no account: %v, want ErrNotFound", err)
	}

	all, err := s.Stations(ctx, nil)
	must(t, err)
	if len(all) != 2 || all[0].Account.Name != one.Name || all[1].Account.Name != two.Name {
		t.Fatalf("Stations(nil) = %+v, want may-quet-1 and may-quet-2", all)
	}
	if r := all[0].Report; r == nil || !r.At.Equal(second.At) || r.Waiting != 0 || !reflect.DeepEqual(r.Dirs, second.Dirs) ||
		r.SentToday != 10 || r.Failed != 2 || r.Host != "QUAY-01" || r.Client != "10.0.0.5" || r.LastError != "" {
		t.Errorf("report of may-quet-1 = %+v, want the second", r)
	}
	if u := all[0].LastUsed; u == nil || !u.Equal(used) {
		t.Errorf("last use of may-quet-1 = %v, want %v", u, used)
	}
	if all[1].Report != nil || all[1].LastUsed != nil {
		t.Errorf("may-quet-2 never reported nor used a token: %+v", all[1])
	}
	mine, err := s.Stations(ctx, []string{district, ward})
	must(t, err)
	if len(mine) != 1 || mine[0].Account.ID != one.ID {
		t.Errorf("Stations of the district = %+v, want may-quet-1 only", mine)
	}
}

// accountsAgencies lists the agencies asked for, with their names and parents, by ID.
func accountsAgencies(t *testing.T, s Store) {
	agencies(t, s)
	all, err := s.Agencies(t.Context(), nil)
	must(t, err)
	want := []storage.Agency{{ID: province, Name: "Văn phòng UBND tỉnh"}, {ID: district, Name: "UBND quận Lê Chân", Parent: province},
		{ID: ward, Name: "UBND phường Máy Chai", Parent: district}, {ID: other, Name: "UBND quận Ngô Quyền", Parent: province}}
	slices.SortFunc(want, func(a, b storage.Agency) int { return strings.Compare(a.ID, b.ID) })
	if !reflect.DeepEqual(all, want) {
		t.Errorf("Agencies(nil) = %+v, want %+v", all, want)
	}
	some, err := s.Agencies(t.Context(), []string{ward, other})
	must(t, err)
	if len(some) != 2 || some[0].ID != ward && some[0].ID != other {
		t.Errorf("Agencies(ward, other) = %+v", some)
	}
}
