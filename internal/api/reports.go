package api

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/xlsx"
	"github.com/sohoa-vn/sohoa/storage"
)

// IndicatorJSON is one row of the plan's indicators, rates as fractions of 1 beside their targets
// for the period's year and the row's level (null where there is nothing to divide, or no target).
// Agency and level are the row's own by agency (by level: the level), else the report's agency's.
type IndicatorJSON struct {
	Agency             string   `json:"agency"`
	AgencyName         string   `json:"agency_name,omitempty"`
	Level              string   `json:"level"`
	Procedure          string   `json:"procedure,omitempty"`
	ProcedureName      string   `json:"procedure_name,omitempty"`
	Period             string   `json:"period"`
	Dossiers           int      `json:"dossiers"`
	Digitized          int      `json:"digitized"`
	Reused             int      `json:"reused"`
	WithResults        int      `json:"with_results"`
	ResultsSigned      int      `json:"results_signed"`
	Papers             int      `json:"papers"`
	PapersDigitized    int      `json:"papers_digitized"`
	Pages              int      `json:"pages"`
	PagesFlagged       int      `json:"pages_flagged"` // of pages, those the OCR flagged for review
	ToSignedP50        *float64 `json:"to_signed_p50_seconds"`
	ToSignedP95        *float64 `json:"to_signed_p95_seconds"`
	DigitizationRate   *float64 `json:"digitization_rate"`
	ReuseRate          *float64 `json:"reuse_rate"`
	ResultsRate        *float64 `json:"results_rate"`
	ReviewRate         *float64 `json:"review_rate"` // pages flagged / pages
	TargetDigitization *float64 `json:"target_digitization"`
	TargetReuse        *float64 `json:"target_reuse"`
	TargetResults      *float64 `json:"target_results"`
}

// indicators answers GET /api/v1/reports/indicators: the plan's indicators of a period for an agency
// and those under it (the caller's own by default), grouped by=agency|level|procedure|month, as JSON,
// CSV or XLSX. They are counts, no one's data, so reading them is not in the trail.
func (s *Server) indicators(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to, label, err := reportPeriod(q.Get("period"), q.Get("from"), q.Get("to"), s.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadDate, err.Error())
		return
	}
	agency := q.Get("agency")
	if agency == "" {
		agency = who(r).account.Agency
	}
	if !slices.Contains(who(r).scope.Agencies, agency) {
		writeError(w, http.StatusNotFound, codeNotFound, "Không tìm thấy cơ quan "+agency+" trong phạm vi của tài khoản.")
		return
	}
	by := q.Get("by")
	if by == "" {
		by = storage.ByAgency
	}
	if !slices.Contains([]string{storage.ByAgency, storage.ByLevel, storage.ByProcedure, storage.ByMonth}, by) {
		writeError(w, http.StatusBadRequest, codeBadRequest, "by phải là agency, level, procedure hoặc month.")
		return
	}
	rows, err := s.Reports.Indicators(r.Context(), storage.IndicatorQuery{From: from, To: to, Agency: agency, By: by})
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	targets, err := s.Reports.Targets(r.Context(), from.In(code.Vietnam).Year())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	root, err := s.Accounts.Agencies(r.Context(), []string{agency})
	if err != nil || len(root) == 0 {
		s.storeError(w, r, cmp.Or(err, storage.ErrNotFound))
		return
	}
	out := make([]IndicatorJSON, len(rows))
	for i, row := range rows {
		// A row is held to its own level's targets, or (by procedure, by month) the agency's.
		row.Level = cmp.Or(row.Level, root[0].Level)
		if by != storage.ByAgency {
			row.Agency, row.AgencyName = agency, root[0].Name
		}
		out[i] = indicatorJSON(row, targets, label)
	}
	switch q.Get("format") {
	case "csv":
		serveReport(w, "chi-tieu-"+label+".csv", "text/csv; charset=utf-8", indicatorCSV(out))
	case "xlsx":
		b, err := indicatorXLSX(out)
		if err != nil {
			s.storeError(w, r, err)
			return
		}
		serveReport(w, "chi-tieu-"+label+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "agency": agency, "by": by, "rows": out})
	}
}

