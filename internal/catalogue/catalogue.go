// Package catalogue reads the province's tree of agencies and its procedures from the CSV files an
// office keeps them in (`sohoa agencies import`, `sohoa procedures import`), checking every row, so
// that a file with one bad row is refused whole with the row and the reason.
//
// agencies.csv:   id,name,parent,level,placeholder
// procedures.csv: code,name,field,level,papers,reusable_papers
//
// level is tinh, so, huyen or xa; placeholder is true for an identifier or name not yet confirmed;
// papers and reusable_papers list paper names separated by ';' (a reusable paper is one the store
// may give instead of the citizen handing it in again).
package catalogue

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa-vn/sohoa/storage"
)

// agencyID is a QCVN 102 identifier: 000.00.00.H26.
var agencyID = regexp.MustCompile(`^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$`)

// ReadAgencies reads agencies.csv.
func ReadAgencies(r io.Reader) ([]storage.Agency, error) {
	rows, err := read(r, "id", "name", "parent", "level", "placeholder")
	if err != nil {
		return nil, err
	}
	out := make([]storage.Agency, 0, len(rows))
	for _, row := range rows {
		a := storage.Agency{ID: row.get("id"), Name: row.get("name"), Parent: row.get("parent"), Level: row.get("level")}
		switch {
		case !agencyID.MatchString(a.ID):
			return nil, row.fail("mã định danh %q không đúng dạng QCVN 102 (000.00.00.H26)", a.ID)
		case a.Parent != "" && !agencyID.MatchString(a.Parent):
			return nil, row.fail("cơ quan cấp trên %q không đúng dạng QCVN 102", a.Parent)
		case a.Name == "":
			return nil, row.fail("thiếu tên cơ quan")
		case !storage.ValidLevel(a.Level):
			return nil, row.fail("cấp %q không có; dùng tinh, so, huyen hoặc xa", a.Level)
		}
		if a.Placeholder, err = flag(row.get("placeholder")); err != nil {
			return nil, row.fail("placeholder phải là true hoặc false")
		}
		out = append(out, a)
	}
	return out, unique(out, func(a storage.Agency) string { return a.ID })
}

// ReadProcedures reads procedures.csv.
func ReadProcedures(r io.Reader) ([]storage.Procedure, error) {
	rows, err := read(r, "code", "name", "field", "level", "papers", "reusable_papers")
	if err != nil {
		return nil, err
	}
	out := make([]storage.Procedure, 0, len(rows))
	for _, row := range rows {
		p := storage.Procedure{Code: row.get("code"), Name: row.get("name"), Field: row.get("field"), Level: row.get("level"),
			Papers: []storage.ProcedurePaper{}}
		switch {
		case p.Code == "" || p.Name == "":
			return nil, row.fail("thiếu mã hoặc tên thủ tục")
		case !storage.ValidLevel(p.Level):
			return nil, row.fail("cấp %q không có; dùng tinh, so, huyen hoặc xa", p.Level)
		}
		for _, name := range list(row.get("papers")) {
			p.Papers = append(p.Papers, storage.ProcedurePaper{Name: name})
		}
		for _, name := range list(row.get("reusable_papers")) {
			p.Papers = append(p.Papers, storage.ProcedurePaper{Name: name, Reusable: true})
		}
		out = append(out, p)
	}
	return out, unique(out, func(p storage.Procedure) string { return p.Code })
}

// row is one line of a file, its cells by column name.
type row struct {
	line  int
	cells map[string]string
}

func (r row) get(col string) string { return r.cells[col] }

func (r row) fail(format string, args ...any) error {
	return fmt.Errorf("dòng %d: %s", r.line, fmt.Sprintf(format, args...))
}

// read parses a CSV file with a header naming at least cols; cells are trimmed and put in NFC.
func read(r io.Reader, cols ...string) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("tệp trống: cần dòng tiêu đề " + strings.Join(cols, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("đọc tệp CSV: %w", err)
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header[i], "\uFEFF"))) // Excel's BOM
	}
	for _, c := range cols[:2] {
		if !slices.Contains(header, c) {
			return nil, fmt.Errorf("dòng tiêu đề thiếu cột %q (cần %s)", c, strings.Join(cols, ","))
		}
	}
	var out []row
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("đọc tệp CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		rw := row{line: line, cells: map[string]string{}}
		for i, v := range rec {
			if i < len(header) {
				rw.cells[header[i]] = norm.NFC.String(strings.TrimSpace(v))
			}
		}
		out = append(out, rw)
	}
}

func flag(s string) (bool, error) {
	if s == "" {
		return false, nil
	}
	return strconv.ParseBool(s)
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// unique refuses a file naming one key twice: which row wins would be an accident.
func unique[T any](items []T, key func(T) string) error {
	seen := map[string]bool{}
	for _, it := range items {
		k := key(it)
		if seen[k] {
			return fmt.Errorf("%s có hai lần trong tệp", k)
		}
		seen[k] = true
	}
	return nil
}
