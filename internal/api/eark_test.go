package api

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/eark/earktest"
	"github.com/sohoa-vn/sohoa/storage"
)

// An archivist downloads a dossier's E-ARK package: it passes the package checks (xmllint, CSIP
// rules, checksums), holds the signed paper, and the download is in the trail. A signed file that
// is not what was recorded gives no package but fixity_mismatch.
func TestDossierEARK(t *testing.T) {
	r := newRig(t)
	d := r.openDossier(citizen)
	doc := r.attach(d.ID, "", "cccd.png", scanPNG(1)).Document.ID
	r.finish(doc)
	archivist := r.as("luu-tru", account.Archivist, testAgency)

	a := archivist.get("/api/v1/dossiers/" + d.ID + "/eark")
	a.wantStatus(t, http.StatusOK)
	file := filepath.Join(t.TempDir(), "goi.zip")
	must(t, os.WriteFile(file, a.body, 0o644))
	p := earktest.Check(t, file)
	if _, ok := p.Files["representations/"+d.Code+"/data/"+r.doc(doc).Code+".01.pdf"]; !ok {
		t.Errorf("the package lacks the signed paper")
	}
	if !strings.HasPrefix(a.header.Get("Content-Disposition"), "attachment") || a.header.Get("Content-Type") != "application/zip" {
		t.Errorf("headers %v", a.header)
	}
	if e := lastEvent(t, r, "luu-tru"); e.Action != "dossier.eark" || e.DossierID != d.ID || e.Detail["package"] != p.Root {
		t.Errorf("last event %+v; want the package's download", e)
	}

	signed := r.doc(doc)
	must(t, r.store.SetSigned(t.Context(), doc, storage.SignedFile{Key: signed.SignedKey, VersionID: signed.SignedVersion, SHA256: strings.Repeat("0", 64)}))
	archivist.get("/api/v1/dossiers/"+d.ID+"/eark").wantError(t, http.StatusInternalServerError, codeFixityMismatch)
}
