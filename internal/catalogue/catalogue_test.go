package catalogue

import (
	"os"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
)

// The sample province ships with sohoa: it must read, every agency with a level and a parent in the
// file (the province at the top), and every procedure with the papers it asks for.
func TestSampleProvinceReads(t *testing.T) {
	f, err := os.Open("../../deploy/province/agencies.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	agencies, err := ReadAgencies(f)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	levels := map[string]int{}
	for _, a := range agencies {
		ids[a.ID] = true
		levels[a.Level]++
	}
	for _, a := range agencies {
		if a.Parent != "" && !ids[a.Parent] || a.Level == "" || !a.Placeholder {
			t.Errorf("agency %+v: a parent outside the file, no level, or not marked a placeholder", a)
		}
	}
	if levels[storage.LevelProvince] != 1 || levels[storage.LevelDepartment] < 2 || levels[storage.LevelDistrict] < 2 || levels[storage.LevelCommune] < 2 {
		t.Errorf("levels %v: want one province, and departments, districts and communes", levels)
	}
	p, err := os.Open("../../deploy/province/procedures.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	procs, err := ReadProcedures(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range procs {
		reusable := 0
		for _, paper := range pr.Papers {
			if paper.Reusable {
				reusable++
			}
		}
		if pr.Field == "" || pr.Level == "" || len(pr.Papers) < 2 || reusable == 0 {
			t.Errorf("procedure %+v: want a field, a level and papers, one reusable", pr)
		}
	}
}

// A file with one bad row is refused whole, naming the row and why, in Vietnamese.
func TestBadRowsAreRefused(t *testing.T) {
	for _, c := range []struct{ name, file, want string }{
		{"bad id", "id,name,parent,level\n000.00.00.H26,Tỉnh,,tinh\n12345,Sở,000.00.00.H26,so\n", "dòng 3: mã định danh"},
		{"bad level", "id,name,parent,level\n000.00.00.H26,Tỉnh,,tinh\n000.10.00.H26,Sở,000.00.00.H26,bo\n", "dòng 3: cấp \"bo\""},
		{"no name", "id,name,parent,level\n000.00.00.H26,,,tinh\n", "dòng 2: thiếu tên"},
		{"twice", "id,name\n000.00.00.H26,A\n000.00.00.H26,B\n", "hai lần"},
		{"no header", "", "tệp trống"},
		{"wrong header", "ma,ten\n", "thiếu cột \"id\""},
		{"placeholder", "id,name,placeholder\n000.00.00.H26,A,có\n", "placeholder"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadAgencies(strings.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	if _, err := ReadProcedures(strings.NewReader("code,name,level\n1.001193,,xa\n")); err == nil || !strings.Contains(err.Error(), "dòng 2") {
		t.Errorf("a procedure without a name: %v", err)
	}
}