func indicatorJSON(row storage.IndicatorRow, targets []storage.Target, period string) IndicatorJSON {
	j := IndicatorJSON{Agency: row.Agency, AgencyName: row.AgencyName, Level: row.Level, Procedure: row.Procedure,
		ProcedureName: row.ProcedureName, Period: row.Period, Dossiers: row.Dossiers, Digitized: row.Digitized, Reused: row.Reused,
		WithResults: row.WithResults, ResultsSigned: row.ResultsSigned, Papers: row.Papers, PapersDigitized: row.PapersSigned,
		Pages: row.Pages, PagesFlagged: row.PagesFlagged, ToSignedP50: row.ToSignedP50, ToSignedP95: row.ToSignedP95,
		DigitizationRate: ratio(row.Digitized, row.Dossiers), ReuseRate: ratio(row.Reused, row.Dossiers),
		ResultsRate: ratio(row.ResultsSigned, row.WithResults), ReviewRate: ratio(row.PagesFlagged, row.Pages)}
	if j.Period == "" {
		j.Period = period
	}
	target := func(indicator string) *float64 {
		if v, ok := storage.TargetOf(targets, indicator, row.Level); ok {
			return &v
		}
		return nil
	}
	j.TargetDigitization, j.TargetReuse, j.TargetResults = target(storage.IndicatorDigitization), target(storage.IndicatorReuse), target(storage.IndicatorResults)
	return j
}

func ratio(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) / float64(of)
	return &v
}

// indicatorColumns are the exports' columns, in Vietnamese, with how to read each from a row.
var indicatorColumns = []struct {
	name string
	get  func(IndicatorJSON) any
}{
	{"Kỳ", func(j IndicatorJSON) any { return j.Period }},
	{"Mã cơ quan", func(j IndicatorJSON) any { return j.Agency }},
	{"Cơ quan", func(j IndicatorJSON) any { return j.AgencyName }},
	{"Cấp", func(j IndicatorJSON) any { return j.Level }},
	{"Mã TTHC", func(j IndicatorJSON) any { return j.Procedure }},
	{"Thủ tục", func(j IndicatorJSON) any { return j.ProcedureName }},
	{"Hồ sơ tiếp nhận", func(j IndicatorJSON) any { return j.Dossiers }},
	{"Hồ sơ có thành phần số hóa", func(j IndicatorJSON) any { return j.Digitized }},
	{"Tỷ lệ số hóa", func(j IndicatorJSON) any { return num(j.DigitizationRate) }},
	{"Chỉ tiêu số hóa", func(j IndicatorJSON) any { return num(j.TargetDigitization) }},
	{"Hồ sơ tái sử dụng giấy tờ", func(j IndicatorJSON) any { return j.Reused }},
	{"Tỷ lệ tái sử dụng", func(j IndicatorJSON) any { return num(j.ReuseRate) }},
	{"Chỉ tiêu tái sử dụng", func(j IndicatorJSON) any { return num(j.TargetReuse) }},
	{"Hồ sơ có kết quả", func(j IndicatorJSON) any { return j.WithResults }},
	{"Kết quả đã số hóa, ký số", func(j IndicatorJSON) any { return j.ResultsSigned }},
	{"Tỷ lệ kết quả số hóa", func(j IndicatorJSON) any { return num(j.ResultsRate) }},
	{"Chỉ tiêu kết quả số hóa", func(j IndicatorJSON) any { return num(j.TargetResults) }},
	{"Giấy tờ", func(j IndicatorJSON) any { return j.Papers }},
	{"Giấy tờ đã số hóa", func(j IndicatorJSON) any { return j.PapersDigitized }},
	{"Trang đã số hóa", func(j IndicatorJSON) any { return j.Pages }},
	{"Trang cần kiểm tra lại", func(j IndicatorJSON) any { return j.PagesFlagged }},
	{"Tỷ lệ trang cần kiểm tra lại", func(j IndicatorJSON) any { return num(j.ReviewRate) }},
	{"Tiếp nhận đến ký số, trung vị (giây)", func(j IndicatorJSON) any { return num(j.ToSignedP50) }},
	{"Tiếp nhận đến ký số, phân vị 95 (giây)", func(j IndicatorJSON) any { return num(j.ToSignedP95) }},
}

