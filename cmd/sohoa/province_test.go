package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/internal/xlsx"
	"github.com/sohoa-vn/sohoa/storage"
)

// The province of TestProvinceIndicators: one province, two departments, two districts with one
// commune each, imported with `sohoa agencies import`.
const provinceCSV = `id,name,parent,level,placeholder
000.00.00.H26,UBND thành phố Hải Phòng,,tinh,false
000.10.00.H26,Sở Tư pháp,000.00.00.H26,so,false
000.11.00.H26,Sở Xây dựng,000.00.00.H26,so,false
000.00.53.H26,UBND quận Lê Chân,000.00.00.H26,huyen,false
000.01.53.H26,UBND phường Máy Chai,000.00.53.H26,xa,false
000.00.54.H26,UBND quận Ngô Quyền,000.00.00.H26,huyen,false
000.01.54.H26,UBND phường Lạch Tray,000.00.54.H26,xa,false
`

const proceduresCSV = `code,name,field,level,papers,reusable_papers
1.001193,Đăng ký khai sinh,Hộ tịch,xa,Tờ khai đăng ký khai sinh,Giấy chứng sinh
1.000894,Đăng ký kết hôn,Hộ tịch,xa,Tờ khai đăng ký kết hôn,Giấy xác nhận tình trạng hôn nhân
`

// provinceAgency is one agency of the province as the test knows it.
type provinceAgency struct{ id, parent, level string }

// provinceDossier is what the test did with one dossier, to count what the report must say.
type provinceDossier struct {
	api.DossierJSON
	papers, results, reused []string // documents handed in, results, papers reused from the store
}

