package storagetest

import (
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// dossiersCatalogue finds the procedures dossiers named by code prefix or by words of the name,
// with or without diacritics, and keeps a dossier's return appointment.
func dossiersCatalogue(t *testing.T, r storage.Records, d storage.Dossiers) {
	ctx := t.Context()
	due := time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC)
	for _, p := range []storage.Procedure{{Code: "1.001193", Name: "Đăng ký khai sinh"}, {Code: "1.001022", Name: "Đăng ký kết hôn"},
		{Code: "2.000003", Name: "Cấp giấy phép xây dựng"}} {
		n := newDossier(citizen)
		n.ProcedureCode, n.ProcedureName, n.DueOn = p.Code, p.Name, &due
		x, err := d.CreateDossier(ctx, n, day, dossierCode)
		must(t, err)
		if back, err := d.Dossier(ctx, x.ID); err != nil || back.DueOn == nil || !back.DueOn.Equal(due) {
			t.Errorf("dossier due on %v (%v), want %v", back.DueOn, err, due)
		}
	}
	for _, c := range []struct {
		q     string
		limit int
		want  []string
	}{
		{"", 10, []string{"1.001022", "1.001193", "2.000003"}},
		{"", 2, []string{"1.001022", "1.001193"}},
		{"1.001", 10, []string{"1.001022", "1.001193"}},
		{"khai sinh", 10, []string{"1.001193"}},
		{"dang ky", 10, []string{"1.001022", "1.001193"}},
		{"XÂY", 10, []string{"2.000003"}},
		{"100%_", 10, nil},
	} {
		got, err := d.Procedures(ctx, c.q, c.limit)
		must(t, err)
		var codes []string
		for _, p := range got {
			codes = append(codes, p.Code)
		}
		if len(codes) != len(c.want) || len(codes) > 0 && codes[0] != c.want[0] || len(codes) > 1 && codes[len(codes)-1] != c.want[len(c.want)-1] {
			t.Errorf("Procedures(%q, %d) = %v, want %v", c.q, c.limit, codes, c.want)
		}
	}
}