// num is v for a spreadsheet: empty when there is none.
func num(v *float64) any {
	if v == nil {
		return ""
	}
	return *v
}

// indicatorTable is the exports' rows: the column names, then each row's cells.
func indicatorTable(rows []IndicatorJSON) [][]any {
	header := make([]any, len(indicatorColumns))
	for i, c := range indicatorColumns {
		header[i] = c.name
	}
	table := [][]any{header}
	for _, row := range rows {
		line := make([]any, len(indicatorColumns))
		for i, c := range indicatorColumns {
			line[i] = c.get(row)
		}
		table = append(table, line)
	}
	return table
}

func indicatorCSV(rows []IndicatorJSON) []byte {
	var b bytes.Buffer
	b.WriteString("\uFEFF") // Excel reads UTF-8 only after its byte-order mark
	cw := csv.NewWriter(&b)
	for _, line := range indicatorTable(rows) {
		rec := make([]string, len(line))
		for i, v := range line {
			switch v := v.(type) {
			case float64:
				rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
			case string:
				rec[i] = cell(v)
			default:
				rec[i] = fmt.Sprint(v)
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return b.Bytes()
}

func indicatorXLSX(rows []IndicatorJSON) ([]byte, error) {
	var b bytes.Buffer
	if err := xlsx.Write(&b, "Chỉ tiêu", indicatorTable(rows)); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return b.Bytes(), nil
}

func serveReport(w http.ResponseWriter, name, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Write(body)
}

var (
	yearPeriod    = regexp.MustCompile(`^(\d{4})$`)
	quarterPeriod = regexp.MustCompile(`^(\d{4})-Q([1-4])$`)
	monthPeriod   = regexp.MustCompile(`^(\d{4})-(0[1-9]|1[0-2])$`)
)

// reportPeriod reads a report's period, in Vietnam's days: period=YYYY, YYYY-Qn or YYYY-MM, or
// from=YYYY-MM-DD and to=YYYY-MM-DD (both included); nothing is this year. It returns [from, to) and
// the period's name.
func reportPeriod(period, fromDay, toDay string, now time.Time) (from, to time.Time, label string, err error) {
	day := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 0, 0, 0, 0, code.Vietnam) }
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	switch m := []string(nil); {
	case period == "" && fromDay == "" && toDay == "":
		y := now.In(code.Vietnam).Year()
		return day(y, 1), day(y+1, 1), strconv.Itoa(y), nil
	case period != "":
		if m = yearPeriod.FindStringSubmatch(period); m != nil {
			return day(atoi(m[1]), 1), day(atoi(m[1])+1, 1), period, nil
		}
		if m = quarterPeriod.FindStringSubmatch(period); m != nil {
			first := day(atoi(m[1]), 3*atoi(m[2])-2)
			return first, first.AddDate(0, 3, 0), period, nil
		}
		if m = monthPeriod.FindStringSubmatch(period); m != nil {
			first := day(atoi(m[1]), atoi(m[2]))
			return first, first.AddDate(0, 1, 0), period, nil
		}
		return from, to, "", fmt.Errorf("Kỳ báo cáo %q không hợp lệ: dùng YYYY, YYYY-Q1…Q4 hoặc YYYY-MM.", period)
	}
	f, err1 := time.ParseInLocation(time.DateOnly, fromDay, code.Vietnam)
	t, err2 := time.ParseInLocation(time.DateOnly, toDay, code.Vietnam)
	if err1 != nil || err2 != nil || t.Before(f) {
		return from, to, "", fmt.Errorf("from và to phải có dạng YYYY-MM-DD, from không sau to.")
	}
	return f, t.AddDate(0, 0, 1), fromDay + "_" + toDay, nil
}