// TestProvinceIndicators is the first "done when" of the indicators: a province (imported through
// `sohoa agencies import`), 40 dossiers received by its seven agencies' clerks, 30 one-page papers
// and results through the real pipeline (Tesseract, PDF/A, signing), ten papers reused from the
// store by other dossiers of their owners, a fifth of the dossiers dated a month earlier; then
// every indicator of the report, by agency (rolled up), level, procedure and month, is held to
// the counts the test knows (dossiers, digitized, results, reuse, papers, pages and the pages the
// OCR flagged for review, read from each document), the rates to those counts, the targets to the
// plan's (one replaced by a row of report_targets), and the median and 95th percentile of the time
// to a signed paper to what the documents' signed_at give, within the rollup's bound. The CSV and
// XLSX exports carry the same figures as the JSON.
func TestProvinceIndicators(t *testing.T) {
	// A threshold between what the clean crops (about 95) and the speckled ones (about 75) read at.
	sys := startSystem(t, "SOHOA_OCR_MIN_CONFIDENCE", "85")
	ctx := t.Context()
	dir := t.TempDir()
	for name, body := range map[string]string{"agencies.csv": provinceCSV, "procedures.csv": proceduresCSV} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sys.command(t, "agencies", "import", filepath.Join(dir, "agencies.csv"))
	sys.command(t, "procedures", "import", filepath.Join(dir, "procedures.csv"))
	var agencies []provinceAgency
	for _, line := range strings.Split(strings.TrimSpace(provinceCSV), "\n")[1:] {
		f := strings.Split(line, ",")
		agencies = append(agencies, provinceAgency{id: f[0], parent: f[2], level: f[3]})
	}
	province := agencies[0].id
	reader := sys.as(sys.newToken(t, "so-lieu-tinh", "admin", province))
	clerks := map[string]system{}
	for i, a := range agencies {
		clerks[a.id] = sys.as(sys.newToken(t, fmt.Sprintf("mot-cua-%d", i), "clerk", a.id))
	}

	dossiers := receiveProvince(t, agencies, clerks)
	docs := map[string]api.Document{}
	for _, x := range dossiers {
		for _, id := range slices.Concat(x.papers, x.results) {
			if d := reader.wait(t, id, 6*time.Minute); d.Status != storage.StatusDone {
				t.Fatalf("%s: %s %s", d.Filename, d.Status, d.Error)
			}
		}
	}
	// Ten dossiers take their owner's first paper from the store instead of asking for it again.
	for i := range dossiers {
		if i%4 != 3 {
			continue
		}
		x, paper := &dossiers[i], dossiers[i-2].papers[0]
		code, body := clerks[x.Agency].postJSON(t, "/api/v1/dossiers/"+x.ID+"/reuse", map[string]string{"document_id": paper})
		if code != http.StatusCreated {
			t.Fatalf("reuse into %s: %d %s", x.Code, code, body)
		}
		x.reused = append(x.reused, paper)
	}
	conn, err := pgx.Connect(ctx, sys.owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// A fifth of the dossiers were received a month earlier (the pipeline runs today): the report
	// spans two months, and the facts and the rollup follow a dossier moved to another day.
	for i := range dossiers {
		if i%5 == 0 {
			x := &dossiers[i]
			if err := conn.QueryRow(ctx, `UPDATE dossiers SET received_at = received_at - interval '1 month' WHERE id = $1
				RETURNING received_at`, x.ID).Scan(&x.ReceivedAt); err != nil {
				t.Fatal(err)
			}
		}
	}
	signedAt := map[string]time.Time{}
	for _, x := range dossiers {
		for _, id := range slices.Concat(x.papers, x.results) {
			docs[id] = reader.document(t, id)
			var at time.Time
			if err := conn.QueryRow(ctx, `SELECT signed_at FROM documents WHERE id = $1`, id).Scan(&at); err != nil {
				t.Fatal(err)
			}
			signedAt[id] = at
		}
	}
	flagged := 0
	for _, d := range docs {
		flagged += len(d.Review)
	}
	if flagged == 0 || flagged == len(docs) {
		t.Fatalf("%d of %d pages flagged for review: the test needs some of each", flagged, len(docs))
	}
	// The province sets its own reuse target for communes.
	if _, err := conn.Exec(ctx, `INSERT INTO report_targets (year, level, indicator, target) VALUES ($1, 'xa', 'reuse', 0.65)`,
		reportYear()); err != nil {
		t.Fatal(err)
	}

	k := provinceCounts{agencies: agencies, dossiers: dossiers, docs: docs, signedAt: signedAt}
	from, to := reportDays()
	query := "from=" + from + "&to=" + to + "&agency=" + province
	for _, by := range []string{storage.ByAgency, storage.ByLevel, storage.ByProcedure, storage.ByMonth} {
		t.Run(by, func(t *testing.T) {
			code, body := reader.get(t, "/api/v1/reports/indicators?"+query+"&by="+by)
			if code != http.StatusOK {
				t.Fatalf("%d %s", code, body)
			}
			rows := decode[struct{ Rows []api.IndicatorJSON }](t, body).Rows
			k.check(t, by, from+"_"+to, rows)
			_, csvBody := reader.get(t, "/api/v1/reports/indicators?"+query+"&by="+by+"&format=csv")
			sameTable(t, "CSV", reportCSV(t, csvBody), rows)
			_, book := reader.get(t, "/api/v1/reports/indicators?"+query+"&by="+by+"&format=xlsx")
			sheet, err := xlsx.Read(book)
			if err != nil {
				t.Fatal(err)
			}
			sameTable(t, "XLSX", sheet, rows)
		})
	}
}

// receiveProvince opens 40 dossiers, each by the clerk of agency i mod 7, for owner i/4, of the two
// procedures three by three, and hands in: nothing (i mod 4 = 0 and 3: the latter reuse a paper later), a
// paper (1), a paper and a result (2), all at once so that the pipeline reads them side by side.
// Each file is a crop of a sample scan made unique; papers of odd owners are speckled, so that
// they read below the review threshold.
func receiveProvince(t *testing.T, agencies []provinceAgency, clerks map[string]system) []provinceDossier {
	t.Helper()
	clean, speckled := provinceScans(t)
	dossiers := make([]provinceDossier, 40)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range dossiers {
		owner := fmt.Sprintf("0310850123%02d", i/4)
		clerk := clerks[agencies[i%len(agencies)].id]
		procedure := []string{"1.001193", "1.000894"}[i/3%2]
		code, body := clerk.postJSON(t, "/api/v1/dossiers", map[string]string{"owner_id": owner, "owner_name": "Công dân " + owner[10:],
			"procedure_code": procedure, "staff": "cán bộ một cửa"})
		if code != http.StatusCreated {
			t.Fatalf("dossier %d: %d %s", i, code, body)
		}
		dossiers[i].DossierJSON = decode[api.DossierJSON](t, body)
		send := func(query string, scan func(int) []byte, into *[]string) {
			wg.Go(func() {
				code, body := clerk.uploadTo(t, "/api/v1/dossiers/"+dossiers[i].ID+"/documents"+query, fmt.Sprintf("giay-%d.png", i), scan(i))
				if code != http.StatusCreated {
					t.Errorf("upload into dossier %d: %d %s", i, code, body)
					return
				}
				mu.Lock()
				*into = append(*into, decode[api.Attachment](t, body).Document.ID)
				mu.Unlock()
			})
		}
		paper := clean
		if (i/4)%2 == 1 {
			paper = speckled
		}
		switch i % 4 {
		case 1:
			send("", paper, &dossiers[i].papers)
		case 2:
			send("", paper, &dossiers[i].papers)
			send("?role=result", func(i int) []byte { return clean(i + 1000) }, &dossiers[i].results)
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return dossiers
}

// provinceScans returns makers of one-page PNGs, the top of the birth certificate sample: clean,
// or with 4 % of its pixels speckled. Each n gives other bytes (a pixel in the corner), since the
// same bytes handed in twice are one paper.
func provinceScans(t *testing.T) (clean, speckled func(n int) []byte) {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := src.Bounds()
	top := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()/4))
	draw.Draw(top, top.Bounds(), src, b.Min, draw.Src)
	scan := func(n int, speckle bool) []byte {
		img := image.NewGray(top.Bounds())
		copy(img.Pix, top.Pix)
		if speckle {
			rnd := rand.New(rand.NewPCG(uint64(n), 7))
			for i := range img.Pix {
				if rnd.IntN(100) < 4 {
					img.Pix[i] = uint8(rnd.IntN(256))
				}
			}
		}
		img.SetGray(n%64, n/64%8, color.Gray{Y: uint8(n % 251)})
		var out bytes.Buffer
		if err := png.Encode(&out, img); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	return func(n int) []byte { return scan(n, false) }, func(n int) []byte { return scan(n, true) }
}

// reportDays is the report's period: from the first day of last month to today, in Vietnam.
func reportDays() (from, to string) {
	now := time.Now().In(code.Vietnam)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, code.Vietnam).AddDate(0, -1, 0)
	return first.Format(time.DateOnly), now.Format(time.DateOnly)
}

// reportYear is the year whose targets the report holds its rows to: its first day's.
func reportYear() int {
	from, _ := reportDays()
	y, _ := strconv.Atoi(from[:4])
	return y
}

// provinceCounts is what the test knows of the province: its tree, what it did with each dossier,
// and each document as the API tells it (pages, pages flagged) with its signed_at.
type provinceCounts struct {
	agencies []provinceAgency
	dossiers []provinceDossier
	docs     map[string]api.Document
	signedAt map[string]time.Time
}

// under reports whether agency is ancestor or under it.
func (k provinceCounts) under(agency, ancestor string) bool {
	for a := agency; a != ""; {
		if a == ancestor {
			return true
		}
		i := slices.IndexFunc(k.agencies, func(p provinceAgency) bool { return p.id == a })
		a = k.agencies[i].parent
	}
	return false
}

func (k provinceCounts) level(agency string) string {
	return k.agencies[slices.IndexFunc(k.agencies, func(p provinceAgency) bool { return p.id == agency })].level
}

// want is the row the report must give for the dossiers keep selects, held to level's targets.
func (k provinceCounts) want(keep func(provinceDossier) bool, level string) (api.IndicatorJSON, []float64) {
	var w api.IndicatorJSON
	var times []float64
	for _, x := range k.dossiers {
		if !keep(x) {
			continue
		}
		w.Dossiers++
		var digitized, resultSigned bool
		first := time.Time{}
		for _, id := range slices.Concat(x.papers, x.results, x.reused) {
			d := k.docs[id]
			if !d.Signed {
				continue
			}
			digitized = true
			w.Pages += d.Pages
			w.PagesFlagged += len(d.Review)
			if slices.Contains(x.results, id) {
				resultSigned = true
			} else {
				w.PapersDigitized++
			}
			if !slices.Contains(x.reused, id) && (first.IsZero() || k.signedAt[id].Before(first)) {
				first = k.signedAt[id]
			}
		}
		w.Papers += len(x.papers) + len(x.reused)
		w.Digitized += b2i(digitized)
		w.WithResults += b2i(len(x.results) > 0)
		w.ResultsSigned += b2i(resultSigned)
		w.Reused += b2i(len(x.reused) > 0)
		if !first.IsZero() {
			times = append(times, first.Sub(x.ReceivedAt).Seconds())
		}
	}
	w.DigitizationRate, w.ReuseRate = rate(w.Digitized, w.Dossiers), rate(w.Reused, w.Dossiers)
	w.ResultsRate, w.ReviewRate = rate(w.ResultsSigned, w.WithResults), rate(w.PagesFlagged, w.Pages)
	targets := storage.DefaultTargets(reportYear())
	if level == storage.LevelCommune {
		targets = append([]storage.Target{{Year: reportYear(), Level: level, Indicator: storage.IndicatorReuse, Value: 0.65}}, targets...)
	}
	target := func(indicator string) *float64 {
		if v, ok := storage.TargetOf(targets, indicator, level); ok {
			return &v
		}
		return nil
	}
	w.TargetDigitization, w.TargetReuse, w.TargetResults = target(storage.IndicatorDigitization), target(storage.IndicatorReuse), target(storage.IndicatorResults)
	w.Level = level
	slices.Sort(times)
	return w, times
}

// check holds the report's rows grouped by to what the test counted.
func (k provinceCounts) check(t *testing.T, by, label string, rows []api.IndicatorJSON) {
	t.Helper()
	type group struct {
		key   string
		keep  func(provinceDossier) bool
		level string
	}
	var groups []group
	province := k.agencies[0].id
	month := func(x provinceDossier) string { return x.ReceivedAt.In(code.Vietnam).Format("2006-01") }
	switch by {
	case storage.ByAgency:
		for _, a := range k.agencies {
			groups = append(groups, group{a.id, func(x provinceDossier) bool { return k.under(x.Agency, a.id) }, a.level})
		}
	case storage.ByLevel:
		for _, l := range []string{storage.LevelDistrict, storage.LevelDepartment, storage.LevelProvince, storage.LevelCommune} {
			groups = append(groups, group{l, func(x provinceDossier) bool { return k.level(x.Agency) == l }, l})
		}
	case storage.ByProcedure:
		for _, p := range []string{"1.000894", "1.001193"} {
			groups = append(groups, group{p, func(x provinceDossier) bool { return x.ProcedureCode == p }, storage.LevelProvince})
		}
	case storage.ByMonth:
		var months []string
		for _, x := range k.dossiers {
			months = append(months, month(x))
		}
		slices.Sort(months)
		for _, m := range slices.Compact(months) {
			groups = append(groups, group{m, func(x provinceDossier) bool { return month(x) == m }, storage.LevelProvince})
		}
		if len(groups) != 2 {
			t.Fatalf("the dossiers fall in months %v, want two", groups)
		}
	}
	slices.SortFunc(groups, func(a, b group) int { return strings.Compare(a.key, b.key) })
	if len(rows) != len(groups) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(groups), rows)
	}
	total := 0
	for i, g := range groups {
		want, times := k.want(g.keep, g.level)
		got := rows[i]
		want.Agency, want.Period = province, label
		switch by {
		case storage.ByAgency:
			want.Agency = g.key
		case storage.ByProcedure:
			want.Procedure = g.key
		case storage.ByMonth:
			want.Period = g.key
		}
		if by == storage.ByAgency && want.Dossiers != 40 && g.key == province {
			t.Errorf("the province's row should roll up all 40 dossiers, the test counted %d", want.Dossiers)
		}
		total += want.Dossiers
		t.Logf("%s: %s, times to sign %s / %s", g.key, show(got), seconds(got.ToSignedP50), seconds(got.ToSignedP95))
		checkTime(t, g.key+" median", got.ToSignedP50, times, 0.5)
		checkTime(t, g.key+" 95th percentile", got.ToSignedP95, times, 0.95)
		got.AgencyName, got.ProcedureName, got.ToSignedP50, got.ToSignedP95 = "", "", nil, nil
		if fmt.Sprint(show(got)) != fmt.Sprint(show(want)) {
			t.Errorf("row %s:\n got  %s\n want %s", g.key, show(got), show(want))
		}
	}
	if by != storage.ByAgency && total != 40 {
		t.Errorf("the rows by %s count %d dossiers, want 40", by, total)
	}
}

