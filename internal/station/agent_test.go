package station

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
)

// fakeAPI is sohoa as the agent sees it, in memory: uploads answer a document named after the
// bytes' hash unless fail says otherwise.
type fakeAPI struct {
	mu        sync.Mutex
	uploads   []string
	fail      func(name string, attempt int) error
	docs      map[string]Document
	reports   chan Heartbeat
	reportErr error
}

func (f *fakeAPI) Upload(ctx context.Context, path, name string) (Sent, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Sent{}, &Transient{Err: err}
	}
	f.mu.Lock()
	f.uploads = append(f.uploads, name)
	attempt := 0
	for _, u := range f.uploads {
		if u == name {
			attempt++
		}
	}
	fail := f.fail
	f.mu.Unlock()
	if fail != nil {
		if err := fail(name, attempt); err != nil {
			return Sent{}, err
		}
	}
	h := sha256.Sum256(b)
	sha := hex.EncodeToString(h[:])
	return Sent{Document: Document{ID: "d-" + sha[:8], SHA256: sha, Status: "received"}, Created: true, SHA256: sha, Size: int64(len(b))}, nil
}

func (f *fakeAPI) Document(ctx context.Context, id string) (Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.docs[id]
	if !ok {
		return Document{}, &Transient{Status: 404}
	}
	return d, nil
}

func (f *fakeAPI) Report(ctx context.Context, hb Heartbeat) error {
	if f.reports != nil {
		f.reports <- hb
	}
	return f.reportErr
}

func (f *fakeAPI) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.uploads)
}

type rig struct {
	t     *testing.T
	dir   string
	api   *fakeAPI
	clock *clock.Fake
	agent *Agent
	log   *bytes.Buffer
}

func newRig(t *testing.T, edit ...func(*Config)) *rig {
	t.Helper()
	r := &rig{t: t, dir: t.TempDir(), api: &fakeAPI{docs: map[string]Document{}}, clock: clock.NewFake(t0), log: &bytes.Buffer{}}
	r.start(edit...)
	return r
}

// start makes a new agent on the rig's folder, as a restart does, and replays its journal.
func (r *rig) start(edit ...func(*Config)) {
	r.t.Helper()
	cfg := Config{Server: "http://sohoa.test", Dirs: []string{r.dir}, Stable: 5 * time.Second, Poll: 2 * time.Second,
		Follow: time.Hour, Parallel: 2, Grace: time.Second}
	for _, e := range edit {
		e(&cfg)
	}
	a, err := New(cfg, r.api, r.clock, slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		r.t.Fatal(err)
	}
	r.agent = a
	if err := a.replay(context.Background(), a.folders[0]); err != nil {
		r.t.Fatal(err)
	}
}

// scan runs one scan at the clock's time and waits for the uploads it started.
func (r *rig) scan() {
	r.t.Helper()
	if _, err := r.agent.scan(context.Background(), r.agent.folders[0]); err != nil {
		r.t.Fatal(err)
	}
	r.agent.workers.Wait()
}

func (r *rig) write(name, content string) string { return writeFile(r.t, r.dir, name, content) }

func (r *rig) day() string { return filepath.Join(r.dir, DoneDir, t0.Local().Format("2006-01-02")) }

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

