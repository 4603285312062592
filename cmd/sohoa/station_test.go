package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/station"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// The tests here drive the real sohoa-station binary, built with CGO_ENABLED=0, against a real
// sohoa on real MinIO, Redis and PostgreSQL. They wait for outcomes with generous limits and
// never assert a time.

// TestStationTakesAFileOnceItIsWhole writes a scan in 5 chunks over 6 s, closing the file between
// chunks (so only the stable time, not the open-for-writing check, holds it back): it is uploaded
// once, whole.
func TestStationTakesAFileOnceItIsWhole(t *testing.T) {
	sys := startSystem(t)
	dir := t.TempDir()
	st := startStation(t, sys.base, stationToken(t, sys), dir) // the defaults: -stable 5s -poll 2s
	data := sample(t, "dkdn.jpg")
	file := filepath.Join(dir, "dkdn.jpg")
	chunk := len(data)/5 + 1
	for i := 0; i < len(data); i += chunk {
		f, err := os.OpenFile(file, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data[i:min(i+chunk, len(data))])
		f.Close()
		if i+chunk < len(data) {
			time.Sleep(1500 * time.Millisecond)
		}
	}
	r := waitReceipts(t, st, 1)[0]
	if r.SHA256 != hexSHA(data) || r.Size != int64(len(data)) {
		t.Errorf("receipt sha256 %s size %d; the finished file's is %s, %d", r.SHA256, r.Size, hexSHA(data), len(data))
	}
	if got, _ := os.ReadFile(filepath.Join(dir, station.DoneDir, r.UploadedAt.Local().Format("2006-01-02"), "dkdn.jpg")); !bytes.Equal(got, data) {
		t.Error("done/ does not hold the finished file")
	}
	docs := stationDocuments(t, sys)
	if len(docs) != 1 || docs[0].SHA256 != hexSHA(data) || docs[0].ID != r.DocumentID {
		t.Errorf("the server holds %d documents (%+v); want the one of the whole file", len(docs), docs)
	}
	if n := strings.Count(st.output(), `msg="file sent"`); n != 1 {
		t.Errorf("%d uploads, want 1", n)
	}
}

// TestStationSendsThirtyFilesDroppedAtOnce moves 30 scans into the folder at once: each reaches
// done/ exactly once, as one document with one receipt.
func TestStationSendsThirtyFilesDroppedAtOnce(t *testing.T) {
	sys := startSystem(t)
	dir := t.TempDir()
	st := startStation(t, sys.base, stationToken(t, sys), dir, "-stable", "2s", "-poll", "1s")
	want := dropPages(t, dir, "trang", 0, 30)
	receipts := waitReceipts(t, st, 30)
	ids := map[string]bool{}
	for _, r := range receipts {
		if r.SHA256 != want[r.File] {
			t.Errorf("%s: receipt sha256 %s, file's %s", r.File, r.SHA256, want[r.File])
		}
		ids[r.DocumentID] = true
	}
	docs := stationDocuments(t, sys)
	if len(ids) != 30 || len(docs) != 30 {
		t.Errorf("%d receipts naming %d documents; the server holds %d; want 30 of each", len(receipts), len(ids), len(docs))
	}
	if n := strings.Count(st.output(), `msg="file sent"`); n != 30 {
		t.Errorf("%d uploads, want 30", n)
	}
	if left, _ := station.List(dir); len(left) != 0 {
		t.Errorf("left in the folder: %v", left)
	}
	s := st.status(t)
	if f := s.Folders[0]; f.SentToday != 30 || len(f.Waiting) != 0 || f.Failed != 0 || s.LastAnswer.IsZero() {
		t.Errorf("status %+v", s)
	}
}

