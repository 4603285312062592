package station

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeSohoa answers uploads as sohoa does: it reads the multipart field "file" as a stream and
// answers a document with the SHA-256 of what it read, unless answer says otherwise.
func fakeSohoa(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, name, sha string) bool) (*httptest.Server, *[]http.Header) {
	t.Helper()
	var headers []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		headers = append(headers, r.Header.Clone())
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		part, err := mr.NextPart()
		if err != nil || part.FormName() != "file" {
			http.Error(w, "no file", 400)
			return
		}
		h := sha256.New()
		io.Copy(h, part)
		sha := hex.EncodeToString(h.Sum(nil))
		if answer != nil && answer(w, r, part.FileName(), sha) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(Document{ID: "d-" + sha[:8], SHA256: sha, Status: "received", Filename: part.FileName()})
	}))
	t.Cleanup(srv.Close)
	return srv, &headers
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUploadStreamsAndChecksTheHash(t *testing.T) {
	srv, headers := fakeSohoa(t, nil)
	c := &Client{Server: srv.URL, Token: "sohoa_1_x", UserAgent: "sohoa-station/test"}
	p := writeFile(t, t.TempDir(), "Giấy khai sinh.jpg", strings.Repeat("trang quét ", 100000))
	s, err := c.Upload(context.Background(), p, filepath.Base(p))
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(strings.Repeat("trang quét ", 100000)))
	if s.SHA256 != hex.EncodeToString(want[:]) || s.Document.SHA256 != s.SHA256 || !s.Created || s.Size != int64(len("trang quét "))*100000 {
		t.Errorf("sent %+v", s)
	}
	if s.Document.Filename != "Giấy khai sinh.jpg" {
		t.Errorf("name on the server %q", s.Document.Filename)
	}
	h := (*headers)[0]
	if h.Get("Authorization") != "Bearer sohoa_1_x" || h.Get("User-Agent") != "sohoa-station/test" || h.Get("Origin") != "" {
		t.Errorf("headers %v", h)
	}
}

func TestUploadAnswers(t *testing.T) {
	p := writeFile(t, t.TempDir(), "a.jpg", "bytes")
	for _, tc := range []struct {
		name      string
		status    int
		header    string
		body      string
		refused   bool
		operator  bool
		retryWait time.Duration
	}{
		{"unsupported", 415, "", `{"error":"Định dạng tệp không được hỗ trợ.","code":"unsupported_type"}`, true, false, 0},
		{"too large", 413, "", `{"error":"Tệp quá lớn.","code":"too_large"}`, true, false, 0},
		{"elsewhere", 409, "", `{"error":"Tệp này đã có.","code":"duplicate_elsewhere"}`, true, false, 0},
		{"busy", 503, "7", `{"error":"Máy chủ đang nhận nhiều tệp.","code":"too_many_uploads"}`, false, false, 7 * time.Second},
		{"slow", 408, "", `{"error":"Chậm.","code":"upload_too_slow"}`, false, false, 0},
		{"revoked", 401, "", `{"error":"Chưa đăng nhập.","code":"unauthorized"}`, false, true, 0},
		{"wrong role", 403, "", `{"error":"Không được phép.","code":"forbidden"}`, false, true, 0},
		{"crash", 500, "", `oops`, false, false, 0},
		{"throttled", 429, "3", ``, false, false, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := fakeSohoa(t, func(w http.ResponseWriter, r *http.Request, _, _ string) bool {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
				return true
			})
			_, err := (&Client{Server: srv.URL}).Upload(context.Background(), p, "a.jpg")
			var r *Refused
			var tr *Transient
			switch {
			case tc.refused:
				if !errors.As(err, &r) || r.Status != tc.status || r.Reason == "" || r.Code == "" {
					t.Fatalf("want refused, got %v", err)
				}
			case !errors.As(err, &tr):
				t.Fatalf("want transient, got %v", err)
			case tr.Operator() != tc.operator || tr.RetryAfter != tc.retryWait:
				t.Errorf("operator %v, retry after %v: %v", tr.Operator(), tr.RetryAfter, err)
			}
		})
	}
}

func TestUploadRefusesAnotherHash(t *testing.T) {
	srv, _ := fakeSohoa(t, func(w http.ResponseWriter, r *http.Request, _, _ string) bool {
		w.WriteHeader(http.StatusOK)
		json.NewEncoder(w).Encode(Document{ID: "d1", SHA256: strings.Repeat("0", 64)})
		return true
	})
	_, err := (&Client{Server: srv.URL}).Upload(context.Background(), writeFile(t, t.TempDir(), "a.jpg", "x"), "a.jpg")
	var tr *Transient
	if !errors.As(err, &tr) || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("a different hash in the answer: %v", err)
	}
}

func TestUploadNetworkErrorIsTransient(t *testing.T) {
	srv, _ := fakeSohoa(t, nil)
	srv.Close()
	_, err := (&Client{Server: srv.URL}).Upload(context.Background(), writeFile(t, t.TempDir(), "a.jpg", "x"), "a.jpg")
	var tr *Transient
	if !errors.As(err, &tr) || tr.Status != 0 {
		t.Fatalf("server away: %v", err)
	}
}

func TestUploadIntoDossier(t *testing.T) {
	var path string
	srv, _ := fakeSohoa(t, func(w http.ResponseWriter, r *http.Request, _, sha string) bool {
		path = r.URL.Path
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(map[string]any{"component_code": "000.00.53.H26-TP000001",
			"document": Document{ID: "d1", SHA256: sha, Status: "received"}})
		return true
	})
	s, err := (&Client{Server: srv.URL, Dossier: "ho-so-1"}).Upload(context.Background(), writeFile(t, t.TempDir(), "a.jpg", "x"), "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if path != "/api/v1/dossiers/ho-so-1/documents" || s.Document.ID != "d1" || s.ComponentCode != "000.00.53.H26-TP000001" {
		t.Errorf("path %s, sent %+v", path, s)
	}
}

func TestReport(t *testing.T) {
	status := http.StatusNoContent
	var got Heartbeat
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/stations/report" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(status)
	}))
	defer srv.Close()
	c := &Client{Server: srv.URL}
	hb := Heartbeat{Version: "1", Host: "may-quet-1", Dirs: []string{`D:\Scan`}, Waiting: 2, Sending: 1, SentToday: 30, Failed: 1, LastError: "x"}
	if err := c.Report(context.Background(), hb); err != nil || got.SentToday != 30 || got.Dirs[0] != `D:\Scan` {
		t.Fatalf("report: %v, server got %+v", err, got)
	}
	for _, s := range []int{404, 405} {
		status = s
		if err := c.Report(context.Background(), hb); !errors.Is(err, ErrServerTooOld) {
			t.Errorf("%d: %v", s, err)
		}
	}
	status = 500
	if err := c.Report(context.Background(), hb); err == nil || errors.Is(err, ErrServerTooOld) {
		t.Errorf("500: %v", err)
	}
}