func TestAgentSendsStableFilesAndFilesThemAway(t *testing.T) {
	r := newRig(t)
	r.write("a.jpg", "trang 1")
	for _, n := range []string{"~a.jpg", "b.tmp", "c.part", ".d.jpg"} {
		r.write(n, "x")
	}
	os.MkdirAll(filepath.Join(r.dir, "sub"), 0o755)
	writeFile(t, filepath.Join(r.dir, "sub"), "e.jpg", "x")
	r.scan()
	if len(r.api.sent()) != 0 {
		t.Fatal("a file was sent before it had been stable for 5 s")
	}
	r.clock.Advance(5 * time.Second)
	r.scan()
	if got := r.api.sent(); !slices.Equal(got, []string{"a.jpg"}) {
		t.Fatalf("sent %v", got)
	}
	if exists(filepath.Join(r.dir, "a.jpg")) {
		t.Error("the sent file is still in the watched folder")
	}
	if b, _ := os.ReadFile(filepath.Join(r.day(), "a.jpg")); string(b) != "trang 1" {
		t.Errorf("done/ holds %q", b)
	}
	rc, err := ReadReceipt(filepath.Join(r.day(), "a.jpg.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("trang 1"))
	if rc.DocumentID != "d-"+hex.EncodeToString(sum[:])[:8] || rc.SHA256 != hex.EncodeToString(sum[:]) || rc.Size != 7 ||
		rc.Status != "received" || rc.Server != "http://sohoa.test" || !rc.UploadedAt.Equal(t0.Add(5*time.Second)) {
		t.Errorf("receipt %+v", rc)
	}
	for _, n := range []string{"~a.jpg", "b.tmp", "c.part", ".d.jpg", "sub/e.jpg"} {
		if !exists(filepath.Join(r.dir, n)) {
			t.Errorf("%s was taken", n)
		}
	}
	if es, _ := r.agent.folders[0].journal.Entries(); len(es) != 0 {
		t.Errorf("journal still holds %+v", es)
	}
	r.clock.Advance(time.Hour)
	r.scan()
	if len(r.api.sent()) != 1 {
		t.Errorf("sent %v", r.api.sent())
	}
}

func TestAgentFilesRefusedFilesWithTheReason(t *testing.T) {
	r := newRig(t)
	r.api.fail = func(name string, _ int) error {
		if name == "trang.jpg" {
			return &Refused{Status: 415, Code: "unsupported_type", Reason: "Định dạng tệp không được hỗ trợ."}
		}
		return nil
	}
	r.write("trang.jpg", "<html>")
	r.write("tot.jpg", "ok")
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	if !exists(filepath.Join(r.dir, FailDir, "trang.jpg")) || !exists(filepath.Join(r.day(), "tot.jpg")) {
		t.Fatal("refused file not in failed/, or the other one not in done/")
	}
	txt, _ := os.ReadFile(filepath.Join(r.dir, FailDir, "trang.jpg.txt"))
	for _, want := range []string{"Định dạng tệp không được hỗ trợ.", "unsupported_type", "415", "từ chối"} {
		if !strings.Contains(string(txt), want) {
			t.Errorf("reason file lacks %q:\n%s", want, txt)
		}
	}
	r.write("trang.jpg", "<html> again")
	r.clock.Advance(5 * time.Second)
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	if !exists(filepath.Join(r.dir, FailDir, "trang-2.jpg")) || !exists(filepath.Join(r.dir, FailDir, "trang-2.jpg.txt")) {
		t.Error("a second refused file of the same name did not get a name of its own")
	}
}

func TestAgentKeepsFilesThroughOutages(t *testing.T) {
	r := newRig(t)
	r.api.fail = func(name string, attempt int) error {
		if attempt <= 2 {
			return &Transient{Status: 503, Code: "too_many_uploads", RetryAfter: 7 * time.Second}
		}
		return nil
	}
	r.write("a.jpg", "x")
	r.clock.Advance(5 * time.Second)
	r.scan() // before stable
	r.clock.Advance(5 * time.Second)
	r.scan()
	if len(r.api.sent()) != 1 || !exists(filepath.Join(r.dir, "a.jpg")) {
		t.Fatalf("after a 503: sent %v, file there %v", r.api.sent(), exists(filepath.Join(r.dir, "a.jpg")))
	}
	r.clock.Advance(6 * time.Second)
	r.scan()
	if len(r.api.sent()) != 1 {
		t.Fatal("tried again before Retry-After")
	}
	r.clock.Advance(time.Second)
	r.scan()
	r.clock.Advance(7 * time.Second)
	r.scan()
	if len(r.api.sent()) != 3 || !exists(filepath.Join(r.day(), "a.jpg")) {
		t.Fatalf("sent %v; in done/: %v", r.api.sent(), exists(filepath.Join(r.day(), "a.jpg")))
	}
	if !strings.Contains(r.log.String(), "tried again") {
		t.Error("the outage was not logged")
	}
}

func TestAgentLogsLoudlyForABadToken(t *testing.T) {
	r := newRig(t)
	r.api.fail = func(string, int) error { return &Transient{Status: 401, Code: "unauthorized", Reason: "x"} }
	r.write("a.jpg", "x")
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	if !exists(filepath.Join(r.dir, "a.jpg")) || !strings.Contains(r.log.String(), "level=ERROR") || !strings.Contains(r.log.String(), "-token") {
		t.Errorf("a refused token: file kept %v, log:\n%s", exists(filepath.Join(r.dir, "a.jpg")), r.log)
	}
}

func TestAgentDeletesWhenAsked(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Delete = true })
	r.write("a.jpg", "x")
	r.clock.Advance(5 * time.Second)
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	rc, err := ReadReceipt(filepath.Join(r.day(), "a.jpg.json"))
	if exists(filepath.Join(r.dir, "a.jpg")) || exists(filepath.Join(r.day(), "a.jpg")) || err != nil || !rc.Deleted {
		t.Errorf("-delete: receipt %+v, %v", rc, err)
	}
}

