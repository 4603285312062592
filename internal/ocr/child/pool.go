package child

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/ocr"
)

const (
	// enginePageTimeout mirrors ocr's default PageTimeout, which the watchdog must outlast.
	enginePageTimeout = 3 * time.Minute
	// watchdogGrace is how long past PageTimeout a child may stay silent: the engine's own deadline
	// answers well within it unless Tesseract is stuck where it does not look at its deadline.
	watchdogGrace = 30 * time.Second
	closeGrace    = 5 * time.Second
)

// Pool lends OCR child processes to callers, one page at a time each. It is safe for concurrent use;
// a caller beyond size waits for a free child.
type Pool struct {
	// Stderr receives the children's stderr line by line, each prefixed "ocr-child[PID]: ". Nil
	// means os.Stderr. Set it before the first page.
	Stderr io.Writer
	// Nice is the children's niceness (childproc.Config.Nice). Set it before the first page.
	Nice int

	opts       ocr.Options
	argv       []string
	size       int
	grace      time.Duration // watchdogGrace, shortened by tests
	closeGrace time.Duration

	once  sync.Once
	procs *childproc.Pool
	err   error // of encoding the hello
}

// New makes a pool of up to size children, each an ocr.Engine with opts. Children start on first use.
// argv is the child's command line; empty means this executable with Command, what tests replace.
func New(size int, opts ocr.Options, argv ...string) *Pool {
	return &Pool{opts: opts, argv: argv, size: size, grace: watchdogGrace, closeGrace: closeGrace}
}

func (p *Pool) children() (*childproc.Pool, error) {
	p.once.Do(func() {
		hello, err := json.Marshal(p.opts)
		if err != nil {
			p.err = fmt.Errorf("ocr child: encode options: %w", err)
			return
		}
		timeout := p.opts.PageTimeout
		if timeout <= 0 {
			timeout = enginePageTimeout
		}
		p.procs = childproc.New(childproc.Config{
			Name: Command, Argv: p.argv, Proto: protoVersion, Hello: hello, Size: p.size,
			// libgomp reads OMP_THREAD_LIMIT when it loads, so it must be in the environment at exec.
			Env:     []string{"OMP_THREAD_LIMIT=1"},
			Timeout: timeout + p.grace, CloseGrace: p.closeGrace,
			MaxRequest: 8 + maxImage, MaxReply: maxReply, Stderr: p.Stderr, Nice: p.Nice,
		})
	})
	return p.procs, p.err
}

// RecognizeDPI reads one page image in a child, as ocr.Engine.RecognizeDPI does in process. A child
// that dies meanwhile yields a *CrashError (ErrCrashed); a ctx done first kills the child and yields
// ctx.Err(); a child silent past the watchdog is killed and yields ocr.ErrTimeout. Either way the
// next page gets a fresh child.
func (p *Pool) RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*ocr.Page, error) {
	if len(img) > maxImage {
		return nil, fmt.Errorf("ocr child: page image of %d bytes is over the %d byte limit", len(img), maxImage)
	}
	procs, err := p.children()
	if err != nil {
		return nil, err
	}
	rep, err := procs.Call(ctx, encodeRequest(img, dpi))
	if errors.Is(err, childproc.ErrTimeout) {
		return nil, fmt.Errorf("%w: %w", ocr.ErrTimeout, err)
	}
	if err != nil {
		return nil, err
	}
	return decodeReply(rep)
}

// pids lists the live children.
func (p *Pool) pids() []int {
	procs, _ := p.children()
	if procs == nil {
		return nil
	}
	return procs.PIDs()
}

// Close ends every child: idle ones at once, busy ones after their page or within a few seconds,
// and returns once all have exited. Pages asked of a closed pool fail with ErrClosed.
func (p *Pool) Close() error {
	procs, _ := p.children()
	if procs == nil {
		return nil
	}
	return procs.Close()
}
