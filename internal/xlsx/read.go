package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Read returns the cells of a workbook's first sheet as Write lays it out, row by row, each cell's
// text: a string as written, a number as its digits. A cell left out (an empty string) is "", and
// so is every cell past a row's last. It reads what Write writes (inline strings, numbers), for
// the tests that read an export back; shared strings and styles are not read.
func Read(data []byte) ([][]string, error) {
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	f, err := z.Open("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	defer f.Close()
	body, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("xlsx sheet: %w", err)
	}
	var sheet struct {
		Rows []struct {
			N     int `xml:"r,attr"`
			Cells []struct {
				Ref    string `xml:"r,attr"`
				Value  string `xml:"v"`
				Inline string `xml:"is>t"`
			} `xml:"c"`
		} `xml:"sheetData>row"`
	}
	if err := xml.Unmarshal(body, &sheet); err != nil {
		return nil, fmt.Errorf("xlsx sheet: %w", err)
	}
	var out [][]string
	for _, r := range sheet.Rows {
		if r.N < 1 || r.N > len(sheet.Rows)+len(out)+1<<16 {
			return nil, fmt.Errorf("xlsx sheet: row %d", r.N)
		}
		for len(out) < r.N {
			out = append(out, nil)
		}
		for _, c := range r.Cells {
			col, row, err := cellRef(c.Ref)
			if err != nil || row != r.N {
				return nil, fmt.Errorf("xlsx sheet: cell %q in row %d", c.Ref, r.N)
			}
			line := out[r.N-1]
			for len(line) <= col {
				line = append(line, "")
			}
			line[col] = c.Value + c.Inline
			out[r.N-1] = line
		}
	}
	return out, nil
}

// cellRef splits a reference such as AB3 into its 0-based column and its row.
func cellRef(ref string) (col, row int, err error) {
	i := strings.IndexFunc(ref, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 1 {
		return 0, 0, fmt.Errorf("cell %q", ref)
	}
	for _, r := range ref[:i] {
		if r < 'A' || r > 'Z' {
			return 0, 0, fmt.Errorf("cell %q", ref)
		}
		col = col*26 + int(r-'A'+1)
	}
	row, err = strconv.Atoi(ref[i:])
	return col - 1, row, err
}