// show is a row with its rates and targets written out, to compare and print.
func show(j api.IndicatorJSON) string {
	f := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return strconv.FormatFloat(*v, 'f', 6, 64)
	}
	return fmt.Sprintf("%s %s %s %s | dossiers %d digitized %d reused %d results %d/%d papers %d/%d pages %d flagged %d | rates %s %s %s %s | targets %s %s %s",
		j.Agency, j.Level, j.Procedure, j.Period, j.Dossiers, j.Digitized, j.Reused, j.ResultsSigned, j.WithResults, j.PapersDigitized, j.Papers,
		j.Pages, j.PagesFlagged, f(j.DigitizationRate), f(j.ReuseRate), f(j.ResultsRate), f(j.ReviewRate),
		f(j.TargetDigitization), f(j.TargetReuse), f(j.TargetResults))
}

// checkTime holds a median or 95th percentile of the report to the exact one of times (as
// PostgreSQL's percentile_cont computes it), within the rollup's bound.
func checkTime(t *testing.T, what string, got *float64, times []float64, p float64) {
	t.Helper()
	if len(times) == 0 {
		if got != nil {
			t.Errorf("%s: %v s, but no dossier has a paper signed", what, *got)
		}
		return
	}
	pos := p * float64(len(times)-1)
	lo, hi := int(math.Floor(pos)), int(math.Ceil(pos))
	want := times[lo] + (times[hi]-times[lo])*(pos-float64(lo))
	if got == nil || math.Abs(*got-want) > storage.ToSignedError*want+1e-6 {
		t.Errorf("%s: %v, want %.1f s (within %.1f %%) from the documents' signed_at", what, got, want, 100*storage.ToSignedError)
	}
}

