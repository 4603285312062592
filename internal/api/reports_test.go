package api

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
)

// A district's report: a dossier with a paper reused, one with nothing digitized; rates and targets
// as the plan sets them for a district; the CSV and XLSX exports carry the same figures.
func TestIndicatorsReport(t *testing.T) {
	r := newRig(t)
	must(t, r.store.ImportAgencies(t.Context(), []storage.Agency{{ID: testAgency, Name: "UBND quận Lê Chân", Level: storage.LevelDistrict}}))
	first := r.openDossier(citizen)
	paper := r.attach(first.ID, "", "giay.png", scanPNG(1))
	r.read[paper.Document.ID] = []storage.PageResult{{Text: "Giấy tờ", Confidence: 91}, {Text: "mờ", Confidence: 40, Review: true}}
	r.finish(paper.Document.ID)
	second := r.openDossier(citizen)
	r.sendJSON(http.MethodPost, "/api/v1/dossiers/"+second.ID+"/reuse", map[string]string{"document_id": paper.Document.ID}).
		wantStatus(t, http.StatusCreated)
	r.openDossier(citizen) // nothing digitized

	year := time.Now().In(code.Vietnam).Year()
	var got struct{ Rows []IndicatorJSON }
	r.get("/api/v1/reports/indicators?by=agency").decode(t, &got)
	if len(got.Rows) != 1 {
		t.Fatalf("rows %+v, want the district's", got.Rows)
	}
	row := got.Rows[0]
	if row.Dossiers != 3 || row.Digitized != 2 || row.Reused != 1 || row.DigitizationRate == nil || *row.DigitizationRate != 2.0/3 ||
		row.ReuseRate == nil || *row.ReuseRate != 1.0/3 || row.Period != fmt.Sprint(year) ||
		row.Pages != 4 || row.PagesFlagged != 2 || row.ReviewRate == nil || *row.ReviewRate != 0.5 {
		t.Errorf("row %+v", row)
	}
	wantResults, _ := storage.TargetOf(storage.DefaultTargets(year), storage.IndicatorResults, storage.LevelDistrict)
	if row.TargetResults == nil || *row.TargetResults != wantResults || row.TargetReuse == nil || row.ResultsRate != nil {
		t.Errorf("targets %v %v, results rate %v; want the district's %v", row.TargetResults, row.TargetReuse, row.ResultsRate, wantResults)
	}

	var byProcedure struct{ Rows []IndicatorJSON }
	r.get("/api/v1/reports/indicators?by=procedure").decode(t, &byProcedure)
	if len(byProcedure.Rows) != 1 || byProcedure.Rows[0].Agency != testAgency || byProcedure.Rows[0].Level != storage.LevelDistrict ||
		byProcedure.Rows[0].Procedure != "1.001234" || byProcedure.Rows[0].Dossiers != 3 {
		t.Errorf("by procedure: %+v; want the district's one procedure, named with its agency and level", byProcedure.Rows)
	}

	csvBody := r.get("/api/v1/reports/indicators?format=csv").body
	if !strings.Contains(string(csvBody), "Hồ sơ tiếp nhận") || !strings.Contains(string(csvBody), ",3,2,") {
		t.Errorf("CSV %s", csvBody)
	}
	book := r.get("/api/v1/reports/indicators?format=xlsx").body
	z, err := zip.NewReader(bytes.NewReader(book), int64(len(book)))
	must(t, err)
	var sheet string
	for _, f := range z.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, err := f.Open()
			must(t, err)
			b, _ := io.ReadAll(rc)
			sheet = string(b)
		}
	}
	for _, want := range []string{`<c r="G1" t="inlineStr"><is><t xml:space="preserve">Hồ sơ tiếp nhận</t>`, `<c r="G2"><v>3</v></c>`, `<c r="H2"><v>2</v></c>`} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the XLSX sheet lacks %s:\n%s", want, sheet)
		}
	}

	for _, bad := range []string{"period=2026-13", "from=2026-12-01&to=2026-11-01", "by=owner"} {
		if a := r.get("/api/v1/reports/indicators?" + bad); a.status != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, a.status)
		}
	}
	must(t, r.store.EnsureAgency(t.Context(), otherAgency, "UBND quận Ngô Quyền", ""))
	r.as("kiem-tra", account.Auditor, otherAgency).get("/api/v1/reports/indicators?agency="+testAgency).
		wantError(t, http.StatusNotFound, codeNotFound)
}

func TestReportPeriods(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	vn := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, code.Vietnam) }
	for _, c := range []struct {
		period, from, to string
		want             [2]time.Time
	}{
		{"", "", "", [2]time.Time{vn(2026, 1, 1), vn(2027, 1, 1)}},
		{"2025", "", "", [2]time.Time{vn(2025, 1, 1), vn(2026, 1, 1)}},
		{"2026-Q4", "", "", [2]time.Time{vn(2026, 10, 1), vn(2027, 1, 1)}},
		{"2026-02", "", "", [2]time.Time{vn(2026, 2, 1), vn(2026, 3, 1)}},
		{"", "2026-11-05", "2026-11-05", [2]time.Time{vn(2026, 11, 5), vn(2026, 11, 6)}},
	} {
		from, to, _, err := reportPeriod(c.period, c.from, c.to, now)
		if err != nil || !from.Equal(c.want[0]) || !to.Equal(c.want[1]) {
			t.Errorf("%q %q %q: %v – %v, %v; want %v – %v", c.period, c.from, c.to, from, to, err, c.want[0], c.want[1])
		}
	}
}
