package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/minio/minio-go/v7"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/internal/testenv/netns"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/workers/queue"
)

// The tests here take away what sohoa depends on while documents are in flight, as outages do, and
// check that every document still ends done by itself: no document fails for an outage shorter than
// the retry budget, none waits for the reconciler (its idle time is set beyond the test), no page is
// read more than twice, and nothing already archived is touched.

// noReconciler keeps the reconciler out of a test: whatever a test sees done was brought there by the
// handlers' own waiting and retries.
var noReconciler = []string{"SOHOA_RECONCILE_IDLE", "1h", "SOHOA_RECONCILE_INTERVAL", "1h"}

// TestEachDocumentIsServedItsOwnFile runs documents through a database made afresh (a restore, a
// reinstall) against an archive that already holds signed files under the codes it will give again.
func TestEachDocumentIsServedItsOwnFile(t *testing.T) {
	svc := newServices(t)
	names := []string{"khai-sinh.png", "dkdn.jpg", "ke-hoach.pdf"}
	first := startSystemOn(t, svc)
	before := map[string]api.Document{}
	for _, d := range sendAll(t, first, names) {
		before[d.Code] = d
	}
	first.stop()
	archived := archiveVersions(t, first)
	if len(archived) != len(names) {
		t.Fatalf("the first database archived %d files, want %d", len(archived), len(names))
	}

	svc.db = testenv.Postgres(t) // the same MinIO and Redis, a new database
	second := startSystemOn(t, svc)
	for _, d := range sendAll(t, second, names) {
		if _, ok := before[d.Code]; !ok {
			t.Errorf("%s got code %s, which the first database did not give: the test meets no collision", d.Filename, d.Code)
		}
		_, file := second.get(t, "/api/v1/documents/"+d.ID+"/file")
		if own := unsignedPDF(t, second, d.ID); !bytes.HasPrefix(file, own) {
			t.Errorf("%s (%s) was served a file that is not a signature over its own PDF", d.Filename, d.ID)
		}
		if old := unsignedPDF(t, second, before[d.Code].ID); bytes.HasPrefix(file, old) {
			t.Errorf("%s was served the file of the earlier document %s", d.Filename, before[d.Code].ID)
		}
		if report := verification(t, second, d.ID); !report.Valid {
			t.Errorf("%s: its own file does not verify: %+v", d.Filename, report)
		}
	}
	after := archiveVersions(t, second)
	for key, etag := range archived {
		if after[key] != etag {
			t.Errorf("archived %s changed: etag %q, now %q", key, etag, after[key])
		}
	}
	if len(after) != 2*len(names) {
		t.Errorf("the archive holds %d versions, want %d", len(after), 2*len(names))
	}
}

// TestOutagesAreWaitedOut stops MinIO for 90 s while documents are being read, cuts PostgreSQL's
// connections for 60 s, and takes the TSA away for 60 s while documents are being signed.
func TestOutagesAreWaitedOut(t *testing.T) {
	t.Run("minio", func(t *testing.T) {
		svc := newServices(t)
		sys := startSystemOn(t, svc, noReconciler...)
		ids := sendWhile(t, sys, "ocr", func() {
			svc.minio.Stop()
			time.Sleep(90 * time.Second)
			svc.minio.Start()
		})
		back := time.Now()
		allDone(t, sys, ids)
		t.Logf("every document done %.1f s after the outage ended", time.Since(back).Seconds())
	})
	t.Run("postgres", func(t *testing.T) {
		svc := newServices(t)
		sys := startSystemOn(t, svc, noReconciler...)
		ids := sendWhile(t, sys, "ocr", func() {
			restore := testenv.CutPostgres(t, svc.db)
			time.Sleep(60 * time.Second)
			restore()
		})
		back := time.Now()
		allDone(t, sys, ids)
		t.Logf("every document done %.1f s after the outage ended", time.Since(back).Seconds())
	})
	t.Run("tsa", func(t *testing.T) {
		svc := newServices(t)
		svc.tsaDown = new(atomic.Bool)
		sys := startSystemOn(t, svc, noReconciler...)
		svc.tsaDown.Store(true)
		ids := sendWhile(t, sys, "sign", func() {
			time.Sleep(60 * time.Second)
			svc.tsaDown.Store(false)
		})
		back := time.Now()
		allDone(t, sys, ids)
		t.Logf("every document done %.1f s after the outage ended", time.Since(back).Seconds())
	})
}

