// Package child runs Tesseract in child processes, so that a crash inside Tesseract or Leptonica (a
// segfault, an abort, the kernel's OOM killer) takes down one page instead of the worker process and
// every task it was running.
//
// A Pool keeps up to size long-lived children, each holding one ocr.Engine, so the language model is
// loaded once per child rather than once per page. A child is the running binary started again as
// `<executable> ocr-child` (Command), which must call Main; it reads requests on stdin and answers on
// its original stdout (see proto.go). A child that dies mid-page fails that page with a *CrashError
// (errors.Is ErrCrashed) and is replaced on the pool's next page; pages in other children go on.
// Tesseract cannot be interrupted everywhere (layout analysis ignores its cancel callback), so a
// cancelled context or a page running past the engine's PageTimeout kills the child.
package child

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// Command is the subcommand that makes the binary an OCR child: `case child.Command: return child.Main()`.
const Command = "ocr-child"

var (
	// ErrCrashed is wrapped by the *CrashError of a child that died while reading a page.
	ErrCrashed = errors.New("ocr child crashed")
	// ErrClosed is returned for pages asked of, or cut short by, a closed Pool.
	ErrClosed = errors.New("ocr child pool closed")
)

// CrashError describes a child that died mid-page.
type CrashError struct {
	PID int
	// Signal names the signal that ended the child ("SIGSEGV", "SIGKILL"), "" when it exited without
	// one. A fault in C code reaches the Go runtime's handler, which reports it on stderr and exits
	// with status 2, so the name is taken from that report when the exit status carries none.
	Signal   string
	ExitCode int // -1 when killed by a signal
	// Stderr holds the child's last lines of stderr, up to the runtime's fatal report: what Tesseract
	// said just before it died.
	Stderr []string
}

func (e *CrashError) Error() string {
	return fmt.Sprintf("ocr child %d died mid-page %s", e.PID, e.details())
}

// details is the status and stderr tail, for this error and for a child that died before its first page.
func (e *CrashError) details() string {
	msg := "(" + e.Status() + ")"
	if len(e.Stderr) > 0 {
		msg += "; stderr: " + strings.Join(e.Stderr, " | ")
	}
	return msg
}

func (e *CrashError) Unwrap() error { return ErrCrashed }

// Status is "signal SIGSEGV" or "exit status N": the short form for a person.
func (e *CrashError) Status() string {
	if e.Signal != "" {
		return "signal " + e.Signal
	}
	return fmt.Sprintf("exit status %d", e.ExitCode)
}

// signalName is the conventional name of the signals a crashing child dies of.
func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGSEGV:
		return "SIGSEGV"
	case syscall.SIGABRT:
		return "SIGABRT"
	case syscall.SIGBUS:
		return "SIGBUS"
	case syscall.SIGFPE:
		return "SIGFPE"
	case syscall.SIGILL:
		return "SIGILL"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGPIPE:
		return "SIGPIPE"
	case syscall.SIGQUIT:
		return "SIGQUIT"
	case syscall.SIGTRAP:
		return "SIGTRAP"
	case syscall.SIGSYS:
		return "SIGSYS"
	}
	return s.String()
}

// remoteError is an error the child returned for a page; it matches ocr.ErrTimeout when it was one.
type remoteError struct {
	msg     string
	timeout bool
}

func (e *remoteError) Error() string { return e.msg }

func (e *remoteError) Is(target error) bool { return e.timeout && target == ocr.ErrTimeout }
