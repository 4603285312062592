package childproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

func newPool(t *testing.T, cfg Config) (*Pool, *testenv.Buffer) {
	t.Helper()
	log := &testenv.Buffer{}
	cfg.Name, cfg.Proto, cfg.Stderr = testName, testProto, log
	if cfg.Argv == nil {
		cfg.Argv = []string{osArgs0(), testName}
	}
	p := New(cfg)
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p, log
}

func call(t *testing.T, p *Pool, req string) string {
	t.Helper()
	rep, err := p.Call(context.Background(), []byte(req))
	if err != nil {
		t.Fatalf("%s: %v", req, err)
	}
	return string(rep)
}

// exited reports whether pid is gone: the pool reaps its children, so a dead one does not linger as
// a zombie.
func exited(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }

func waitForChild(p *Pool) int {
	for range 500 {
		if ids := p.PIDs(); len(ids) > 0 {
			return ids[0]
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0
}

func TestAnswersAndErrors(t *testing.T) {
	p, _ := newPool(t, Config{})
	if got := call(t, p, "echo:xin chào"); got != "xin chào" {
		t.Errorf("echo: %q", got)
	}
	pid := p.PIDs()[0]
	_, err := p.Call(context.Background(), []byte("fail:why"))
	var remote *RemoteError
	if !errors.As(err, &remote) || remote.Msg != "bad input: why" || errors.Is(err, ErrCrashed) {
		t.Errorf("handler error: %v, want a RemoteError", err)
	}
	if got := call(t, p, "echo:again"); got != "again" || p.PIDs()[0] != pid {
		t.Errorf("after a handler error: %q from %v, want the same child %d", got, p.PIDs(), pid)
	}
}

// TestCrashTakesOneRequest: a child dying on one request fails that request only; a request answered
// meanwhile by the other child succeeds, and the next request gets a fresh child.
func TestCrashTakesOneRequest(t *testing.T) {
	p, log := newPool(t, Config{Size: 2})
	var wg sync.WaitGroup
	var good []byte
	var goodErr error
	wg.Go(func() { good, goodErr = p.Call(context.Background(), []byte("alloc:32")) })
	_, err := p.Call(context.Background(), []byte("crash"))
	var crash *CrashError
	if !errors.As(err, &crash) || !errors.Is(err, ErrCrashed) {
		t.Fatalf("crashing request: %v, want a CrashError", err)
	}
	if crash.Status() != "signal SIGSEGV" || crash.Killed() || crash.OutOfMemory {
		t.Errorf("status %q, killed %v, want signal SIGSEGV", crash.Status(), crash.Killed())
	}
	if !strings.Contains(strings.Join(crash.Stderr, "\n"), "crashing on purpose") {
		t.Errorf("stderr tail %q lacks the child's last words", crash.Stderr)
	}
	if !exited(crash.PID) {
		t.Errorf("crashed child %d still exists", crash.PID)
	}
	wg.Wait()
	if goodErr != nil || string(good) != "allocated 32" {
		t.Fatalf("request alongside the crash: %q, %v", good, goodErr)
	}
	if got := call(t, p, "echo:next"); got != "next" {
		t.Errorf("after the crash: %q", got)
	}
	if !strings.Contains(log.String(), testName+"["+strconv.Itoa(crash.PID)+"]: test child: crashing on purpose") {
		t.Errorf("child's stderr not passed on with its prefix:\n%s", log)
	}
}

// TestMemoryLimit: the Go runtime runs under the limit, and a child writing past it dies as out of
// memory, with its peak RSS bounded by the limit.
func TestMemoryLimit(t *testing.T) {
	const limit = 256 << 20
	p, _ := newPool(t, Config{Memory: limit})
	if got := call(t, p, "alloc:96"); got != "allocated 96" {
		t.Fatalf("96 MB under a 256 MB limit: %q", got)
	}
	_, err := p.Call(context.Background(), []byte("alloc:1024"))
	var crash *CrashError
	if !errors.As(err, &crash) || !crash.OutOfMemory {
		t.Fatalf("1 GB under a 256 MB limit: %v, want a CrashError out of memory", err)
	}
	if crash.MaxRSS <= 96<<20 || crash.MaxRSS > limit {
		t.Errorf("peak RSS %d MB, want between 96 and 256 MB", crash.MaxRSS>>20)
	}
	t.Logf("%v", err)
	if got := call(t, p, "echo:after"); got != "after" {
		t.Errorf("after the limit: %q", got)
	}
}

// TestDeadline: a ctx that ends mid-request kills the child and returns the ctx's error.
func TestDeadline(t *testing.T) {
	p, _ := newPool(t, Config{})
	call(t, p, "echo:warm")
	pid := p.PIDs()[0]
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := p.Call(ctx, []byte("hang"))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrCrashed) {
		t.Fatalf("hung request: %v, want context.DeadlineExceeded", err)
	}
	if !exited(pid) {
		t.Errorf("child %d survived its deadline", pid)
	}
	if ids := p.PIDs(); len(ids) != 0 {
		t.Errorf("live children %v after the kill, want none", ids)
	}
	if got := call(t, p, "echo:next"); got != "next" {
		t.Errorf("after the deadline: %q", got)
	}
}

func TestTimeout(t *testing.T) {
	p, _ := newPool(t, Config{Timeout: 300 * time.Millisecond})
	if _, err := p.Call(context.Background(), []byte("hang")); !errors.Is(err, ErrTimeout) {
		t.Fatalf("hung request: %v, want ErrTimeout", err)
	}
}

// TestKillEndsGrandchildren: what a child started dies with it when it is killed.
func TestKillEndsGrandchildren(t *testing.T) {
	p, log := newPool(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	re := regexp.MustCompile(`grandchild (\d+)`)
	go func() {
		for range 1000 {
			if re.MatchString(log.String()) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	if _, err := p.Call(ctx, []byte("spawn")); !errors.Is(err, context.Canceled) {
		t.Fatalf("spawning request: %v, want context.Canceled", err)
	}
	m := re.FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no grandchild reported:\n%s", log)
	}
	pid, _ := strconv.Atoi(m[1])
	for range 500 { // the grandchild is not ours to reap: its reaper may take a moment
		if exited(pid) || isZombie(pid) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("grandchild %d outlived the child", pid)
}

// TestKilledFromOutside: a child killed by someone else (the OOM killer) is a crash that says so.
func TestKilledFromOutside(t *testing.T) {
	p, _ := newPool(t, Config{})
	go func() {
		if pid := waitForChild(p); pid != 0 {
			time.Sleep(100 * time.Millisecond) // into the request
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}()
	_, err := p.Call(context.Background(), []byte("hang"))
	var crash *CrashError
	if !errors.As(err, &crash) || !crash.Killed() || crash.Status() != "signal SIGKILL" {
		t.Fatalf("killed child: %v, want a CrashError with SIGKILL", err)
	}
}

// TestStdoutJunk: what the child's libraries print to stdout does not reach the protocol.
func TestStdoutJunk(t *testing.T) {
	p, log := newPool(t, Config{})
	if got := call(t, p, "junk"); got != "after junk" {
		t.Fatalf("junk request: %q", got)
	}
	p.Close() // drains the children's stderr
	if !strings.Contains(log.String(), "junk a library printed on stdout") {
		t.Errorf("stdout junk not in the log:\n%s", log)
	}
}

func TestStartFailures(t *testing.T) {
	p, _ := newPool(t, Config{Hello: []byte("refuse")})
	if _, err := p.Call(context.Background(), []byte("echo:x")); err == nil || !strings.Contains(err.Error(), "no such model") {
		t.Errorf("refused hello: %v, want the child's reason", err)
	}
	q, _ := newPool(t, Config{Argv: []string{"/bin/echo", "not a child"}})
	if _, err := q.Call(context.Background(), []byte("echo:x")); err == nil || errors.Is(err, ErrCrashed) {
		t.Errorf("a binary that is no child: %v, want a start error blaming no request", err)
	} else {
		t.Log(err)
	}
}

// TestCloseEndsChildren: Close ends idle and busy children alike and leaves no process behind.
func TestCloseEndsChildren(t *testing.T) {
	p, _ := newPool(t, Config{Size: 2, CloseGrace: 200 * time.Millisecond})
	call(t, p, "echo:idle")
	busy := make(chan error)
	go func() {
		_, err := p.Call(context.Background(), []byte("hang"))
		busy <- err
	}()
	for len(p.PIDs()) < 2 {
		time.Sleep(10 * time.Millisecond)
	}
	pids := p.PIDs()
	if err := p.Close(); err == nil {
		t.Error("Close did not report the busy child it had to kill")
	}
	for _, pid := range pids {
		if !exited(pid) {
			t.Errorf("child %d outlived Close", pid)
		}
	}
	if err := <-busy; !errors.Is(err, ErrClosed) {
		t.Errorf("request cut short by Close: %v, want ErrClosed", err)
	}
	if _, err := p.Call(context.Background(), []byte("echo:x")); !errors.Is(err, ErrClosed) {
		t.Errorf("request after Close: %v, want ErrClosed", err)
	}
}

// A pool with Nice starts its children at that niceness, one without at the parent's.
func TestNice(t *testing.T) {
	for _, c := range []struct{ nice, want int }{{0, niceOf(t, os.Getpid())}, {10, 10}} {
		p, _ := newPool(t, Config{Nice: c.nice})
		call(t, p, "echo:x")
		if got := niceOf(t, p.PIDs()[0]); got != c.want {
			t.Errorf("Nice %d: the child runs at niceness %d, want %d", c.nice, got, c.want)
		}
	}
}

// niceOf reads pid's niceness from /proc/PID/stat: the 19th field, counted after the command name,
// which is in parentheses and may hold spaces, as the 17th.
func niceOf(t *testing.T, pid int) int {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))[16])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
