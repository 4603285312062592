package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/scan/scantest"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/workers"
)

// signedSystem is a sohoa that trusts its own development root and another agency's, and that other
// agency's signer: signed originals arrive from it.
type signedSystem struct {
	system
	other *sign.Signer
}

func startSignedSystem(t *testing.T) signedSystem {
	t.Helper()
	data := t.TempDir()
	own, err := sign.DevKeys(filepath.Join(data, "keys"), "Bộ phận Một cửa (kiểm thử)", false)
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
	var roots []byte
	for _, f := range []string{own.RootCert, files.RootCert} {
		pem, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		roots = append(roots, pem...)
	}
	rootsFile := filepath.Join(data, "roots.pem")
	if err := os.WriteFile(rootsFile, roots, 0o644); err != nil {
		t.Fatal(err)
	}
	return signedSystem{startSystem(t, "SOHOA_DATA_DIR", data, "SOHOA_TRUST_ROOTS", rootsFile), other}
}

func (s signedSystem) sign(t *testing.T, pdf []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := s.other.Sign(context.Background(), bytes.NewReader(pdf), int64(len(pdf)), &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// archived checks that the document's archived copy begins with original byte for byte and that all
// its signatures verify, with sohoa's verifier and with poppler's pdfsig; it returns the copy.
func (s signedSystem) archived(t *testing.T, d api.Document, original []byte, signatures int) []byte {
	t.Helper()
	_, archived := s.get(t, "/api/v1/documents/"+d.ID+"/file")
	if !bytes.HasPrefix(archived, original) {
		t.Fatal("the archived copy does not keep the signed original byte for byte")
	}
	rep, err := verify.File(context.Background(), bytes.NewReader(archived), int64(len(archived)), s.app.roots)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Valid || len(rep.Signatures) != signatures || rep.Signatures[0].Name != "Sở Tư pháp" {
		t.Errorf("verification of the archived copy: valid %v, %d signatures, first by %q: %v",
			rep.Valid, len(rep.Signatures), rep.Signatures[0].Name, rep.Err())
	}
	file := filepath.Join(t.TempDir(), "archived.pdf")
	os.WriteFile(file, archived, 0o644)
	if out := testenv.PDFSig(t, file); strings.Count(out, "Signature is Valid.") != signatures {
		t.Errorf("pdfsig does not find %d valid signatures:\n%s", signatures, out)
	}
	return archived
}

// TestSignedOriginalKeepsItsSignature uploads a scanner PDF that another agency already signed: the
// archived copy must begin with the original's exact bytes, and both its signature and the agency's
// must verify.
func TestSignedOriginalKeepsItsSignature(t *testing.T) {
	sys := startSignedSystem(t)
	scanned, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "ke-hoach.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	original := sys.sign(t, scanned)
	d := sys.wait(t, sendOne(t, sys.system, "ke-hoach-da-ky.pdf", original), 3*time.Minute)
	if d.Status != "done" || !d.SignedOriginal {
		t.Fatalf("%s, signed original %v: %s", d.Status, d.SignedOriginal, d.Error)
	}
	sys.archived(t, d, original, 2)
}

// TestBornDigitalSignedOriginal uploads a signed PDF of text and vector graphics (what an office
// application exports): recognised before splitting, archived byte for byte with both signatures
// valid, and indexed by its own text.
func TestBornDigitalSignedOriginal(t *testing.T) {
	sys := startSignedSystem(t)
	original := sys.sign(t, scantest.BornDigital(t))
	d := sys.wait(t, sendOne(t, sys.system, "bien-nhan-da-ky.pdf", original), 3*time.Minute)
	if d.Status != "done" || !d.SignedOriginal || d.Pages != 2 {
		t.Fatalf("%s, signed original %v, %d pages: %s (%s)", d.Status, d.SignedOriginal, d.Pages, d.Error, d.ErrorCode)
	}
	sys.archived(t, d, original, 2)
	_, text := sys.get(t, "/api/v1/documents/"+d.ID+"/text")
	for _, code := range scantest.ReceiptCodes {
		if !bytes.Contains(text, []byte(code)) {
			t.Errorf("the indexed text lacks %s, printed on the PDF:\n%s", code, text)
		}
	}
	_, meta := sys.get(t, "/api/v1/documents/"+d.ID+"/metadata")
	if m := decode[struct{ Format string }](t, meta); m.Format != "PDF" && !strings.HasPrefix(m.Format, "PDF/A-2") {
		t.Errorf("metadata format %q", m.Format)
	}
}

// TestBrokenSignatureIsNotCertified uploads a signed PDF whose signed bytes were changed: sohoa does
// not certify it as a copy, says why, and goes on only once a person has decided.
func TestBrokenSignatureIsNotCertified(t *testing.T) {
	sys := startSignedSystem(t)
	scanned, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "ke-hoach.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	broken := sys.sign(t, scanned)
	i := bytes.Index(broken, []byte("/Producer")) // inside the signed bytes, outside any stream
	if i < 0 {
		i = bytes.Index(broken, []byte("/Type"))
	}
	broken[i+1] ^= 0x20 // /Producer → /producer: still a PDF, no longer the signed one
	d := sys.wait(t, sendOne(t, sys.system, "da-bi-sua.pdf", broken), 3*time.Minute)
	if d.Status != "failed" || d.ErrorCode != workers.CodeSignatureInvalid || d.Retryable ||
		!strings.Contains(d.Error, "không hợp lệ") || !strings.Contains(d.Error, "chưa được chứng thực") {
		t.Fatalf("a broken signature: %s, code %q, retryable %v: %s", d.Status, d.ErrorCode, d.Retryable, d.Error)
	}
	if code, _ := sys.post(t, "/api/v1/documents/"+d.ID+"/retry"); code != http.StatusConflict {
		t.Errorf("a plain retry of a broken signature: %d, want 409", code)
	}
	code, body := sys.postJSON(t, "/api/v1/documents/"+d.ID+"/accept-signature",
		map[string]string{"staff": "nguyen.van.a", "note": "Đã đối chiếu với bản giấy có dấu đỏ của Sở Tư pháp."})
	if code != http.StatusAccepted {
		t.Fatalf("accept-signature: %d %s", code, body)
	}
	if d = sys.wait(t, d.ID, 3*time.Minute); d.Status != "done" || !d.SignedOriginal {
		t.Errorf("after a person's decision: %s: %s", d.Status, d.Error)
	}
}
