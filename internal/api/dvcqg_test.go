package api

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/dvcqg"
	"github.com/sohoa-vn/sohoa/storage"
)

// The national-portal record of a dossier says of each paper what sohoa knows: a reused paper is
// marked reused, a signed one digitized with the address of its file, one still in the pipeline
// neither; results are listed apart. Every record validates against dvcqg.schema.json, and reading
// it is in the trail.
func TestDVCQGRecord(t *testing.T) {
	r := newRig(t)
	first := r.openDossier(citizen)
	reused := r.attach(first.ID, "", "cccd.png", scanPNG(1)).Document.ID
	result := r.attach(first.ID, "?role=result", "giay-khai-sinh.png", scanPNG(2)).Document.ID
	for _, id := range []string{reused, result} {
		r.finish(id)
	}
	second := r.openDossier(citizen)
	r.sendJSON(http.MethodPost, "/api/v1/dossiers/"+second.ID+"/reuse", map[string]string{"document_id": reused}).wantStatus(t, http.StatusCreated)
	pending := r.attach(second.ID, "", "to-khai.png", scanPNG(3)).Document.ID
	unsigned := r.openDossier(citizen)
	r.attach(unsigned.ID, "", "don.png", scanPNG(4))

	link := func(id string) string { return "http://example.com/api/v1/documents/" + id + "/file" }
	type paper struct{ id, digitized, reused, link string }
	for _, c := range []struct {
		name      string
		dossier   DossierJSON
		digitized string
		papers    []paper
		results   []paper
	}{
		{"handed in, with a result", first, "1", []paper{{reused, "1", "0", link(reused)}}, []paper{{result, "", "", link(result)}}},
		{"a paper reused, one in the pipeline", second, "1", []paper{{reused, "1", "1", link(reused)}, {pending, "0", "0", ""}}, nil},
		{"nothing digitized yet", unsigned, "0", []paper{{"", "0", "0", ""}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := r.in(t).get("/api/v1/dossiers/" + c.dossier.ID + "/dvcqg")
			a.wantStatus(t, http.StatusOK)
			validRecord(t, a.body)
			var rec dvcqg.Record
			a.decode(t, &rec)
			if rec.MaHoSo != c.dossier.Code || rec.MaTTHC != c.dossier.ProcedureCode || rec.SoGiayToChuHoSo != citizen ||
				rec.LoaiDoiTuong != "1" || rec.ChuHoSo != c.dossier.Owner.Name || rec.HoSoCoThanhPhanSoHoa != c.digitized {
				t.Errorf("record %+v of dossier %+v", rec, c.dossier)
			}
			if received, err := time.ParseInLocation(dvcqg.TimeLayout, rec.NgayTiepNhan, code.Vietnam); err != nil ||
				!received.Equal(c.dossier.ReceivedAt.Truncate(time.Second)) {
				t.Errorf("NgayTiepNhan %q (%v); the dossier was received at %v", rec.NgayTiepNhan, err, c.dossier.ReceivedAt)
			}
			if len(rec.TaiLieuNop) != len(c.papers) || len(rec.DanhSachGiayToKetQua) != len(c.results) {
				t.Fatalf("%d papers and %d results, want %d and %d: %s", len(rec.TaiLieuNop), len(rec.DanhSachGiayToKetQua), len(c.papers), len(c.results), a.body)
			}
			for i, p := range c.papers {
				got := rec.TaiLieuNop[i]
				if (p.id != "" && got.TepDinhKemId != p.id) || got.DuocSoHoa != p.digitized || got.DuocTaiSuDung != p.reused ||
					got.DuongDanTaiTepTin != p.link || got.DuocLayTuKhoDMQG != "0" {
					t.Errorf("paper %d: %+v, want %+v", i, got, p)
				}
			}
			for i, p := range c.results {
				if got := rec.DanhSachGiayToKetQua[i]; got.GiayToId != p.id || got.DuongDanTepTinKetQua != p.link || !strings.Contains(got.MaGiayToKetQua, "-KQ") {
					t.Errorf("result %d: %+v, want %+v", i, got, p)
				}
			}
		})
	}
	if e := lastEvent(t, r, "quan-tri"); e.Action != "dossier.dvcqg" || e.DossierID != unsigned.ID || e.OwnerID != citizen {
		t.Errorf("last event %+v; want the record's reading", e)
	}
	r.as("khac", account.Clerk, otherAgency).get("/api/v1/dossiers/"+first.ID+"/dvcqg").wantError(t, http.StatusNotFound, codeNotFound)

	// A return appointment is a day: the record gives its last second; none gives "".
	due := time.Now().In(code.Vietnam).AddDate(0, 0, 3)
	var withDue DossierJSON
	r.sendJSON(http.MethodPost, "/api/v1/dossiers", map[string]string{"owner_id": citizen, "procedure_code": "1.001234",
		"due_at": due.Format(time.DateOnly)}).decode(t, &withDue)
	for _, c := range []struct {
		dossier, want string
	}{{withDue.ID, due.Format("20060102") + "235959"}, {first.ID, ""}} {
		var rec dvcqg.Record
		r.get("/api/v1/dossiers/"+c.dossier+"/dvcqg").decode(t, &rec)
		if rec.NgayHenTra != c.want {
			t.Errorf("NgayHenTra %q, want %q", rec.NgayHenTra, c.want)
		}
	}
}

