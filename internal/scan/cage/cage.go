// Package cage runs package scan's parsers in child processes (internal/childproc): Leptonica
// decoding a TIFF, pdfcpu reading a PDF, poppler drawing one. A crash, a memory blow-up or a hang
// costs the one file, which fails with a Vietnamese reason and a stable code (fault.Reason), never
// the worker, which holds the API and the signing key.
//
// Each child is `<executable> scan-child` (Command), which must call Main. It runs under a memory
// limit (Config.Memory, RLIMIT_DATA, inherited by the pdftoppm and pdftotext it starts) and is killed
// when the caller's context ends or a file takes longer than Config.Timeout. How each end is told to
// the caller, and whether it is worth retrying:
//
//   - the child ran out of memory (its limit), or a page's header says it would (the pool tells the
//     child its limit in scan.Limits.Memory): scan.MemoryLimit, code memory_limit, fault.Input. The
//     same bytes need the same memory, so a retry cannot help.
//   - the child crashed (SIGSEGV, SIGABRT in a decoder): scan.ParserCrashed, parser_crash,
//     fault.Input, for the same reason.
//   - the child was killed from outside (SIGKILL not sent by the pool): scan.ParserKilled,
//     parser_killed, fault.Other, retried. On Linux that is the kernel's OOM killer of a machine short
//     of memory, which picks the largest process whatever its input: the limit keeps a child below
//     what this file alone could cost, so the machine, not the file, is short.
//   - the file took longer than Config.Timeout: scan.TooSlow, too_slow, fault.Input: the same bytes
//     take as long again, and the limit is generous (minutes for what takes seconds).
//   - the caller's context ended: the context's error, which the caller knows how to treat.
package cage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/scan"
)

// Command is the subcommand that makes the binary a scan child: `case cage.Command: return cage.Main()`.
const Command = "scan-child"

const (
	// DefaultMemory lets a child decode an A3 colour page at 600 dpi (70 megapixels: two 280 MB
	// rasters in Leptonica, and its PNG) besides the Go runtime's own 140 MB.
	DefaultMemory = 1 << 30
	// DefaultTimeout is many times what the largest sample takes on a busy machine, and shorter
	// than an attempt at the ingest stage (pipeline.Stage.Timeout), so a file too slow to parse
	// fails as too_slow instead of as an attempt that ran out of time, retried for nothing.
	DefaultTimeout = 2 * time.Minute
)

// Config describes the children of a Pool.
type Config struct {
	Size    int           // children at most; 0 means 1
	Memory  int64         // each child's memory limit in bytes; 0 means DefaultMemory
	Timeout time.Duration // per file; 0 means DefaultTimeout
	// Argv is the child's command line; empty means this executable with Command, what tests replace.
	Argv []string
	// Stderr receives the children's stderr, each line prefixed "scan-child[PID]: "; nil means
	// os.Stderr.
	Stderr io.Writer
	Nice   int // the children's niceness (childproc.Config.Nice)
}

// Pool is a scan.Parser whose every call runs in a child process. It is safe for concurrent use.
type Pool struct {
	procs   *childproc.Pool
	memory  int64
	timeout time.Duration
}

var _ scan.Parser = (*Pool)(nil)

// New makes a pool; children start on first use.
func New(cfg Config) *Pool {
	if cfg.Memory <= 0 {
		cfg.Memory = DefaultMemory
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Pool{memory: cfg.Memory, timeout: cfg.Timeout, procs: childproc.New(childproc.Config{
		Name: Command, Argv: cfg.Argv, Proto: protoVersion, Hello: []byte("{}"), Size: cfg.Size,
		Memory: cfg.Memory, Timeout: cfg.Timeout, MaxRequest: maxRequest,
		// The child holds its whole answer before sending it, within its memory limit.
		MaxReply: int(min(cfg.Memory, 1<<32-1)), Stderr: cfg.Stderr, Nice: cfg.Nice,
	})}
}

// Split is scan.Split in a child.
func (p *Pool) Split(ctx context.Context, data []byte, lim scan.Limits) ([]scan.Page, error) {
	rep, err := p.call(ctx, request{Op: opSplit, Limits: lim}, data)
	return rep.pages, err
}

// Inspect is scan.Inspect in a child.
func (p *Pool) Inspect(ctx context.Context, data []byte, lim scan.Limits) (scan.Inspection, error) {
	rep, err := p.call(ctx, request{Op: opInspect, Limits: lim}, data)
	if err != nil || rep.Inspection == nil {
		return scan.Inspection{}, err
	}
	return *rep.Inspection, nil
}

// Render is scan.Render in a child; pdftoppm runs under the child's limits.
func (p *Pool) Render(ctx context.Context, data []byte, lim scan.Limits, opt scan.RenderOptions) ([]scan.Page, error) {
	rep, err := p.call(ctx, request{Op: opRender, Limits: lim, Render: opt}, data)
	return rep.pages, err
}

// Text is scan.Text in a child; pdftotext runs under the child's limits.
func (p *Pool) Text(ctx context.Context, data []byte, lim scan.Limits) ([]string, error) {
	rep, err := p.call(ctx, request{Op: opText, Limits: lim}, data)
	return rep.Text, err
}

// PIDs lists the live children.
func (p *Pool) PIDs() []int { return p.procs.PIDs() }

// PeakRSS is the largest peak resident memory, in bytes, of any child the pool has run.
func (p *Pool) PeakRSS() int64 { return p.procs.PeakRSS() }

// Close ends every child, busy ones within a few seconds.
func (p *Pool) Close() error { return p.procs.Close() }

func (p *Pool) call(ctx context.Context, req request, data []byte) (reply, error) {
	req.Limits.Memory = p.memory // the child's limit is the pool's to say
	b, err := encodeRequest(req, data)
	if err != nil {
		return reply{}, err
	}
	out, err := p.procs.Call(ctx, b)
	if err != nil {
		return reply{}, p.childErr(req.Op, err)
	}
	rep, err := decodeReply(out)
	if err != nil {
		return reply{}, fmt.Errorf("scan child %s: %w", req.Op, err)
	}
	if rep.Err != nil {
		return reply{}, p.remoteErr(rep.Err)
	}
	return rep, nil
}

// childErr says what a child's end means for the file; see the package comment.
func (p *Pool) childErr(op string, err error) error {
	var crash *childproc.CrashError
	switch {
	case errors.As(err, &crash) && crash.OutOfMemory:
		return scan.MemoryLimit(p.memory, err)
	case errors.As(err, &crash) && crash.Killed():
		return scan.ParserKilled(err)
	case errors.As(err, &crash):
		return scan.ParserCrashed(crash.Status(), err)
	case errors.Is(err, childproc.ErrTimeout):
		return scan.TooSlow(p.timeout, err)
	case errors.Is(err, childproc.ErrClosed):
		return fault.E("scan "+op, fault.Interrupted, err)
	}
	return fmt.Errorf("scan child %s: %w", op, err)
}

// remoteErr rebuilds the error the child's scan call returned.
func (p *Pool) remoteErr(e *wireError) error {
	if e.Code == "" {
		return fmt.Errorf("scan child: %s", e.Detail)
	}
	return &scan.InputError{Code: e.Code, Message: e.Message, Err: errors.New(e.Detail)}
}
