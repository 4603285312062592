package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage/reportbench"
)

// TestScreens runs the browser tests of the screens (web-tests/screens.mjs: Playwright through
// playwright-core, driving Debian's Chromium, axe-core on every screen) against a real sohoa: a clerk
// opens a dossier, reuses a paper, uploads two scans, sees them done page by page and prints the
// receipt; a paper's thumbnails, enlarged page and history; an archivist finds a paper without
// diacritics, sees its signature valid and confirms a field; an admin gives a station a token; an
// auditor sees those actions in the trail; the province's office reads last year's indicators
// (a year of the sample province's dossiers, put in the database as `sohoa bench report` does)
// and downloads them. Screenshots and the axe report go to $SOHOA_ARTEFACTS, else var/screenshots.
func TestScreens(t *testing.T) {
	testenv.Need(t, "chromium", "node", "npm")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tests := filepath.Join(root, "web-tests")
	npmCI(t, tests)
	artefacts := os.Getenv("SOHOA_ARTEFACTS")
	if artefacts == "" {
		artefacts = filepath.Join(root, "var", "screenshots")
	}

	// The sample scans are clean and read at 95.5–97 % confidence, which the default threshold (70)
	// never flags: this one flags their pages for review, so the screens are tested showing it.
	sys := startSystem(t, "SOHOA_OCR_MIN_CONFIDENCE", "97")
	demoYear := time.Now().In(code.Vietnam).Year() - 1
	demo, demoDossiers := demoProvince(t, sys, demoYear)
	users := map[string][2]string{
		"clerk":     {"lan", "mật khẩu của Lan 2026"},
		"archivist": {"hoa", "mật khẩu của Hoa 2026"},
		"auditor":   {"thu", "mật khẩu của Thu 2026"},
		"admin":     {"quan", "mật khẩu của Quân 2026"},
	}
	for role, u := range users {
		sys.commandWithInput(t, u[1]+"\n", "users", "add", u[0], "--role", role, "--password-stdin")
	}
	// The province's office: an auditor of the province's own agency, whose reports take in its tree.
	users["province"] = [2]string{"vanphong", "mật khẩu của Văn phòng 2026"}
	sys.commandWithInput(t, users["province"][1]+"\n", "users", "add", users["province"][0], "--role", "auditor",
		"--agency", demo.Agencies[0].ID, "--password-stdin")
	const station = "may-quet-1"
	sys.command(t, "users", "add", station, "--role", "station")

	// The owner's paper in the store: handed in with an earlier dossier, done, so reusable.
	const citizen = "031085012345"
	first := sys.createDossier(t, citizen)
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}
	code, body := sys.uploadTo(t, "/api/v1/dossiers/"+first.ID+"/documents", "khai-sinh.png", data)
	if code != http.StatusCreated {
		t.Fatalf("add the paper to reuse: %d %s", code, body)
	}
	var a api.Attachment
	json.Unmarshal(body, &a)
	if d := sys.wait(t, a.Document.ID, 5*time.Minute); d.Status != "done" {
		t.Fatalf("the paper to reuse: %s %s", d.Status, d.Error)
	}

	usersJSON, _ := json.Marshal(users)
	chromium, _ := exec.LookPath("chromium")
	cmd := exec.CommandContext(t.Context(), "node", "screens.mjs")
	cmd.Dir = tests
	cmd.Env = append(os.Environ(), "SOHOA_BASE="+sys.base, "SOHOA_USERS="+string(usersJSON), "SOHOA_CITIZEN="+citizen,
		"SOHOA_REUSE_ID="+a.Document.ID, "SOHOA_STATION="+station, "SOHOA_SCANS="+filepath.Join(testenv.Samples(t), "scans"),
		"SOHOA_ARTEFACTS="+artefacts, "CHROMIUM="+chromium,
		"SOHOA_DEMO_YEAR="+strconv.Itoa(demoYear), "SOHOA_DEMO_DOSSIERS="+strconv.Itoa(demoDossiers))
	out, err := cmd.CombinedOutput()
	t.Logf("web-tests/screens.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("the browser tests failed: %v", err)
	}
}

