package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// TestSignedOriginalKeepsItsSignature uploads a scanner PDF that another agency already signed: the
// archived copy must begin with the original's exact bytes, and both its signature and the agency's
// must verify.
func TestSignedOriginalKeepsItsSignature(t *testing.T) {
	sys := startSystem(t)
	scanned, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "ke-hoach.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := sign.DevKeys(t.TempDir(), "Sở Tư pháp (kiểm thử)", false)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sign.LoadPEM(files.AgencyCert, files.AgencyKey)
	if err != nil {
		t.Fatal(err)
	}
	other.Name = "Sở Tư pháp"
	var original bytes.Buffer
	if err := other.Sign(context.Background(), bytes.NewReader(scanned), int64(len(scanned)), &original); err != nil {
		t.Fatal(err)
	}

	code, body := sys.upload(t, "ke-hoach-da-ky.pdf", original.Bytes())
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, body)
	}
	d := sys.wait(t, decode[api.Document](t, body).ID, 3*time.Minute)
	if d.Status != "done" || !d.SignedOriginal {
		t.Fatalf("%s, signed original %v: %s", d.Status, d.SignedOriginal, d.Error)
	}
	_, archived := sys.get(t, "/api/v1/documents/"+d.ID+"/file")
	if !bytes.HasPrefix(archived, original.Bytes()) {
		t.Fatal("the archived copy does not keep the signed original byte for byte")
	}
	// Both development roots are trusted here: the other agency's and sohoa's own.
	roots := sys.app.roots.Clone()
	rootPEM, _ := os.ReadFile(files.RootCert)
	roots.AppendCertsFromPEM(rootPEM)
	rep, err := verify.File(context.Background(), bytes.NewReader(archived), int64(len(archived)), roots)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || len(rep.Signatures) != 2 || rep.Signatures[0].Name != "Sở Tư pháp" {
		t.Errorf("verification of the archived copy: valid %v, %d signatures, first by %q: %v",
			rep.Valid, len(rep.Signatures), rep.Signatures[0].Name, rep.Err())
	}
	file := filepath.Join(t.TempDir(), "archived.pdf")
	os.WriteFile(file, archived, 0o644)
	if out := testenv.PDFSig(t, file); bytes.Count([]byte(out), []byte("Signature is Valid.")) != 2 {
		t.Errorf("pdfsig does not find two valid signatures:\n%s", out)
	}
}