func seconds(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.0f s", *v)
}

func rate(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func reportCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return records
}

// exportColumns is how each column of the exports reads from a JSON row.
var exportColumns = map[string]func(api.IndicatorJSON) any{
	"Kỳ": func(j api.IndicatorJSON) any { return j.Period }, "Mã cơ quan": func(j api.IndicatorJSON) any { return j.Agency },
	"Cơ quan": func(j api.IndicatorJSON) any { return j.AgencyName }, "Cấp": func(j api.IndicatorJSON) any { return j.Level },
	"Mã TTHC": func(j api.IndicatorJSON) any { return j.Procedure }, "Thủ tục": func(j api.IndicatorJSON) any { return j.ProcedureName },
	"Hồ sơ tiếp nhận":                        func(j api.IndicatorJSON) any { return j.Dossiers },
	"Hồ sơ có thành phần số hóa":             func(j api.IndicatorJSON) any { return j.Digitized },
	"Tỷ lệ số hóa":                           func(j api.IndicatorJSON) any { return j.DigitizationRate },
	"Chỉ tiêu số hóa":                        func(j api.IndicatorJSON) any { return j.TargetDigitization },
	"Hồ sơ tái sử dụng giấy tờ":              func(j api.IndicatorJSON) any { return j.Reused },
	"Tỷ lệ tái sử dụng":                      func(j api.IndicatorJSON) any { return j.ReuseRate },
	"Chỉ tiêu tái sử dụng":                   func(j api.IndicatorJSON) any { return j.TargetReuse },
	"Hồ sơ có kết quả":                       func(j api.IndicatorJSON) any { return j.WithResults },
	"Kết quả đã số hóa, ký số":               func(j api.IndicatorJSON) any { return j.ResultsSigned },
	"Tỷ lệ kết quả số hóa":                   func(j api.IndicatorJSON) any { return j.ResultsRate },
	"Chỉ tiêu kết quả số hóa":                func(j api.IndicatorJSON) any { return j.TargetResults },
	"Giấy tờ":                                func(j api.IndicatorJSON) any { return j.Papers },
	"Giấy tờ đã số hóa":                      func(j api.IndicatorJSON) any { return j.PapersDigitized },
	"Trang đã số hóa":                        func(j api.IndicatorJSON) any { return j.Pages },
	"Trang cần kiểm tra lại":                 func(j api.IndicatorJSON) any { return j.PagesFlagged },
	"Tỷ lệ trang cần kiểm tra lại":           func(j api.IndicatorJSON) any { return j.ReviewRate },
	"Tiếp nhận đến ký số, trung vị (giây)":   func(j api.IndicatorJSON) any { return j.ToSignedP50 },
	"Tiếp nhận đến ký số, phân vị 95 (giây)": func(j api.IndicatorJSON) any { return j.ToSignedP95 },
}