// TestStationWaitsOutTheServer stops sohoa for 60 s while 5 files are dropped: they stay where they
// are, and all 5 are uploaded once sohoa is back.
func TestStationWaitsOutTheServer(t *testing.T) {
	svc := newServices(t)
	sys := startSystemOn(t, svc)
	dir := t.TempDir()
	st := startStation(t, sys.base, stationToken(t, sys), dir, "-stable", "1s", "-poll", "500ms")
	sys.stop()
	want := dropPages(t, dir, "mat-mang", 100, 5)
	time.Sleep(60 * time.Second)
	left, _ := station.List(dir)
	if len(left) != 5 || len(receiptsIn(t, dir)) != 0 {
		t.Fatalf("with sohoa away: %d files in the folder, %d receipts; want 5 and 0", len(left), len(receiptsIn(t, dir)))
	}
	if _, err := os.Stat(filepath.Join(dir, station.FailDir)); err == nil {
		t.Error("a file went to failed/ for an outage")
	}
	back := startSystemOn(t, svc)
	receipts := waitReceipts(t, st, 5)
	for _, r := range receipts {
		if r.SHA256 != want[r.File] {
			t.Errorf("%s: receipt sha256 %s, file's %s", r.File, r.SHA256, want[r.File])
		}
	}
	if docs := stationDocuments(t, back); len(docs) != 5 {
		t.Errorf("the server holds %d documents, want 5", len(docs))
	}
	if !strings.Contains(st.output(), "tried again") {
		t.Error("the station did not log the outage")
	}
}

