package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
)

// errOutputLimit stops a tool that writes more than its caller can use.
var errOutputLimit = errors.New("tool output over its limit")

// runTool runs a poppler tool on stdin and returns its stdout, at most maxOut bytes. Its failures
// become InputErrors: a crash of the tool on these bytes (ParserCrashed), memory exhausted
// (MemoryLimit, of lim.Memory, which the tool inherits), output past maxOut (a bomb), or a file it refused (bad_pdf, encrypted). The tool is
// killed when ctx ends, and when this process dies (PR_SET_PDEATHSIG), so it never outlives a
// killed scan child.
func runTool(ctx context.Context, lim Limits, stdin []byte, maxOut int64, name string, args ...string) ([]byte, error) {
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(tctx, name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	out := &cappedBuffer{max: maxOut, over: cancel}
	stderr := &tailBuffer{max: 8 << 10}
	cmd.Stdout, cmd.Stderr = out, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	// The death signal follows the thread that forked the tool, so that thread must stay this
	// goroutine's until the tool is reaped.
	runtime.LockOSThread()
	err := cmd.Run()
	runtime.UnlockOSThread()
	said := strings.TrimSpace(stderr.String())
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("%s: %w", name, ctx.Err())
	case out.exceeded():
		return nil, bombErr("nội dung", fmt.Errorf("%s wrote more than %d bytes: %w", name, maxOut, errOutputLimit))
	case err == nil:
		return out.Bytes(), nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return nil, fmt.Errorf("run %s: %w", name, err) // not started: our fault, not the file's
	}
	cause := fmt.Errorf("%s: %w: %s", name, err, said)
	lower := strings.ToLower(said)
	ws, _ := exit.Sys().(syscall.WaitStatus)
	switch {
	case strings.Contains(lower, "out of memory") || strings.Contains(lower, "bad_alloc"):
		return nil, MemoryLimit(lim.Memory, cause)
	case strings.Contains(lower, "incorrect password"):
		return nil, encryptedErr(cause)
	case ws.Signaled():
		return nil, ParserCrashed("signal "+ws.Signal().String(), cause)
	}
	return nil, badPDF(cause)
}

// cappedBuffer keeps at most max bytes; past that it calls over (which kills the writer) and drops
// the rest.
type cappedBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	max  int64
	over func()
	full bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - int64(c.b.Len()); int64(len(p)) > room {
		c.b.Write(p[:max(room, 0)])
		if !c.full && c.over != nil {
			c.over()
		}
		c.full = true
		return len(p), nil
	}
	c.b.Write(p)
	return len(p), nil
}

func (c *cappedBuffer) exceeded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.full
}

func (c *cappedBuffer) Bytes() []byte { return c.b.Bytes() }

// tailBuffer keeps the last max bytes written: a tool's last words say why it died.
type tailBuffer struct {
	mu  sync.Mutex
	b   []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