func TestAgentNamesClashesApart(t *testing.T) {
	r := newRig(t)
	os.MkdirAll(r.day(), 0o755)
	writeFile(t, r.day(), "a.jpg", "earlier")
	r.write("a.jpg", "later")
	r.clock.Advance(5 * time.Second)
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	if b, _ := os.ReadFile(filepath.Join(r.day(), "a-2.jpg")); string(b) != "later" {
		t.Errorf("a-2.jpg holds %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(r.day(), "a.jpg")); string(b) != "earlier" {
		t.Errorf("the earlier a.jpg was overwritten: %q", b)
	}
}

// TestAgentReplaysItsJournal restarts the agent on each state a kill can leave a file in.
func TestAgentReplaysItsJournal(t *testing.T) {
	r := newRig(t)
	j := r.agent.folders[0].journal
	m := Mover{}

	// Accepted, not moved: moved at the start, not sent again.
	accepted := r.write("accepted.jpg", "A")
	dest, _ := m.DoneDest(r.dir, "accepted.jpg", t0.Local())
	shaA := sha256.Sum256([]byte("A"))
	j.Put(Entry{Path: accepted, State: StateAccepted, SHA256: hex.EncodeToString(shaA[:]), Size: 1, Dest: dest, DocumentID: "dA",
		Status: "received", Server: "http://sohoa.test", UploadedAt: t0})
	// Accepted and moved, the journal not told yet.
	movedDest, _ := m.DoneDest(r.dir, "moved.jpg", t0.Local())
	writeFile(t, r.day(), "moved.jpg", "M")
	j.Put(Entry{Path: filepath.Join(r.dir, "moved.jpg"), State: StateAccepted, Dest: movedDest, DocumentID: "dM", UploadedAt: t0})
	// Refused, not moved.
	refused := r.write("refused.jpg", "R")
	failDest, _ := m.FailedDest(r.dir, "refused.jpg")
	shaR := sha256.Sum256([]byte("R"))
	j.Put(Entry{Path: refused, State: StateRefused, SHA256: hex.EncodeToString(shaR[:]), Dest: failDest, Reason: "Tệp hỏng.", ReasonCode: "truncated", HTTPStatus: 400})
	// Being sent, unanswered: sent again.
	sending := r.write("sending.jpg", "S")
	j.Put(Entry{Path: sending, State: StateSending})
	// Being sent, and gone since.
	j.Put(Entry{Path: filepath.Join(r.dir, "gone.jpg"), State: StateSending})

	r.start()
	if got := r.api.sent(); len(got) != 0 {
		t.Fatalf("the replay sent %v", got)
	}
	if b, _ := os.ReadFile(dest); string(b) != "A" || exists(accepted) {
		t.Error("the accepted file was not moved")
	}
	if rc, err := ReadReceipt(dest + ".json"); err != nil || rc.DocumentID != "dA" {
		t.Errorf("receipt of the accepted file: %+v %v", rc, err)
	}
	if rc, err := ReadReceipt(movedDest + ".json"); err != nil || rc.DocumentID != "dM" {
		t.Errorf("receipt of the moved file: %+v %v", rc, err)
	}
	if !exists(failDest) || !exists(failDest+".txt") || exists(refused) {
		t.Error("the refused file was not moved to failed/")
	}
	r.clock.Advance(5 * time.Second)
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	if got := r.api.sent(); !slices.Equal(got, []string{"sending.jpg"}) {
		t.Errorf("after the replay, sent %v; want only the unanswered one", got)
	}
	if es, _ := j.Entries(); len(es) != 0 {
		t.Errorf("journal left %+v", es)
	}
}

func TestAgentFollowsReceipts(t *testing.T) {
	r := newRig(t)
	r.write("a.jpg", "x")
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	receipt := filepath.Join(r.day(), "a.jpg.json")
	rc, _ := ReadReceipt(receipt)
	r.api.docs[rc.DocumentID] = Document{ID: rc.DocumentID, Status: "processing"}
	ctx := context.Background()
	if next := r.agent.followOnce(ctx); !next.Equal(t0.Add(10 * time.Second)) {
		t.Errorf("first ask due at %v", next)
	}
	r.clock.Advance(5 * time.Second)
	r.agent.followOnce(ctx)
	if rc, _ := ReadReceipt(receipt); rc.Status != "processing" {
		t.Errorf("receipt status %q", rc.Status)
	}
	r.api.docs[rc.DocumentID] = Document{ID: rc.DocumentID, Status: "done", Code: "000.00.53.H26-261201-0001"}
	r.clock.Advance(10 * time.Second)
	r.agent.followOnce(ctx)
	if rc, _ := ReadReceipt(receipt); rc.Status != "done" || rc.Code != "000.00.53.H26-261201-0001" {
		t.Errorf("receipt %+v", rc)
	}
	if fs, _ := r.agent.folders[0].journal.Follows(); len(fs) != 0 {
		t.Errorf("still followed: %+v", fs)
	}

	// A failure is written with its reason; a restart picks the follow up from the journal.
	r.write("b.jpg", "y")
	r.clock.Advance(5 * time.Second)
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	receipt = filepath.Join(r.day(), "b.jpg.json")
	rc, _ = ReadReceipt(receipt)
	r.start()
	r.api.docs[rc.DocumentID] = Document{ID: rc.DocumentID, Status: "failed", Error: "Tệp bị cắt cụt.", ErrorCode: "truncated"}
	r.clock.Advance(5 * time.Second)
	r.agent.followOnce(ctx)
	if rc, _ := ReadReceipt(receipt); rc.Status != "failed" || rc.Error != "Tệp bị cắt cụt." || rc.ErrorCode != "truncated" {
		t.Errorf("receipt %+v", rc)
	}
}

func TestAgentReportsItsCounts(t *testing.T) {
	r := newRig(t, func(c *Config) { c.Report = 30 * time.Second; c.Version = "t"; c.Host = "may-quet-1" })
	r.api.reports = make(chan Heartbeat, 10)
	r.api.reportErr = ErrServerTooOld
	r.write("a.jpg", "x")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.agent.report(ctx); close(done) }()
	if hb := <-r.api.reports; hb.Waiting != 1 || hb.Host != "may-quet-1" || hb.Version != "t" || len(hb.Dirs) != 1 {
		t.Errorf("first report %+v", hb)
	}
	r.clock.BlockUntil(1)
	r.agent.countsChanged()
	for r.clock.Waiters() < 2 { // the interval's wait and the 2 s after the change
		time.Sleep(time.Millisecond)
	}
	r.clock.Advance(2 * time.Second)
	<-r.api.reports
	r.clock.BlockUntil(2)
	r.clock.Advance(30 * time.Second)
	<-r.api.reports
	cancel()
	<-done
	if strings.Contains(r.log.String(), "level=WARN") || strings.Contains(r.log.String(), "level=ERROR") {
		t.Errorf("a server without reports made noise:\n%s", r.log)
	}
}