// demoProvince fills the system's database with a year of the sample province's dossiers
// (deploy/province) as `sohoa bench report` does, then makes the agencies differ as a real rollout
// would, so that the dashboard has something to show: each agency starts digitizing in its own
// month, some before the year began (before it, three of four papers handed in only there were
// never signed), and
// reuses papers at its own rate, rising through the year. It is arithmetic on the agencies' order
// and hashes of the IDs, the same on every run. It returns the province and how many of the
// dossiers were received in the year, counted from the dossiers themselves.
func demoProvince(t *testing.T, sys system, year int) (reportbench.Config, int) {
	t.Helper()
	c := reportbench.Config{Dossiers: 2400, PapersPer: 2, Year: year, Out: io.Discard}
	if err := readProvince("../../deploy/province", &c); err != nil {
		t.Fatal(err)
	}
	if err := reportbench.Populate(t.Context(), sys.owner, sys.app.records, c); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), sys.owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	const month = `extract(month FROM x.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int`
	for _, q := range []string{
		`ALTER TABLE dossier_documents DISABLE TRIGGER dossier_facts_attachment`,
		`ALTER TABLE documents DISABLE TRIGGER dossier_facts_document`,
		`CREATE TEMP TABLE demo_agency AS SELECT id, row_number() OVER (ORDER BY id)::int AS k FROM agencies`,
		`UPDATE documents d SET signed_key = NULL FROM dossier_documents dd, dossiers x, demo_agency a
			WHERE dd.document_id = d.id AND x.id = dd.dossier_id AND a.id = x.agency AND x.code LIKE 'bench-%'
			AND ` + month + ` <= (a.k * 5) % 9 - 2 AND abs(hashtext(d.id::text)) % 4 <> 0
			AND (SELECT count(*) FROM dossier_documents o WHERE o.document_id = d.id) = 1`,
		`UPDATE dossier_documents dd SET reused = abs(hashtext(x.id::text)) % 100 < 12 + (a.k * 17) % 70 + 2 * ` + month + `
			FROM dossiers x, demo_agency a WHERE x.id = dd.dossier_id AND a.id = x.agency AND x.code LIKE 'bench-%'
			AND dd.component_code LIKE 'bench-%-1'`,
		`SELECT refresh_dossier_facts(ARRAY(SELECT id FROM dossiers WHERE code LIKE 'bench-%'))`,
		`ALTER TABLE dossier_documents ENABLE TRIGGER dossier_facts_attachment`,
		`ALTER TABLE documents ENABLE TRIGGER dossier_facts_document`,
	} {
		if _, err := conn.Exec(t.Context(), q); err != nil {
			t.Fatalf("the demo province: %s: %v", q, err)
		}
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, code.Vietnam)
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM dossiers WHERE code LIKE 'bench-%' AND received_at >= $1 AND received_at < $2`,
		from, from.AddDate(1, 0, 0)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return c, n
}

// npmCI installs the browser tests' packages from package-lock.json unless they are there already.
func npmCI(t *testing.T, dir string) {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if have, err := os.ReadFile(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && sameDeps(have, lock) {
		return
	}
	cmd := exec.CommandContext(t.Context(), "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// sameDeps reports whether node_modules/.package-lock.json lists the packages package-lock.json does.
func sameDeps(installed, lock []byte) bool {
	var a, b struct {
		Packages map[string]struct{ Version, Integrity string } `json:"packages"`
	}
	if json.Unmarshal(installed, &a) != nil || json.Unmarshal(lock, &b) != nil {
		return false
	}
	for k, p := range b.Packages {
		if k == "" {
			continue
		}
		if q, ok := a.Packages[k]; !ok || q != p {
			return false
		}
	}
	return true
}