// TestTwoDeploymentsShareRedis runs two deployments on one Redis database: each serves its own
// queues, so neither takes, drops or delays the other's tasks.
func TestTwoDeploymentsShareRedis(t *testing.T) {
	a := newServices(t)
	b := newServices(t)
	b.redisAddr, b.redisDB = a.redisAddr, a.redisDB
	sysA := startSystemOn(t, a, append([]string{"SOHOA_S3_BUCKET_PREFIX", "tinh-a-"}, noReconciler...)...)
	sysB := startSystemOn(t, b, append([]string{"SOHOA_S3_BUCKET_PREFIX", "tinh-b-"}, noReconciler...)...)
	names := []string{"khai-sinh.png", "ke-hoach.tiff", "dkdn.jpg"}
	var ids [2][]string
	for i, s := range []system{sysA, sysB} { // both in flight at once
		for _, n := range names {
			ids[i] = append(ids[i], sendOne(t, s, n, sample(t, n)))
		}
	}
	for i, s := range []system{sysA, sysB} {
		if docs := allDone(t, s, ids[i]); len(docs) != len(names) {
			t.Errorf("deployment %d finished %d of %d documents", i, len(docs), len(names))
		}
	}
	for name, s := range map[string]system{"a": sysA, "b": sysB} {
		log := readLog(t, s)
		for _, bad := range []string{"dropping a stale task", "refusing a task", "re-enqueued a lost task"} {
			if strings.Contains(log, bad) {
				t.Errorf("deployment %s logged %q: it met the other's tasks", name, bad)
			}
		}
	}
}

