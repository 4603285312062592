package childproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// proc is one child process. Only the pool slot that holds it talks to it.
type proc struct {
	name     string
	limited  bool // runs under a memory limit
	cmd      *exec.Cmd
	pid      int
	stdin    io.WriteCloser
	stdout   *bufio.Reader
	stderr   *lineWriter
	exited   chan struct{} // closed once the child is reaped and its stderr drained
	stopping atomic.Bool   // the pool is closing it: a broken channel is no crash
}

// startProc starts a child, limits it and gives it its hello; it returns once the child answered.
func startProc(ctx context.Context, cfg *Config, argv []string, log io.Writer) (*proc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	// One malloc arena suits a child that parses one request at a time and keeps its memory compact
	// (glibc gives every thread that mallocs an arena that holds on to freed pages); an operator's
	// own MALLOC_ARENA_MAX still wins. A later duplicate wins in exec.Cmd.
	env := append([]string{"MALLOC_ARENA_MAX=1"}, os.Environ()...)
	if cfg.Memory > 0 {
		env = append(env, goMemLimit(cfg.Memory))
	}
	cmd.Env = append(env, cfg.Env...)
	// Its own process group: a Ctrl-C at the terminal reaches the parent, which closes the pool,
	// instead of killing every child mid-request; and killing the group ends what the child started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("%s stdin: %w", cfg.Name, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%s stdout: %w", cfg.Name, err)
	}
	lw := &lineWriter{dst: log, prefix: cfg.Name + ": "}
	cmd.Stderr = lw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s %q: %w", cfg.Name, argv, err)
	}
	pr := &proc{name: cfg.Name, limited: cfg.Memory > 0, cmd: cmd, pid: cmd.Process.Pid, stdin: stdin, stdout: bufio.NewReader(stdout),
		stderr: lw, exited: make(chan struct{})}
	lw.setPrefix(fmt.Sprintf("%s[%d]: ", cfg.Name, pr.pid))
	go func() {
		_ = cmd.Wait() // the status is read from cmd.ProcessState
		lw.flush()
		close(pr.exited)
	}()
	if cfg.Memory > 0 {
		if err := limitMemory(pr.pid, cfg.Memory); err != nil {
			pr.kill()
			<-pr.exited
			return nil, err
		}
	}
	if err := pr.hello(ctx, cfg, argv); err != nil {
		return nil, err
	}
	return pr, nil
}

func (pr *proc) hello(ctx context.Context, cfg *Config, argv []string) error {
	timeout := cfg.StartTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stop := context.AfterFunc(hctx, pr.kill)
	err := writeFrame(pr.stdin, cfg.Hello)
	var rep helloReply
	if err == nil {
		rep, err = readHelloReply(pr.stdout)
	}
	if !stop() && err == nil { // killed just as it answered
		err = hctx.Err()
	}
	switch {
	case err != nil:
		pr.kill()
		<-pr.exited
		if ctx.Err() != nil {
			return fmt.Errorf("start %s %d: %w", pr.name, pr.pid, ctx.Err())
		}
		if hctx.Err() != nil {
			return fmt.Errorf("%s %d did not start within %v; killed", pr.name, pr.pid, timeout)
		}
		// Not a CrashError: no request is to blame, the binary or its configuration is.
		return fmt.Errorf("%s %d (%q) did not start: %w %s", pr.name, pr.pid, argv, err, pr.crash().details())
	case rep.Proto != cfg.Proto:
		pr.kill()
		<-pr.exited
		return fmt.Errorf("%s %d speaks %q, not %q: is %q a sohoa binary with the %s command?",
			pr.name, pr.pid, rep.Proto, cfg.Proto, argv, cfg.Name)
	case rep.Error != "":
		_ = pr.shutdown(time.Second)
		return fmt.Errorf("%s %d: %s", pr.name, pr.pid, rep.Error)
	}
	return nil
}

// call sends one request and waits for its answer. A child that outlives timeout (0: none), or ctx,
// is killed: the code it runs cannot be interrupted in the middle of a parse.
func (pr *proc) call(ctx context.Context, req []byte, timeout time.Duration, maxReply int) ([]byte, error) {
	wctx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		wctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	stop := context.AfterFunc(wctx, pr.kill)
	err := writeFrame(pr.stdin, req)
	var rep []byte
	if err == nil {
		rep, err = readReply(pr.stdout, maxReply)
	}
	if !stop() {
		// Killed, maybe just as the answer came: the slot must not keep a dying child.
		<-pr.exited
		if err == nil {
			err = wctx.Err()
		}
	}
	var remote *RemoteError
	if err == nil || errors.As(err, &remote) {
		return rep, err
	}
	// Whatever happened, the child's state is unknown: end it. A child that already died keeps the
	// status it died with.
	pr.kill()
	<-pr.exited
	switch {
	case pr.stopping.Load():
		return nil, fmt.Errorf("%s %d: %w", pr.name, pr.pid, ErrClosed)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s %d killed mid-request: %w", pr.name, pr.pid, ctx.Err())
	case wctx.Err() != nil:
		return nil, fmt.Errorf("%w: %s %d killed after %v without an answer", ErrTimeout, pr.name, pr.pid, timeout)
	case errors.Is(err, ErrProtocol):
		return nil, fmt.Errorf("%s %d: %w", pr.name, pr.pid, err)
	}
	return nil, pr.crash()
}

// kill ends the child's whole process group, so that what it started (a pdftoppm) dies with it.
// An already finished child is no error here.
func (pr *proc) kill() {
	_ = syscall.Kill(-pr.pid, syscall.SIGKILL)
	_ = pr.cmd.Process.Kill()
}

// gone reports whether the child has exited.
func (pr *proc) gone() bool {
	select {
	case <-pr.exited:
		return true
	default:
		return false
	}
}

// shutdown closes the child's input, which ends it after the request it is answering, and kills it
// if it has not exited within grace.
func (pr *proc) shutdown(grace time.Duration) error {
	pr.stopping.Store(true)
	_ = pr.stdin.Close() // the child sees EOF either way
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-pr.exited:
		return nil
	case <-t.C:
		pr.kill()
		<-pr.exited
		return fmt.Errorf("%s %d still ran %v after its input closed; killed", pr.name, pr.pid, grace)
	}
}

// maxRSS is the child's peak resident memory: from the kernel's accounting once it is reaped, from
// /proc while it runs; 0 when neither can be read.
func (pr *proc) maxRSS() int64 {
	if pr.gone() {
		if ru, ok := pr.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			return ru.Maxrss << 10 // kilobytes on Linux
		}
		return 0
	}
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pr.pid) + "/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// crash describes how an exited child ended.
func (pr *proc) crash() *CrashError {
	tail, sig, oom, runtimeFault := pr.stderr.report()
	// The runtime faulting in its own code is, under a memory limit, the runtime out of memory.
	oom = oom || runtimeFault && pr.limited
	e := &CrashError{Name: pr.name, PID: pr.pid, Signal: sig, ExitCode: -1, OutOfMemory: oom, Stderr: tail}
	if st := pr.cmd.ProcessState; st != nil {
		e.ExitCode = st.ExitCode()
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Signal = signalName(ws.Signal())
		}
	}
	e.MaxRSS = pr.maxRSS()
	return e
}
