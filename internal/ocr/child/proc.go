package child

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// startTimeout bounds a child's start: exec, Go runtime, loading the models.
const startTimeout = time.Minute

// proc is one child process. Only the pool slot that holds it talks to it.
type proc struct {
	cmd      *exec.Cmd
	pid      int
	stdin    io.WriteCloser
	stdout   *bufio.Reader
	stderr   *lineWriter
	exited   chan struct{} // closed once the child is reaped and its stderr drained
	stopping atomic.Bool   // the pool is closing it: a broken channel is no crash
}

// startProc starts a child and gives it its options; it returns once the models are loaded.
func startProc(ctx context.Context, argv []string, opts ocr.Options, log io.Writer) (*proc, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	// libgomp reads OMP_THREAD_LIMIT when it loads, so it must be in the environment at exec; a later
	// duplicate wins in exec.Cmd. One malloc arena suits a child that runs Tesseract on one thread at a
	// time, and keeps it near 140 MB instead of 200 (glibc gives every thread that mallocs an arena
	// that holds on to freed pages); an operator's own MALLOC_ARENA_MAX still wins.
	cmd.Env = append(append([]string{"MALLOC_ARENA_MAX=1"}, os.Environ()...), "OMP_THREAD_LIMIT=1")
	// Its own process group: a Ctrl-C at the terminal reaches the parent, which closes the pool,
	// instead of killing every child mid-page.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("ocr child stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("ocr child stdout: %w", err)
	}
	lw := &lineWriter{dst: log, prefix: "ocr-child: "}
	cmd.Stderr = lw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start ocr child %q: %w", argv, err)
	}
	pr := &proc{cmd: cmd, pid: cmd.Process.Pid, stdin: stdin, stdout: bufio.NewReader(stdout), stderr: lw,
		exited: make(chan struct{})}
	lw.setPrefix(fmt.Sprintf("ocr-child[%d]: ", pr.pid))
	go func() {
		_ = cmd.Wait() // the status is read from cmd.ProcessState
		lw.flush()
		close(pr.exited)
	}()

	hctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	stop := context.AfterFunc(hctx, pr.kill)
	hello, err := json.Marshal(opts)
	if err == nil {
		err = writeFrame(pr.stdin, hello)
	}
	var rep reply
	if err == nil {
		rep, err = readReply(pr.stdout)
	}
	if !stop() && err == nil { // killed just as it answered
		err = hctx.Err()
	}
	switch {
	case err != nil:
		pr.kill()
		<-pr.exited
		if ctx.Err() != nil {
			return nil, fmt.Errorf("start ocr child %d: %w", pr.pid, ctx.Err())
		}
		if hctx.Err() != nil {
			return nil, fmt.Errorf("ocr child %d did not load its models within %v; killed", pr.pid, startTimeout)
		}
		// Not a CrashError: no page is to blame, the binary or its models are.
		return nil, fmt.Errorf("ocr child %d (%q) did not start: %w %s", pr.pid, argv, err, pr.crash().details())
	case rep.Proto != protoVersion:
		pr.kill()
		<-pr.exited
		return nil, fmt.Errorf("ocr child %d speaks %q, not %q: is %q a sohoa binary with the %s command?",
			pr.pid, rep.Proto, protoVersion, argv, Command)
	case rep.Error != "":
		pr.shutdown(time.Second)
		return nil, fmt.Errorf("ocr child %d: %s", pr.pid, rep.Error)
	}
	return pr, nil
}

// recognize reads one page. A child that outlives watchdog, or ctx, is killed: Tesseract's own
// deadline does not cover every phase of a page.
func (pr *proc) recognize(ctx context.Context, img []byte, dpi float64, watchdog time.Duration) (*ocr.Page, error) {
	wctx, cancel := context.WithTimeout(ctx, watchdog)
	defer cancel()
	stop := context.AfterFunc(wctx, pr.kill)
	var hdr [8]byte
	binary.BigEndian.PutUint64(hdr[:], math.Float64bits(dpi))
	err := writeFrame(pr.stdin, hdr[:], img)
	var rep reply
	if err == nil {
		rep, err = readReply(pr.stdout)
	}
	if !stop() {
		// Killed, maybe just as the answer came: the slot must not keep a dying child.
		<-pr.exited
	}
	if err == nil && rep.Page == nil && rep.Error == "" {
		err = fmt.Errorf("%w: reply has neither page nor error", errProtocol)
	}
	if err != nil {
		// Whatever happened, the child's state is unknown: end it. A child that already died keeps
		// the status it died with.
		pr.kill()
		<-pr.exited
		switch {
		case pr.stopping.Load():
			return nil, fmt.Errorf("ocr child %d: %w", pr.pid, ErrClosed)
		case ctx.Err() != nil:
			return nil, fmt.Errorf("ocr child %d killed mid-page: %w", pr.pid, ctx.Err())
		case wctx.Err() != nil:
			return nil, fmt.Errorf("%w: ocr child %d killed after %v without an answer", ocr.ErrTimeout, pr.pid, watchdog)
		case errors.Is(err, errProtocol):
			return nil, fmt.Errorf("ocr child %d: %w", pr.pid, err)
		}
		return nil, pr.crash()
	}
	if rep.Error != "" {
		return nil, &remoteError{msg: rep.Error, timeout: rep.Timeout}
	}
	return rep.Page, nil
}

func (pr *proc) kill() { _ = pr.cmd.Process.Kill() } // an already finished child is no error here

// gone reports whether the child has exited.
func (pr *proc) gone() bool {
	select {
	case <-pr.exited:
		return true
	default:
		return false
	}
}

// shutdown closes the child's input, which ends it after the page it is reading, and kills it if it
// has not exited within grace.
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
		return fmt.Errorf("ocr child %d still ran %v after its input closed; killed", pr.pid, grace)
	}
}

// crash describes how an exited child ended.
func (pr *proc) crash() *CrashError {
	tail, sig := pr.stderr.report()
	e := &CrashError{PID: pr.pid, Signal: sig, ExitCode: -1, Stderr: tail}
	if st := pr.cmd.ProcessState; st != nil {
		e.ExitCode = st.ExitCode()
		if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Signal = signalName(ws.Signal())
		}
	}
	return e
}