func TestStatusCountsAndSaysItInVietnamese(t *testing.T) {
	r := newRig(t)
	r.api.fail = func(name string, _ int) error {
		if name == "hong.jpg" {
			return &Refused{Status: 415, Code: "unsupported_type", Reason: "x"}
		}
		return nil
	}
	r.write("a.jpg", "a")
	r.write("hong.jpg", "h")
	r.scan()
	r.clock.Advance(5 * time.Second)
	r.scan()
	r.write("cho.jpg", "c")
	r.agent.Health().Answered(r.clock.Now())
	r.agent.flushHealth()
	st, err := ReadStatus([]string{r.dir}, "", r.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	f := st.Folders[0]
	if !slices.Equal(f.Waiting, []string{"cho.jpg"}) || f.SentToday != 1 || f.Failed != 1 || f.Sending != 0 || !st.LastAnswer.Equal(t0.Add(5*time.Second)) {
		t.Errorf("status %+v", st)
	}
	text := st.Text(r.clock.Now().Add(3 * time.Second))
	for _, want := range []string{"Đang chờ gửi:        1 (cho.jpg)", "Đã gửi hôm nay:      1", "Bị từ chối:          1", "3 giây trước"} {
		if !strings.Contains(text, want) {
			t.Errorf("status lacks %q:\n%s", want, text)
		}
	}
}

func TestNewRefusesBadSettings(t *testing.T) {
	dir := t.TempDir()
	for _, cfg := range []Config{
		{Server: "sohoa:8080", Dirs: []string{dir}, Stable: time.Second, Poll: time.Second},
		{Server: "http://sohoa", Stable: time.Second, Poll: time.Second},
		{Server: "http://sohoa", Dirs: []string{filepath.Join(dir, "none")}, Stable: time.Second, Poll: time.Second},
		{Server: "http://sohoa", Dirs: []string{dir}},
	} {
		if _, err := New(cfg, &fakeAPI{}, clock.NewFake(t0), slog.Default()); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	if _, err := New(Config{Server: "http://sohoa", Dirs: []string{dir}, Stable: time.Second, Poll: time.Second}, &fakeAPI{}, clock.NewFake(t0), slog.Default()); err != nil {
		t.Error(err)
	}
}
