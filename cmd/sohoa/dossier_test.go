package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

// TestReuseAcrossDossiers is the once-only principle end to end: a citizen hands in two papers with
// a first dossier; for a second dossier the counter lists the citizen's valid papers, attaches one
// from the store instead of asking for it again, and both dossiers' histories show it.
func TestReuseAcrossDossiers(t *testing.T) {
	sys := startSystem(t)
	const citizen = "031085012345"
	first := sys.createDossier(t, citizen)
	scans := filepath.Join(testenv.Samples(t), "scans")
	var ids []string
	for _, name := range []string{"khai-sinh.png", "xay-dung-skewed.jpg"} {
		data, err := os.ReadFile(filepath.Join(scans, name))
		if err != nil {
			t.Fatal(err)
		}
		code, body := sys.uploadTo(t, "/api/v1/dossiers/"+first.ID+"/documents", name, data)
		if code != http.StatusCreated {
			t.Fatalf("add %s: %d %s", name, code, body)
		}
		a := decode[api.Attachment](t, body)
		if a.Reused || a.Role != "component" || !componentPattern.MatchString(a.ComponentCode) {
			t.Errorf("attachment %+v", a)
		}
		ids = append(ids, a.Document.ID)
	}
	for _, id := range ids {
		if d := sys.wait(t, id, 3*time.Minute); d.Status != "done" || !componentPattern.MatchString(d.Code) {
			t.Fatalf("%s: %s, code %q: %s", d.Filename, d.Status, d.Code, d.Error)
		}
	}

	second := sys.createDossier(t, citizen)
	if second.Code == first.Code {
		t.Fatal("two dossiers share a code")
	}
	code, body := sys.get(t, "/api/v1/owners/"+citizen+"/documents?valid=true&purpose=e2e")
	var papers struct{ Documents []api.PaperJSON }
	json.Unmarshal(body, &papers)
	if code != http.StatusOK || len(papers.Documents) != 2 {
		t.Fatalf("reusable papers: %d %s", code, body)
	}
	reused := papers.Documents[0].ID
	code, body = sys.postJSON(t, "/api/v1/dossiers/"+second.ID+"/reuse", map[string]string{"document_id": reused})
	if a := decode[api.Attachment](t, body); code != http.StatusCreated || !a.Reused || a.Document.ID != reused {
		t.Fatalf("reuse: %d %s", code, body)
	}
	for _, d := range []api.DossierJSON{first, second} {
		_, body := sys.get(t, "/api/v1/dossiers/"+d.ID)
		got := decode[api.DossierJSON](t, body)
		found := false
		for _, a := range got.Documents {
			found = found || a.Document.ID == reused
		}
		if !found {
			t.Errorf("dossier %s does not list the reused paper: %s", d.Code, body)
		}
		if d.ID == second.ID && !slices.ContainsFunc(got.History, func(e storage.Event) bool { return e.Action == "document.reused" }) {
			t.Errorf("second dossier's history does not record the reuse: %+v", got.History)
		}
	}
	_, body = sys.get(t, "/api/v1/documents/"+reused+"/metadata")
	if m := decode[api.Metadata](t, body); m.DocCode == "" || m.ArcFileCode != first.Code || m.ConfidenceLevel != "02" || m.NumberOfPage != 1 {
		t.Errorf("metadata %s", body)
	}

	code, pdf := sys.get(t, "/api/v1/dossiers/"+second.ID+"/receipt")
	receiptFile := filepath.Join(t.TempDir(), "receipt.pdf")
	os.WriteFile(receiptFile, pdf, 0o644)
	if text := testenv.Run(t, "pdftotext", receiptFile, "-"); code != http.StatusOK || !bytes.Contains([]byte(text), []byte(second.Code)) ||
		!bytes.Contains([]byte(text), []byte("lấy từ kho dữ liệu")) {
		t.Errorf("receipt: %d\n%s", code, text)
	}

	// Wrong identifiers are refused with a reason.
	code, body = sys.postJSON(t, "/api/v1/dossiers", map[string]string{"owner_id": "0100109107", "procedure_code": "1.001193"})
	if code != http.StatusBadRequest || !bytes.Contains(body, []byte(`"error"`)) {
		t.Errorf("a tax code with a wrong check digit: %d %s", code, body)
	}
}

func (s system) createDossier(t *testing.T, owner string) api.DossierJSON {
	t.Helper()
	code, body := s.postJSON(t, "/api/v1/dossiers", map[string]string{"owner_id": owner, "owner_name": "Nguyễn Văn A",
		"procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh", "staff": "cán bộ 1"})
	if code != http.StatusCreated {
		t.Fatalf("create dossier: %d %s", code, body)
	}
	d := decode[api.DossierJSON](t, body)
	if !codePattern.MatchString(d.Code) || d.Owner.Kind != "citizen" {
		t.Fatalf("dossier %+v", d)
	}
	return d
}

func (s system) postJSON(t *testing.T, path string, v any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(v)
	return s.send(t, http.MethodPost, path, "application/json", bytes.NewReader(b))
}