// The export streams one record per dossier of the caller's agencies received in the period, in
// the order received, across pages of the store; the trail holds the period and where it was cut.
func TestDVCQGExport(t *testing.T) {
	r := newRig(t)
	start := time.Date(2026, 3, 10, 9, 0, 0, 0, code.Vietnam)
	fake := clock.NewFake(start)
	r.srv.Clock = fake
	var want []string
	for i := range exportPage + 3 { // more than one page
		want = append(want, receivedAt(t, r, testAgency, start.Add(time.Duration(i)*time.Minute)))
	}
	receivedAt(t, r, otherAgency, start)                 // another agency's
	receivedAt(t, r, testAgency, start.AddDate(0, 0, 2)) // after the period
	receivedAt(t, r, testAgency, start.Add(-10*time.Hour))
	fake.Advance(5 * 24 * time.Hour)

	a := r.get("/api/v1/dvcqg?from=2026-03-10&to=2026-03-11")
	a.wantStatus(t, http.StatusOK)
	if ct := a.header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q", ct)
	}
	var got []string
	lines := bufio.NewScanner(bytes.NewReader(a.body))
	for lines.Scan() {
		validRecord(t, lines.Bytes())
		got = append(got, strings.Split(string(lines.Bytes()), `"`)[3]) // MaHoSo comes first
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("exported %d dossiers, want %d in order received", len(got), len(want))
	}
	e := lastEvent(t, r, "quan-tri")
	if e.Action != "dvcqg.export" || e.Detail["from"] != "2026-03-10" || e.Detail["to"] != "2026-03-11" || e.Detail["until"] == "" {
		t.Errorf("last event %+v; want the export with its period", e)
	}

	for _, c := range []struct{ query, code string }{
		{"from=2026-03-10", codeMissing},
		{"from=10/03/2026&to=2026-03-11", codeBadDate},
		{"from=2026-03-11&to=2026-03-10", codeBadDate},
	} {
		r.get("/api/v1/dvcqg?"+c.query).wantError(t, http.StatusBadRequest, c.code)
	}
}

// receivedAt records a dossier of agency received at at, and returns its code.
func receivedAt(t *testing.T, r *rig, agency string, at time.Time) string {
	t.Helper()
	d, err := r.store.CreateDossier(t.Context(), storage.NewDossier{ID: uuid.NewString(), ProcedureCode: "1.001234", Agency: agency,
		Owner: storage.Owner{ID: citizen, Kind: "citizen"}, ReceivedAt: at}, at, func(seq int) (string, error) { return code.Dossier(agency, at, seq) })
	must(t, err)
	return d.Code
}

func validRecord(t *testing.T, body []byte) {
	t.Helper()
	set, err := contracts()
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Validate("dvcqg.schema.json", body); err != nil {
		t.Error(err)
	}
}

// lastEvent is the newest event of the trail by account.
func lastEvent(t *testing.T, r *rig, account string) storage.Event {
	t.Helper()
	_, events, err := r.store.Audit(t.Context(), storage.AuditQuery{Account: account, Limit: 1})
	must(t, err)
	if len(events) == 0 {
		t.Fatalf("no event of %s", account)
	}
	return events[0]
}
