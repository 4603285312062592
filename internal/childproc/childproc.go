// Package childproc runs code that parses hostile input (Tesseract, Leptonica, PDF parsers) in
// long-lived child processes, so that a crash, a hang or a memory blow-up costs one request instead of
// the worker process and every task it was running.
//
// A Pool keeps up to Size children. A child is the running binary started again with a hidden
// subcommand (Config.Name), which calls Main with its Init; it reads requests on stdin and answers on
// its original stdout (see proto.go). Each child gets a memory limit (RLIMIT_DATA, see limit.go) and
// is killed when the caller's context ends or its answer takes longer than Config.Timeout. A child
// that dies mid-request yields a *CrashError (errors.Is ErrCrashed) and is replaced on the next
// request; requests in other children go on.
package childproc

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"time"
)

var (
	// ErrCrashed is wrapped by the *CrashError of a child that died while answering a request.
	ErrCrashed = errors.New("child process crashed")
	// ErrClosed is returned for requests made of, or cut short by, a closed Pool.
	ErrClosed = errors.New("child process pool closed")
	// ErrTimeout is returned when a child was killed for not answering within Config.Timeout.
	ErrTimeout = errors.New("child process timed out")
	// ErrProtocol marks malformed frames and replies, as opposed to a channel that closed.
	ErrProtocol = errors.New("child process protocol")
)

// Config describes the children of a Pool.
type Config struct {
	// Name is the subcommand that makes the binary this kind of child ("ocr-child"), and the prefix
	// of its log lines.
	Name string
	// Argv is the child's command line; empty means this executable with Name, what tests replace.
	Argv []string
	// Proto names the protocol version; a child answering with another is refused (an old binary).
	Proto string
	// Hello is sent to every child when it starts: its configuration, so parent and child never
	// disagree.
	Hello []byte
	Size  int      // children at most; a caller beyond it waits for a free child. At least 1.
	Env   []string // added to the inherited environment; later entries win
	// Nice is the children's niceness (0: the parent's). They start under nice(1), so that every
	// thread of theirs has it from the first instruction: the kernel then gives a busier pool's CPU
	// to a pool with the lower number, as the bulk lane's to the counter's.
	Nice int
	// Memory is each child's RLIMIT_DATA in bytes (0: none): heap, malloc arenas and thread stacks,
	// which is what a decompression bomb fills. The Go runtime's soft limit (GOMEMLIMIT) is set to
	// three quarters of it, so that garbage is collected before the wall is hit.
	Memory int64
	// Timeout bounds one request (0: none); the caller's context bounds it too.
	Timeout time.Duration
	// StartTimeout bounds exec, runtime start and Init; zero means a minute.
	StartTimeout time.Duration
	// CloseGrace is how long Close waits for a busy child before killing it; zero means 5 s.
	CloseGrace time.Duration
	// MaxRequest and MaxReply bound frames (zero: 512 MiB and 64 MiB), so that a stray write into
	// the channel is caught as a protocol error rather than read as a gigabyte-long frame.
	MaxRequest, MaxReply int
	// Stderr receives the children's stderr line by line, each prefixed "NAME[PID]: ". Nil means
	// os.Stderr.
	Stderr io.Writer
}

// CrashError describes a child that died mid-request.
type CrashError struct {
	Name string
	PID  int
	// Signal names the signal that ended the child ("SIGSEGV", "SIGKILL"), "" when it exited without
	// one. A fault in C code reaches the Go runtime's handler, which reports it on stderr and exits
	// with status 2, so the name is taken from that report when the exit status carries none.
	Signal   string
	ExitCode int // -1 when killed by a signal
	// OutOfMemory is set when the child's last words say an allocation failed (the Go runtime's
	// "fatal error: out of memory", C++'s bad_alloc), or, under Config.Memory, when the Go runtime
	// faulted in its own code (no signal from C code, no kill): it hit its limit.
	OutOfMemory bool
	// MaxRSS is the child's peak resident memory in bytes, from the kernel's accounting.
	MaxRSS int64
	// Stderr holds the child's last lines of stderr, up to the runtime's fatal report.
	Stderr []string
}

func (e *CrashError) Error() string {
	return fmt.Sprintf("%s %d died mid-request %s", e.Name, e.PID, e.details())
}

// details is the status and stderr tail, for this error and for a child that died before its first
// request.
func (e *CrashError) details() string {
	msg := fmt.Sprintf("(%s, peak RSS %d MB)", e.Status(), e.MaxRSS>>20)
	if len(e.Stderr) > 0 {
		msg += "; stderr: " + strings.Join(e.Stderr, " | ")
	}
	return msg
}

func (e *CrashError) Unwrap() error { return ErrCrashed }

// Status is "signal SIGSEGV", "exit status N" or "out of memory": the short form for a person.
func (e *CrashError) Status() string {
	switch {
	case e.OutOfMemory:
		return "out of memory"
	case e.Signal != "":
		return "signal " + e.Signal
	}
	return fmt.Sprintf("exit status %d", e.ExitCode)
}

// Killed reports whether something outside the pool killed the child with SIGKILL: the pool kills
// only for a done context, a timeout or Close, which it reports as such, so this is the kernel's OOM
// killer of the machine or an operator.
func (e *CrashError) Killed() bool { return e.Signal == "SIGKILL" }

// RemoteError is an error the child's handler returned for a request; the child lives on.
type RemoteError struct{ Msg string }

func (e *RemoteError) Error() string { return e.Msg }

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