// TestForeignTasksAreRefusedLoudly gives one deployment name to two databases: the second warns at
// start, and a task for a document its database does not know is refused and kept by Asynq, never
// dropped without a trace.
func TestForeignTasksAreRefusedLoudly(t *testing.T) {
	svc := newServices(t)
	first := startSystemOn(t, svc)
	first.stop()
	svc.db = testenv.Postgres(t)
	second := startSystemOn(t, svc)
	if log := readLog(t, second); !strings.Contains(log, "these queues were another database's") {
		t.Error("no warning at start about queues that belonged to another database")
	}
	opt := asynq.RedisClientOpt{Addr: svc.redisAddr, DB: svc.redisDB}
	q := queue.New(opt, "e2e", 3)
	defer q.Close()
	foreign := pipeline.Payload{DocumentID: "7f000000-0000-4000-8000-000000000001", Run: 1}
	if _, err := q.Enqueue(context.Background(), pipeline.Code, foreign); err != nil {
		t.Fatal(err)
	}
	inspector := asynq.NewInspector(opt)
	defer inspector.Close()
	deadline := time.Now().Add(time.Minute)
	for {
		info, err := inspector.GetTaskInfo(q.Names().Fast, pipeline.TaskID(pipeline.Code, foreign))
		if err == nil && info.State == asynq.TaskStateArchived {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the foreign task is not archived after a minute: %+v, %v", info, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(readLog(t, second), "refusing a task for a document this database does not know") {
		t.Error("the foreign task was not refused with an error in the log")
	}
}

// TestKilledWorkerIsTakenOver kills a sohoa process with SIGKILL while it reads a 10-page document
// and starts it again: the pages it was reading are taken over by the new process through the
// database's record of who was reading them. Each round times a 10-page document undisturbed, then
// another one killed mid-page; the medians and their ratio are logged for the closing note
// (`scripts/faults` runs several rounds: SOHOA_FAULT_ROUNDS).
func TestKilledWorkerIsTakenOver(t *testing.T) {
	bin := buildSohoa(t)
	svc := newServices(t)
	env := systemEnv(t, svc, noReconciler...)
	rounds := 1
	if n, err := strconv.Atoi(os.Getenv("SOHOA_FAULT_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	p := startProcess(t, bin, env, "all")
	var undisturbed, killed []float64
	for round := range rounds {
		ten := tenPages(t, round)
		start := time.Now()
		d := p.sys.wait(t, sendOne(t, p.sys, "ten-pages.pdf", ten[0]), 5*time.Minute)
		undisturbed = append(undisturbed, time.Since(start).Seconds())
		if d.Status != "done" {
			t.Fatalf("undisturbed: %s: %s", d.Status, d.Error)
		}

		start = time.Now()
		id := sendOne(t, p.sys, "ten-pages-2.pdf", ten[1])
		for !pageBeingRead(t, p.sys, id) {
			time.Sleep(20 * time.Millisecond)
		}
		before := p.output()
		p.kill()
		p = startProcess(t, bin, env, "all")
		d = p.sys.wait(t, id, 5*time.Minute)
		killed = append(killed, time.Since(start).Seconds())
		if d.Status != "done" {
			t.Fatalf("after the kill: %s at %s: %s", d.Status, d.Stage, d.Error)
		}
		if !strings.Contains(p.output(), "took over the work of a dead worker") {
			t.Error("the restarted process did not take over the killed one's pages")
		}
		for page, n := range pageReads(before + p.output())[id] {
			if n > 2 {
				t.Errorf("page %d was read %d times", page, n)
			}
		}
	}
	u, k := median(undisturbed), median(killed)
	t.Logf("10 pages, median of %d rounds: undisturbed %.1f s, killed mid-page and restarted %.1f s (%+.1f s, ratio %.2f)",
		rounds, u, k, k-u, k/u)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// TestWorkerWaitsForMinIO starts sohoa while MinIO is down: it waits, saying for what, and serves
// once MinIO is up.
func TestWorkerWaitsForMinIO(t *testing.T) {
	bin := buildSohoa(t)
	svc := newServices(t)
	env := systemEnv(t, svc)
	svc.minio.Stop()
	p := startProcessNoWait(t, bin, env, "all")
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(p.output(), "waiting for a service") || !strings.Contains(p.output(), "service=s3") {
		if p.exited() || time.Now().After(deadline) {
			t.Fatalf("sohoa did not wait for MinIO (exited %v):\n%s", p.exited(), tail(p.output(), 20))
		}
		time.Sleep(100 * time.Millisecond)
	}
	svc.minio.Start()
	p.waitReady(t)
	d := p.sys.wait(t, sendOne(t, p.sys, "khai-sinh.png", sample(t, "khai-sinh.png")), 3*time.Minute)
	if d.Status != "done" {
		t.Errorf("after MinIO came up: %s: %s", d.Status, d.Error)
	}
}

// sendAll uploads the named samples and waits for each to end done.
func sendAll(t testing.TB, sys system, names []string) []api.Document {
	t.Helper()
	var ids []string
	for _, n := range names {
		ids = append(ids, sendOne(t, sys, n, sample(t, n)))
	}
	return allDone(t, sys, ids)
}

// sendWhile uploads the samples, waits until one of them is at stage, and runs outage meanwhile; it
// returns when the outage is over.
func sendWhile(t testing.TB, sys system, stage string, outage func()) []string {
	t.Helper()
	var ids []string
	for _, n := range []string{"ke-hoach.tiff", "khai-sinh.png", "xay-dung-skewed.jpg", "dkdn.jpg"} {
		ids = append(ids, sendOne(t, sys, n, sample(t, n)))
	}
	deadline := time.Now().Add(3 * time.Minute)
	for at := false; !at; {
		for _, id := range ids {
			at = at || sys.document(t, id).Stage == stage
		}
		if time.Now().After(deadline) {
			t.Fatalf("no document reached %s", stage)
		}
		time.Sleep(50 * time.Millisecond)
	}
	outage()
	return ids
}

func allDone(t testing.TB, sys system, ids []string) []api.Document {
	t.Helper()
	var docs []api.Document
	for _, id := range ids {
		d := sys.wait(t, id, 10*time.Minute)
		if d.Status != "done" {
			t.Errorf("%s: %s at %s: %s (%s)", d.Filename, d.Status, d.Stage, d.Error, d.ErrorCode)
			continue
		}
		docs = append(docs, d)
	}
	for id, pages := range pageReads(readLog(t, sys)) {
		for page, n := range pages {
			if n > 2 {
				t.Errorf("page %d of %s was read %d times", page, id, n)
			}
		}
	}
	return docs
}

func sendOne(t testing.TB, sys system, name string, data []byte) string {
	t.Helper()
	code, body := sys.upload(t, name, data)
	if code != http.StatusCreated {
		t.Fatalf("upload %s: %d %s", name, code, body)
	}
	return decode[api.Document](t, body).ID
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// tenPages makes two different 10-page scanner PDFs from the 2-page sample, different in each
// round (the same bytes would be one document).
func tenPages(t testing.TB, round int) [2][]byte {
	t.Helper()
	src := filepath.Join(testenv.Samples(t), "scans", "ke-hoach.pdf")
	var out [2][]byte
	for i, order := range []string{"1,2", "2,1"} {
		file := filepath.Join(t.TempDir(), "ten.pdf")
		args := []string{"--empty", "--pages"}
		for j := range 5 {
			args = append(args, src, order)
			if j == round%5 { // a third page here makes each round's files its own
				args = append(args, src, "1")
			}
		}
		testenv.Run(t, "qpdf", append(args, "--", file)...)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = data
	}
	return out
}

// pageBeingRead reports whether a page of the document has started and not finished its reading.
func pageBeingRead(t testing.TB, sys system, id string) bool {
	t.Helper()
	code, body := sys.get(t, "/api/v1/documents/"+id+"/pages")
	if code != http.StatusOK {
		return false
	}
	for _, p := range decode[[]api.Page](t, body) {
		if p.OCRStartedAt != nil && p.OCRFinishedAt == nil {
			return true
		}
	}
	return false
}

var pageReadLine = regexp.MustCompile(`msg="page read" document=(\S+) run=\d+ page=(\d+) .*error=<nil>`)

// pageReads counts, per document and page, the recognitions a log records (results reused from the
// store are not readings).
func pageReads(log string) map[string]map[int]int {
	out := map[string]map[int]int{}
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	reused := map[string]bool{}
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "its result is reused") {
			if m := regexp.MustCompile(`document=(\S+) run=\d+ page=(\d+)`).FindStringSubmatch(line); m != nil {
				reused[m[1]+":"+m[2]] = true
			}
			continue
		}
		m := pageReadLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if reused[m[1]+":"+m[2]] {
			delete(reused, m[1]+":"+m[2])
			continue
		}
		if out[m[1]] == nil {
			out[m[1]] = map[int]int{}
		}
		var n int
		fmt.Sscan(m[2], &n)
		out[m[1]][n]++
	}
	return out
}

// unsignedPDF is the archive PDF of document id before it was signed, from the work bucket.
func unsignedPDF(t testing.TB, sys system, id string) []byte {
	t.Helper()
	bucket := strings.TrimSuffix(sys.inbox, "inbox") + "work"
	obj, err := sys.s3.GetObject(context.Background(), bucket, "pdf/"+id+".pdf", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(obj); err != nil {
		t.Fatalf("unsigned PDF of %s: %v", id, err)
	}
	return b.Bytes()
}

func readLog(t testing.TB, sys system) string {
	t.Helper()
	b, err := os.ReadFile(sys.log)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// archiveVersions lists every version in the system's archive bucket with its ETag.
func archiveVersions(t testing.TB, sys system) map[string]string {
	t.Helper()
	out := map[string]string{}
	bucket := strings.TrimSuffix(sys.inbox, "inbox") + "archive"
	for o := range sys.s3.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		out[o.Key+"@"+o.VersionID] = o.ETag
	}
	return out
}

func verification(t testing.TB, sys system, id string) struct{ Valid bool } {
	t.Helper()
	code, body := sys.get(t, "/api/v1/documents/"+id+"/verification")
	if code != http.StatusOK {
		t.Fatalf("verification of %s: %d %s", id, code, body)
	}
	return decode[struct{ Valid bool }](t, body)
}

// gate puts a switch in front of the TSA at target: while down is true it answers 503, as a TSA
// being restarted behind its load balancer does.
func gate(t testing.TB, target string, down *atomic.Bool) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "TSA restarting", http.StatusServiceUnavailable)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// process is a sohoa binary run by a test.
type process struct {
	bin  string // the sohoa binary
	cmd  *exec.Cmd
	out  *testenv.Buffer
	done chan struct{}
	sys  system
}

// startProcess runs `sohoa cmd` with env and waits until it is ready.
func startProcess(t testing.TB, bin string, env map[string]string, cmd string) *process {
	t.Helper()
	p := startProcessNoWait(t, bin, env, cmd)
	p.waitReady(t)
	return p
}

// waitReady waits until the process answers /readyz, then gives its requests an admin's token,
// made with the binary's own commands as an administrator would.
func (p *process) waitReady(t testing.TB) {
	t.Helper()
	p.sys.waitReady(t)
	if !strings.Contains(p.run(t, "users", "list"), "e2e-admin ") {
		p.run(t, "users", "add", "e2e-admin", "--role", "admin")
	}
	out := strings.TrimSpace(p.run(t, "tokens", "add", "e2e-admin"))
	p.sys.token = out[strings.LastIndex(out, "\n")+1:]
}

// run runs `sohoa args…` with the process's environment and returns its standard output.
func (p *process) run(t testing.TB, args ...string) string {
	t.Helper()
	c := exec.Command(p.bin, args...)
	c.Env = p.cmd.Env
	var errOut bytes.Buffer
	c.Stderr = &errOut
	out, err := c.Output()
	if err != nil {
		t.Fatalf("sohoa %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut.String())
	}
	return string(out)
}

func startProcessNoWait(t testing.TB, bin string, env map[string]string, cmd string) *process {
	t.Helper()
	return startProcessOn(t, nil, bin, env, cmd)
}

// startProcessOn runs `sohoa cmd` on a test host (nil: this machine) with env, and does not wait.
func startProcessOn(t testing.TB, host *netns.Host, bin string, env map[string]string, cmd string) *process {
	t.Helper()
	c := exec.Command(bin, cmd)
	if host != nil {
		c = host.Command(bin, cmd)
	}
	for k, v := range env {
		c.Env = append(c.Env, k+"="+v)
	}
	c.Env = append(c.Env, "PATH="+os.Getenv("PATH"), "HOME="+os.Getenv("HOME"))
	p := &process{bin: bin, cmd: c, out: &testenv.Buffer{}, done: make(chan struct{})}
	c.Stdout, c.Stderr = p.out, p.out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.Wait(); close(p.done) }()
	t.Cleanup(func() {
		c.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(40 * time.Second):
			c.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("sohoa %s output:\n%s", cmd, tail(p.output(), 60))
		}
	})
	p.sys = connect(t, configOf(t, env))
	p.sys.log = ""
	return p
}

func (p *process) kill() {
	p.cmd.Process.Kill()
	<-p.done
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *process) output() string { return p.out.String() }

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
)

// buildSohoa builds the sohoa binary once per test run, for tests that must kill or start a real
// process.
func buildSohoa(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sohoa-bin-")
		if err != nil {
			buildErr = err
			return
		}
		buildPath = filepath.Join(dir, "sohoa")
		out, err := exec.Command("go", "build", "-o", buildPath, filepath.Join(testenv.RepoRoot(t), "cmd", "sohoa")).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}
