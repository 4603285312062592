package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestScreens runs the browser tests of the screens (web-tests/screens.mjs: Playwright through
// playwright-core, driving Debian's Chromium, axe-core on every screen) against a real sohoa: a clerk
// opens a dossier, reuses a paper, uploads two scans, sees them done and prints the receipt; an
// archivist finds a paper without diacritics, sees its signature valid and confirms a field; an
// admin gives a station a token; an auditor sees those actions in the trail. Screenshots and the
// axe report go to $SOHOA_ARTEFACTS, else var/screenshots.
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

	sys := startSystem(t)
	users := map[string][2]string{
		"clerk":     {"lan", "mật khẩu của Lan 2026"},
		"archivist": {"hoa", "mật khẩu của Hoa 2026"},
		"auditor":   {"thu", "mật khẩu của Thu 2026"},
		"admin":     {"quan", "mật khẩu của Quân 2026"},
	}
	for role, u := range users {
		sys.commandWithInput(t, u[1]+"\n", "users", "add", u[0], "--role", role, "--password-stdin")
	}
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
		"SOHOA_ARTEFACTS="+artefacts, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("web-tests/screens.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("the browser tests failed: %v", err)
	}
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
