package storagetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
)

// catalogueImport loads a province's tree, children before parents, with levels and placeholders;
// a file naming an unknown parent changes nothing; procedures come back with their papers.
func catalogueImport(t *testing.T, s Store) {
	ctx := t.Context()
	tree := []storage.Agency{
		{ID: "000.01.53.H26", Name: "UBND phường Máy Chai", Parent: "000.00.53.H26", Level: storage.LevelCommune, Placeholder: true},
		{ID: "000.00.53.H26", Name: "UBND quận Lê Chân", Parent: "000.00.00.H26", Level: storage.LevelDistrict},
		{ID: "000.00.00.H26", Name: "UBND thành phố Hải Phòng", Level: storage.LevelProvince},
		{ID: "000.10.00.H26", Name: "Sở Tư pháp", Parent: "000.00.00.H26", Level: storage.LevelDepartment},
	}
	must(t, s.ImportAgencies(ctx, tree))
	got, err := s.Agencies(ctx, []string{tree[0].ID, tree[3].ID})
	must(t, err)
	if want := []storage.Agency{tree[0], tree[3]}; !reflect.DeepEqual(got, want) {
		t.Errorf("Agencies = %+v, want %+v", got, want)
	}
	if sub, err := s.Subtree(ctx, "000.00.00.H26"); err != nil || len(sub) != 4 {
		t.Errorf("the province's subtree %v, %v; want all 4", sub, err)
	}
	bad := []storage.Agency{{ID: "000.02.53.H26", Name: "mới", Parent: "000.00.53.H26"}, {ID: "000.03.53.H26", Name: "lạc", Parent: "000.99.99.H99"}}
	if err := s.ImportAgencies(ctx, bad); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an unknown parent: %v, want ErrNotFound", err)
	}
	if got, _ := s.Agencies(ctx, []string{"000.02.53.H26"}); len(got) != 0 {
		t.Errorf("a refused import left %+v", got)
	}
	cycle := []storage.Agency{{ID: "a", Name: "a", Parent: "b"}, {ID: "b", Name: "b", Parent: "a"}}
	if err := s.ImportAgencies(ctx, cycle); err == nil {
		t.Error("a cycle of parents was imported")
	}

	procs := []storage.Procedure{{Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: storage.LevelCommune,
		Papers: []storage.ProcedurePaper{{Name: "Tờ khai đăng ký khai sinh"}, {Name: "Giấy chứng sinh", Reusable: true}}}}
	must(t, s.ImportProcedures(ctx, procs))
	back, err := s.Procedures(ctx, "1.001193", 10)
	must(t, err)
	if !reflect.DeepEqual(back, procs) {
		t.Errorf("Procedures = %+v, want %+v", back, procs)
	}
}
