package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// A phrase of each sample's ground truth, with its diacritics, that the signed PDF's text layer must
// carry.
var phrases = map[string]string{
	"khai-sinh.png":       "TỜ KHAI ĐĂNG KÝ KHAI SINH",
	"dkdn.jpg":            "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP",
	"xay-dung-skewed.jpg": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
	"ke-hoach.tiff":       "ỦY BAN NHÂN DÂN QUẬN HỒNG BÀNG",
	"ke-hoach.pdf":        "ỦY BAN NHÂN DÂN QUẬN HỒNG BÀNG",
}

// Words each document must be found by through the search API.
var searchWords = map[string]string{
	"khai-sinh.png":       "sinh",
	"dkdn.jpg":            "doanh",
	"xay-dung-skewed.jpg": "NAM",
	"ke-hoach.tiff":       "hóa",
	"ke-hoach.pdf":        "hóa",
}

// TestPipelineEndToEnd sends every sample scan through the whole pipeline on real MinIO, Redis,
// PostgreSQL and Tesseract: four through the HTTP API, one put straight into the inbox bucket with
// plain S3 as a scanner station would. The sweep is made too slow to matter, so that object must
// arrive through MinIO's notification.
func TestPipelineEndToEnd(t *testing.T) {
	sys := startSystem(t, "SOHOA_SWEEP_INTERVAL", "1h")
	scans := filepath.Join(testenv.Samples(t), "scans")
	const viaS3 = "dkdn.jpg"

	type sent struct {
		id    string
		start time.Time
	}
	docs := map[string]sent{}
	for name := range phrases {
		data, err := os.ReadFile(filepath.Join(scans, name))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if name == viaS3 {
			key := "trạm-1/" + name
			if _, err := sys.station.PutObject(context.Background(), sys.inbox, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
				t.Fatal(err)
			}
			d := sys.bySHA(t, data, time.Minute)
			if !strings.HasPrefix(d.Source, "notification:") {
				t.Errorf("inbox object arrived through %q, want a notification", d.Source)
			}
			docs[name] = sent{id: d.ID, start: start}
			continue
		}
		code, body := sys.upload(t, name, data)
		if code != http.StatusCreated {
			t.Fatalf("upload %s: %d %s", name, code, body)
		}
		d := decode[api.Document](t, body)
		if d.SHA256 != hexSHA(data) || d.Status == "" {
			t.Errorf("upload %s answered %+v", name, d)
		}
		docs[name] = sent{id: d.ID, start: start}
	}

	// The same bytes again make no new document.
	data, _ := os.ReadFile(filepath.Join(scans, "khai-sinh.png"))
	code, body := sys.upload(t, "again.png", data)
	if again := decode[api.Document](t, body); code != http.StatusOK || again.ID != docs["khai-sinh.png"].id {
		t.Errorf("second upload of the same bytes: %d, id %s, want 200 and %s", code, again.ID, docs["khai-sinh.png"].id)
	}

	dir := t.TempDir()
	for name, s := range docs {
		d := sys.wait(t, s.id, 5*time.Minute)
		t.Logf("%-20s %-8s %5.1f s end to end, %d pages, code %s", name, d.Status, time.Since(s.start).Seconds(), d.Pages, d.Code)
		if d.Status != "done" {
			t.Errorf("%s: %s at %s: %s", name, d.Status, d.Stage, d.Error)
			continue
		}
		if want := map[string]int{"ke-hoach.tiff": 2, "ke-hoach.pdf": 2}[name]; want != 0 && d.Pages != want {
			t.Errorf("%s: %d pages, want %d", name, d.Pages, want)
		}
		if !codePattern.MatchString(d.Code) || !strings.HasPrefix(d.Code, "000.00.53.H26-") {
			t.Errorf("%s: code %q does not follow Thông tư 01/2018", name, d.Code)
		}
		if len(d.Stages) != 6 {
			t.Errorf("%s: %d stages recorded, want 6: %+v", name, len(d.Stages), d.Stages)
		}
		for _, st := range d.Stages {
			if st.Status != "done" || st.FinishedAt == nil {
				t.Errorf("%s: stage %s is %s", name, st.Name, st.Status)
			}
		}

		code, pdf := sys.get(t, "/api/v1/documents/"+d.ID+"/file")
		if code != http.StatusOK || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("%s: GET file: %d, %d bytes", name, code, len(pdf))
			continue
		}
		file := filepath.Join(dir, d.ID+".pdf")
		os.WriteFile(file, pdf, 0o644)
		if out := testenv.PDFSig(t, file); !strings.Contains(out, "Signature Validation: Signature is Valid.") {
			t.Errorf("%s: pdfsig does not find a valid signature:\n%s", name, out)
		}
		text := strings.Join(strings.Fields(testenv.Run(t, "pdftotext", file, "-")), " ")
		if !strings.Contains(text, phrases[name]) {
			t.Errorf("%s: the signed PDF's text lacks %q:\n%s", name, phrases[name], text)
		}
		if err := pdfa.Check(pdf); err != nil {
			t.Errorf("%s: the signed file is not PDF/A-2u: %v", name, err)
		}
		testenv.Run(t, "qpdf", "--check", file)
		if !strings.Contains(text, "BẢN SAO ĐIỆN TỬ") {
			t.Errorf("%s: the signature block of Nghị định 30/2020 is missing", name)
		}

		code, body := sys.get(t, "/api/v1/documents/"+d.ID+"/verification")
		rep := decode[verify.Report](t, body)
		if code != http.StatusOK || !rep.Valid || len(rep.Signatures) != 1 || rep.Signatures[0].Timestamp == nil ||
			!rep.Signatures[0].Timestamp.Valid || rep.Signatures[0].SubFilter != "ETSI.CAdES.detached" {
			t.Errorf("%s: verification %d: %s", name, code, body)
		}

		code, plain := sys.get(t, "/api/v1/documents/"+d.ID+"/text")
		if code != http.StatusOK || strings.Count(string(plain), "\f") != d.Pages-1 {
			t.Errorf("%s: GET text: %d, %d form feeds for %d pages", name, code, strings.Count(string(plain), "\f"), d.Pages)
		}

		code, res := sys.get(t, "/api/v1/search?q="+url.QueryEscape(searchWords[name])+"&limit=100")
		found := false
		for _, h := range decode[api.SearchResult](t, res).Hits {
			found = found || h.ID == d.ID && h.Code == d.Code && h.Snippet != ""
		}
		if code != http.StatusOK || !found {
			t.Errorf("%s: search %q: %d, document not among the hits: %s", name, searchWords[name], code, res)
		}
	}
}

// bySHA waits until the document with data's SHA-256 exists and returns it.
func (s system) bySHA(t *testing.T, data []byte, limit time.Duration) api.Document {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		code, body := s.get(t, "/api/v1/documents?sha256="+hexSHA(data))
		if code == http.StatusOK {
			if l := decode[api.DocumentList](t, body); len(l.Documents) == 1 {
				return l.Documents[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no document for the object put in the inbox after %v (%d %s)", limit, code, body)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