// TestStationKilledMidUploadFinishesOnce sends a 3 MB scan through a proxy that slows request
// bodies to about 320 KB/s, kills the station with SIGKILL once a third of it has gone through, and
// starts it again: the file is sent again and ends as one document with one receipt.
func TestStationKilledMidUploadFinishesOnce(t *testing.T) {
	sys := startSystem(t)
	slow := new(atomic.Bool)
	slow.Store(true)
	passed := new(atomic.Int64)
	proxy := slowProxy(t, sys.base, slow, passed)
	dir := t.TempDir()
	token := stationToken(t, sys)
	flags := []string{"-stable", "1s", "-poll", "500ms"}
	st := startStation(t, proxy, token, dir, flags...)
	data := sample(t, "ke-hoach.tiff")
	if err := os.WriteFile(filepath.Join(dir, "ke-hoach.tiff"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for passed.Load() < int64(len(data))/3 {
		if time.Now().After(deadline) || st.exited() {
			t.Fatalf("the upload did not get a third of the way:\n%s", tail(st.output(), 30))
		}
		time.Sleep(20 * time.Millisecond)
	}
	st.kill()
	if passed.Load() >= int64(len(data)) || strings.Contains(st.output(), `msg="file sent"`) {
		t.Fatal("the upload ended before the kill: the test killed nothing mid-way")
	}
	if _, err := os.Stat(filepath.Join(dir, "ke-hoach.tiff")); err != nil {
		t.Fatalf("the killed station's file: %v", err)
	}
	slow.Store(false)
	again := startStation(t, proxy, token, dir, flags...)
	r := waitReceipts(t, again, 1)[0]
	if r.SHA256 != hexSHA(data) {
		t.Errorf("receipt sha256 %s, want %s", r.SHA256, hexSHA(data))
	}
	if docs := stationDocuments(t, sys); len(docs) != 1 || docs[0].ID != r.DocumentID {
		t.Errorf("the server holds %+v; want one document, the receipt's", docs)
	}
	if !strings.Contains(again.output(), "was being sent at the last stop") {
		t.Error("the restarted station did not say it sends the interrupted file again")
	}
	if n := strings.Count(again.output(), `msg="file sent"`); n != 1 {
		t.Errorf("%d uploads after the restart, want 1", n)
	}
}

// TestStationFilesARefusedFileWithItsReason drops an HTML page named .jpg among scans: it lands in
// failed/ with a readable Vietnamese reason; the others go on.
func TestStationFilesARefusedFileWithItsReason(t *testing.T) {
	sys := startSystem(t)
	dir := t.TempDir()
	st := startStation(t, sys.base, stationToken(t, sys), dir, "-stable", "1s", "-poll", "500ms")
	os.WriteFile(filepath.Join(dir, "trang-web.jpg"), []byte("<!DOCTYPE html><html><body>Không phải ảnh quét</body></html>\n"), 0o644)
	dropPages(t, dir, "tot", 200, 2)
	waitReceipts(t, st, 2)
	reasonFile := filepath.Join(dir, station.FailDir, "trang-web.jpg.txt")
	deadline := time.Now().Add(time.Minute)
	for !exists(reasonFile) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	reason, err := os.ReadFile(reasonFile)
	if err != nil || !exists(filepath.Join(dir, station.FailDir, "trang-web.jpg")) {
		t.Fatalf("refused file not in failed/ with its reason: %v\n%s", err, tail(st.output(), 20))
	}
	if !utf8.Valid(reason) || !norm.NFC.IsNormal(reason) || !strings.Contains(string(reason), "unsupported_type") ||
		!strings.Contains(string(reason), "từ chối") {
		t.Errorf("reason file:\n%s", reason)
	}
	t.Logf("failed/trang-web.jpg.txt:\n%s", reason)
	if s := st.statusText(t); !strings.Contains(s, "Bị từ chối:          1") || !strings.Contains(s, "Đã gửi hôm nay:      2") {
		t.Errorf("status:\n%s", s)
	}
}

// TestStationFindsFilesByPollingAlone runs the station with file system events off: polling finds
// the file by itself.
func TestStationFindsFilesByPollingAlone(t *testing.T) {
	sys := startSystem(t)
	dir := t.TempDir()
	st := startStation(t, sys.base, stationToken(t, sys), dir, "-fsnotify=false", "-stable", "1s", "-poll", "1s")
	want := dropPages(t, dir, "chi-poll", 300, 1)
	if r := waitReceipts(t, st, 1)[0]; r.SHA256 != want[r.File] {
		t.Errorf("receipt %+v", r)
	}
	if !strings.Contains(st.output(), "file system events off") {
		t.Error("the station did not say it polls only")
	}
}

// TestStationUploadsIntoADossierAndReportsItself runs a station with -dossier: its file becomes a
// paper of that dossier (the receipt carries the component code), and the admin's station list shows
// what the station reported of itself.
func TestStationUploadsIntoADossierAndReportsItself(t *testing.T) {
	sys := startSystem(t)
	dossier := sys.createDossier(t, "001090000001")
	dir := t.TempDir()
	st := startStation(t, sys.base, stationToken(t, sys), dir, "-dossier", dossier.ID, "-stable", "1s", "-report", "1s")
	dropPages(t, dir, "giay", 0, 1)
	r := waitReceipts(t, st, 1)[0]
	if r.ComponentCode == "" || r.Dossier == "" {
		t.Errorf("the receipt names no dossier or component code: %+v", r)
	}
	_, body := sys.get(t, "/api/v1/dossiers/"+dossier.ID)
	if got := decode[api.DossierJSON](t, body); len(got.Documents) != 1 || got.Documents[0].Document.ID != r.DocumentID {
		t.Errorf("the dossier holds %+v, want the station's paper %s", got.Documents, r.DocumentID)
	}

	deadline := time.Now().Add(time.Minute)
	for {
		_, body := sys.get(t, "/api/v1/stations")
		list := decode[struct{ Stations []api.StationJSON }](t, body).Stations
		if len(list) == 1 && list[0].Reported != nil && list[0].SentToday == 1 {
			if s := list[0]; s.Name != "may-quet-1" || s.Host == "" || len(s.Dirs) != 1 || s.LastUsed == nil || s.Version == "" {
				t.Errorf("the station as the admin sees it: %+v", s)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no report of one file sent after a minute: %+v", list)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stationToken makes the account may-quet-1 of role station in the system's agency, with the
// commands an administrator runs, and returns a token of it.
func stationToken(t testing.TB, sys system) string {
	t.Helper()
	return sys.newToken(t, "may-quet-1", "station", sys.app.cfg.Agency)
}

// stationDocuments lists every document the server holds (as the admin sees them).
func stationDocuments(t testing.TB, sys system) []api.Document {
	t.Helper()
	code, body := sys.get(t, "/api/v1/documents?limit=200")
	if code != http.StatusOK {
		t.Fatalf("list documents: %d %s", code, body)
	}
	return decode[api.DocumentList](t, body).Documents
}

// pageJPEG is a one-page scan of its own: a white page with bars of text-like noise placed by n.
func pageJPEG(t testing.TB, n int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 850, 1100))
	for i := range img.Pix {
		img.Pix[i] = 250
	}
	for line := range 20 {
		y := 100 + line*45 + n%7
		for x := 80; x < 770-(n*13+line*31)%300; x++ {
			for dy := range 14 {
				if (x*7+dy*3+n)%5 != 0 {
					img.SetGray(x, y+dy, color.Gray{Y: 20})
				}
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// dropPages writes count scans named prefix-NN.jpg elsewhere and moves them all into dir at once;
// it returns each name's SHA-256.
func dropPages(t testing.TB, dir, prefix string, first, count int) map[string]string {
	t.Helper()
	return dropFiles(t, dir, prefix, count, func(i int) []byte { return pageJPEG(t, first+i) })
}

// dropFiles writes count files made by gen, named prefix-NN.jpg, elsewhere and moves them all into
// dir at once; it returns each name's SHA-256.
func dropFiles(t testing.TB, dir, prefix string, count int, gen func(i int) []byte) map[string]string {
	t.Helper()
	staging := filepath.Join(dir, "..", filepath.Base(dir)+"-staging")
	if err := os.MkdirAll(staging, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(staging) })
	sums := map[string]string{}
	for i := range count {
		data := gen(i)
		name := fmt.Sprintf("%s-%02d.jpg", prefix, i+1)
		if err := os.WriteFile(filepath.Join(staging, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		sums[name] = hexSHA(data)
	}
	for name := range sums {
		if err := os.Rename(filepath.Join(staging, name), filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return sums
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// receiptsIn reads every receipt under dir/done.
func receiptsIn(t testing.TB, dir string) []station.Receipt {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, station.DoneDir, "*", "*.json"))
	var out []station.Receipt
	for _, f := range files {
		if r, err := station.ReadReceipt(f); err == nil && r.DocumentID != "" {
			out = append(out, r)
		}
	}
	return out
}

// waitReceipts waits until the station's folder holds n receipts (failing after 5 minutes) and
// returns them; more than n fails the test.
func waitReceipts(t testing.TB, st *stationProcess, n int) []station.Receipt {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		rs := receiptsIn(t, st.dir)
		if len(rs) > n {
			t.Fatalf("%d receipts, want %d", len(rs), n)
		}
		if len(rs) == n {
			return rs
		}
		if time.Now().After(deadline) || st.exited() {
			t.Fatalf("%d receipts of %d after 5 minutes (station exited: %v):\n%s", len(rs), n, st.exited(), tail(st.output(), 40))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// slowProxy forwards to target, and while slow is set lets request bodies through at about
// 320 KB/s; passed counts the body bytes forwarded.
func slowProxy(t testing.TB, target string, slow *atomic.Bool, passed *atomic.Int64) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = &throttled{ReadCloser: r.Body, slow: slow, passed: passed}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

type throttled struct {
	io.ReadCloser
	slow   *atomic.Bool
	passed *atomic.Int64
}

func (r *throttled) Read(p []byte) (int, error) {
	if r.slow.Load() {
		p = p[:min(len(p), 16<<10)]
		time.Sleep(50 * time.Millisecond)
	}
	n, err := r.ReadCloser.Read(p)
	r.passed.Add(int64(n))
	return n, err
}

// stationProcess is a sohoa-station binary run by a test, on the folder dir.
type stationProcess struct {
	*process
	dir string
}

// startStation runs `sohoa-station run` on dir against server with token (given as the variable
// SOHOA_STATION_TOKEN, as a service is configured) and the flags, and waits until it watches.
func startStation(t testing.TB, server, token, dir string, flags ...string) *stationProcess {
	t.Helper()
	c := exec.Command(buildStation(t), append([]string{"run", "-server", server, "-dir", dir}, flags...)...)
	c.Env = append(os.Environ(), "SOHOA_STATION_TOKEN="+token)
	p := &stationProcess{process: &process{cmd: c, out: &testenv.Buffer{}, done: make(chan struct{})}, dir: dir}
	c.Stdout, c.Stderr = p.out, p.out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("sohoa-station output:\n%s", tail(p.output(), 60))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.output(), "station started") {
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("sohoa-station did not start:\n%s", p.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// stop ends the station as a service manager does, and waits for it.
func (p *stationProcess) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.kill()
	}
}

// status runs `sohoa-station status -json` on the station's folder.
func (p *stationProcess) status(t testing.TB) station.Status {
	t.Helper()
	var s station.Status
	if err := json.Unmarshal([]byte(p.run(t, "status", "-json", "-dir", p.dir)), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (p *stationProcess) statusText(t testing.TB) string {
	t.Helper()
	return p.run(t, "status", "-dir", p.dir)
}

func (p *stationProcess) run(t testing.TB, args ...string) string {
	t.Helper()
	c := exec.Command(p.cmd.Path, args...)
	c.Env = p.cmd.Env
	out, err := c.Output()
	if err != nil {
		t.Fatalf("sohoa-station %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// buildStation builds sohoa-station once per test run, without cgo, as it ships.
func buildStation(t testing.TB) string {
	t.Helper()
	root := testenv.RepoRoot(t)
	bin, err := stationBinary(func() (string, error) {
		dir, err := os.MkdirTemp("", "sohoa-station-bin-")
		if err != nil {
			return "", err
		}
		c := exec.Command("go", "build", "-o", filepath.Join(dir, "sohoa-station"), "./cmd/sohoa-station")
		c.Dir, c.Env = root, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := c.CombinedOutput(); err != nil {
			return "", fmt.Errorf("go build ./cmd/sohoa-station: %v\n%s", err, out)
		}
		return filepath.Join(dir, "sohoa-station"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// stationBinary runs its build once and keeps what it gave.
var stationBinary = func() func(build func() (string, error)) (string, error) {
	var once sync.Once
	var bin string
	var err error
	return func(build func() (string, error)) (string, error) {
		once.Do(func() { bin, err = build() })
		return bin, err
	}
}()

// BenchmarkStation measures files per minute through one station (its defaults but -stable 1s
// -poll 1s) with 1-page JPEG scans (the 1.2 MB dkdn.jpg, each copy made unique by a JPEG comment),
// and in the same round the same number of other copies POSTed one after another by `sohoa upload`'s
// plain HTTP loop, as the reference. The server is `sohoa serve` alone, so the pipeline does not
// compete for the cores. It reports medians over the rounds of the station's rate from the drop
// to the last receipt (which includes the stable time), its steady rate (first upload to last),
// the reference's, their ratio, and the station's peak RSS (VmHWM):
//
//	go test ./cmd/sohoa -run '^$' -bench Station -benchtime 3x
func BenchmarkStation(b *testing.B) {
	const files = 40
	svc := newServices(b)
	env := systemEnv(b, svc)
	p := startProcess(b, buildSohoa(b), env, "serve")
	p.run(b, "users", "add", "bench-station", "--role", "station", "--agency", env["SOHOA_AGENCY_ID"])
	out := strings.TrimSpace(p.run(b, "tokens", "add", "bench-station"))
	token := out[strings.LastIndex(out, "\n")+1:]
	scan := sample(b, "dkdn.jpg")
	var wall, steady, reference, rss []float64
	for round := range b.N {
		refDir := b.TempDir()
		dropFiles(b, refDir, "tham-chieu", files, func(i int) []byte { return jpegWithComment(scan, fmt.Sprintf("ref %d %d", round, i)) })
		names, _ := filepath.Glob(filepath.Join(refDir, "*.jpg"))
		start := time.Now()
		for _, n := range names {
			if _, err := send(b.Context(), p.sys.base, token, n); err != nil {
				b.Fatal(err)
			}
		}
		reference = append(reference, files/time.Since(start).Minutes())

		dir := b.TempDir()
		st := startStation(b, p.sys.base, token, dir, "-stable", "1s", "-poll", "1s")
		start = time.Now()
		dropFiles(b, dir, "trang", files, func(i int) []byte { return jpegWithComment(scan, fmt.Sprintf("station %d %d", round, i)) })
		rs := waitReceipts(b, st, files)
		wall = append(wall, files/time.Since(start).Minutes())
		slices.SortFunc(rs, func(x, y station.Receipt) int { return x.UploadedAt.Compare(y.UploadedAt) })
		steady = append(steady, (files-1)/rs[files-1].UploadedAt.Sub(rs[0].UploadedAt).Minutes())
		rss = append(rss, vmHWM(b, st.cmd.Process.Pid))
		st.stop()
	}
	b.ReportMetric(median(wall), "station-files/min")
	b.ReportMetric(median(steady), "steady-files/min")
	b.ReportMetric(median(reference), "reference-files/min")
	b.ReportMetric(median(steady)/median(reference), "x-reference")
	b.ReportMetric(median(wall)/median(reference), "x-reference-wall")
	b.ReportMetric(slices.Max(rss), "peak-RSS-MB")
}

// jpegWithComment is data with a JPEG comment segment after its start marker: the same picture,
// other bytes.
func jpegWithComment(data []byte, comment string) []byte {
	seg := []byte{0xFF, 0xFE, byte((len(comment) + 2) >> 8), byte(len(comment) + 2)}
	return slices.Concat(data[:2], seg, []byte(comment), data[2:])
}

// vmHWM is the peak resident set of process pid in MB.
func vmHWM(t testing.TB, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), &kb)
			return kb / 1024
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
