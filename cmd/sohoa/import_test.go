package main

import (
	"bytes"
	"encoding/csv"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/api"
)

// `sohoa import DIR` sends a backlog through the real API in the bulk lane: the scans become
// documents of the bulk lane, their tasks wait in the receiving agency's bulk queues in Redis, they
// are done; a file that is not a scan is reported with its reason; hidden files are left alone; and
// the same import run again sends nothing twice.
func TestImportBacklog(t *testing.T) {
	sys := startSystem(t)
	dir := t.TempDir()
	files := map[string][]byte{
		"1998/dkdn.jpg":               sample(t, "dkdn.jpg"),
		"1998/ho-so-02/khai-sinh.png": sample(t, "khai-sinh.png"),
		"2003/xay-dung.jpg":           sample(t, "xay-dung-skewed.jpg"),
		"2003/ghi-chu.jpg":            []byte("<html>không phải ảnh quét</html>"),
		".DS_Store":                   []byte("x"),
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := filepath.Join(t.TempDir(), "report.csv")
	log := slog.New(slog.DiscardHandler)
	var out bytes.Buffer
	if err := importBacklog(t.Context(), sys.base, sys.token, []string{"-wait", "10m", "-o", report, dir}, &out, log); err != nil {
		t.Fatalf("sohoa import: %v\n%s", err, out.String())
	}
	rows := readCSV(t, report)
	want := []string{"1998/dkdn.jpg", "1998/ho-so-02/khai-sinh.png", "2003/ghi-chu.jpg", "2003/xay-dung.jpg"}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[0])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("report lists %v, want %v\n%s", got, want, out.String())
	}
	for _, r := range rows[1:] {
		if r[0] == "2003/ghi-chu.jpg" {
			if r[2] != "refused" || !strings.Contains(r[4], "unsupported_type") {
				t.Errorf("the HTML file: %v; want refused with unsupported_type", r)
			}
			continue
		}
		d := sys.document(t, r[1])
		if r[2] != "done" || d.Status != "done" || d.Lane != "bulk" || r[3] == "" || r[3] != d.Code {
			t.Errorf("%s: report %v, document %s in lane %s with code %s; want done in the bulk lane, coded", r[0], r, d.Status, d.Lane, d.Code)
		}
	}
	queues, err := sys.redis.SMembers(t.Context(), "asynq:queues").Result()
	if err != nil {
		t.Fatal(err)
	}
	agency := sys.app.cfg.Agency
	for _, q := range []string{":bulk:" + agency + ":fast", ":bulk:" + agency + ":heavy"} {
		if !slices.ContainsFunc(queues, func(s string) bool { return strings.HasSuffix(s, q) }) {
			t.Errorf("no queue *%s in Redis (%v): the import's tasks did not go to the agency's bulk queues", q, queues)
		}
	}

	out.Reset()
	if err := importBacklog(t.Context(), sys.base, sys.token, []string{dir}, &out, log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "0 gửi mới, 3 đã có từ trước, 1 bị từ chối") {
		t.Errorf("the second import printed:\n%s\nwant nothing new, 3 already there, 1 refused", out.String())
	}
	var list api.DocumentList
	if code, b := sys.get(t, "/api/v1/documents?limit=100"); code == 200 {
		list = decode[api.DocumentList](t, b)
	}
	if list.Total != 3 {
		t.Errorf("%d documents after importing twice, want 3", list.Total)
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}
