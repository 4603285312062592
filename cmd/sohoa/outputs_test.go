package main

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/dvcqg"
	"github.com/sohoa-vn/sohoa/internal/eark/earktest"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/schemas/schematest"
)

// What the province takes out, end to end on a real pipeline: a citizen hands in a paper and gets
// a result with a first dossier; a second dossier reuses the paper. The second's national-portal
// record marks it reused and digitized, with a link that serves the signed file; the period's
// export holds both dossiers; the first dossier's E-ARK package from the API and a package of both
// from `sohoa export eark` pass xmllint, the CSIP rules and their checksums, and hold the very
// bytes the archive serves.
func TestDVCQGAndEARK(t *testing.T) {
	sys := startSystem(t)
	const citizen = "031085012345"
	first := sys.createDossier(t, citizen)
	paper := sys.addScan(t, first.ID, "", "khai-sinh.png")
	result := sys.addScan(t, first.ID, "?role=result", "xay-dung-skewed.jpg")
	for _, id := range []string{paper, result} {
		if d := sys.wait(t, id, 4*time.Minute); d.Status != "done" {
			t.Fatalf("%s: %s %s", d.Filename, d.Status, d.Error)
		}
	}
	second := sys.createDossier(t, citizen)
	if code, body := sys.postJSON(t, "/api/v1/dossiers/"+second.ID+"/reuse", map[string]string{"document_id": paper}); code != http.StatusCreated {
		t.Fatalf("reuse: %d %s", code, body)
	}
	set, err := schematest.Load()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("dvcqg record", func(t *testing.T) {
		code, body := sys.get(t, "/api/v1/dossiers/"+second.ID+"/dvcqg")
		if code != http.StatusOK {
			t.Fatalf("%d %s", code, body)
		}
		if err := set.Validate("dvcqg.schema.json", body); err != nil {
			t.Error(err)
		}
		rec := decode[dvcqg.Record](t, body)
		if len(rec.TaiLieuNop) != 1 || rec.HoSoCoThanhPhanSoHoa != "1" {
			t.Fatalf("record %s", body)
		}
		p := rec.TaiLieuNop[0]
		if p.TepDinhKemId != paper || p.DuocTaiSuDung != "1" || p.DuocSoHoa != "1" || !strings.HasSuffix(p.DuongDanTaiTepTin, "/api/v1/documents/"+paper+"/file") {
			t.Errorf("the reused paper: %+v", p)
		}
		if code, pdf := sys.get(t, strings.TrimPrefix(p.DuongDanTaiTepTin, sys.base)); code != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Errorf("GET %s: %d", p.DuongDanTaiTepTin, code)
		}
		_, body = sys.get(t, "/api/v1/dossiers/"+first.ID+"/dvcqg")
		if rec := decode[dvcqg.Record](t, body); len(rec.DanhSachGiayToKetQua) != 1 || rec.DanhSachGiayToKetQua[0].GiayToId != result ||
			rec.TaiLieuNop[0].DuocTaiSuDung != "0" {
			t.Errorf("the first dossier's record: %s", body)
		}
	})

	t.Run("dvcqg export", func(t *testing.T) {
		today := time.Now().In(code.Vietnam).Format(time.DateOnly)
		status, body := sys.get(t, "/api/v1/dvcqg?from="+today+"&to="+today)
		var codes []string
		for lines := bufio.NewScanner(bytes.NewReader(body)); lines.Scan(); {
			if err := set.Validate("dvcqg.schema.json", lines.Bytes()); err != nil {
				t.Error(err)
			}
			codes = append(codes, decode[dvcqg.Record](t, lines.Bytes()).MaHoSo)
		}
		if status != http.StatusOK || strings.Join(codes, " ") != first.Code+" "+second.Code {
			t.Errorf("export: %d, dossiers %v; want %s %s", status, codes, first.Code, second.Code)
		}
	})

	_, signed := sys.get(t, "/api/v1/documents/"+paper+"/file")
	inPackage := func(t *testing.T, p earktest.Package, dossier api.DossierJSON) {
		t.Helper()
		doc := sys.document(t, paper)
		if got := p.Files["representations/"+dossier.Code+"/data/"+doc.Code+".01.pdf"]; !bytes.Equal(got, signed) {
			t.Errorf("%s's package holds %d bytes as the signed paper; the archive serves %d", dossier.Code, len(got), len(signed))
		}
	}
	t.Run("eark from the API", func(t *testing.T) {
		code, body := sys.get(t, "/api/v1/dossiers/"+first.ID+"/eark")
		if code != http.StatusOK {
			t.Fatalf("%d %.300s", code, body)
		}
		file := filepath.Join(t.TempDir(), "goi.zip")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		inPackage(t, earktest.Check(t, file), first)
	})
	t.Run("eark from the command", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "nop-luu.zip")
		var out bytes.Buffer
		if err := exportEARK(t.Context(), sys.app.records, sys.app.objects, []string{"-o", file, first.Code, second.Code}, &out); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
		p := earktest.Check(t, file)
		if len(p.Reps) != 2 {
			t.Errorf("%d representations, want one per dossier", len(p.Reps))
		}
		inPackage(t, p, first)
		inPackage(t, p, second)
	})
}

// addScan uploads a sample scan into the dossier (query "?role=result" for a result) and returns
// the document's ID.
func (s system) addScan(t *testing.T, dossier, query, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", name))
	if err != nil {
		t.Fatal(err)
	}
	code, body := s.uploadTo(t, "/api/v1/dossiers/"+dossier+"/documents"+query, name, data)
	if code != http.StatusCreated {
		t.Fatalf("add %s: %d %s", name, code, body)
	}
	return decode[api.Attachment](t, body).Document.ID
}