// sameTable checks that an export holds the JSON rows: a header naming every column, then each
// row's figures (numbers compared as numbers, an absent rate as an empty cell).
func sameTable(t *testing.T, what string, table [][]string, rows []api.IndicatorJSON) {
	t.Helper()
	if len(table) != len(rows)+1 || len(table[0]) != len(exportColumns) {
		t.Fatalf("%s: %d lines of %d columns for %d rows of %d columns:\n%q", what, len(table), len(table[0]), len(rows), len(exportColumns), table)
	}
	for c, name := range table[0] {
		get, ok := exportColumns[name]
		if !ok {
			t.Errorf("%s: column %q is not one of the report's", what, name)
			continue
		}
		for r, row := range rows {
			cell := ""
			if c < len(table[r+1]) {
				cell = table[r+1][c]
			}
			if !sameCell(cell, get(row)) {
				t.Errorf("%s row %d, %s: %q, the JSON says %v", what, r+1, name, cell, get(row))
			}
		}
	}
}

func sameCell(cell string, v any) bool {
	switch v := v.(type) {
	case string:
		return cell == v
	case int:
		return cell == strconv.Itoa(v)
	case *float64:
		if v == nil {
			return cell == ""
		}
		f, err := strconv.ParseFloat(cell, 64)
		return err == nil && f == *v
	}
	return false
}
