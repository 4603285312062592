package child

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

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

	opts       ocr.Options
	argv       []string
	slots      chan *proc    // size tokens; nil until the slot's child is started, and after it died
	grace      time.Duration // watchdogGrace, shortened by tests
	closeGrace time.Duration

	mu     sync.Mutex
	live   map[*proc]struct{}
	closed bool
}

// New makes a pool of up to size children, each an ocr.Engine with opts. Children start on first use.
// argv is the child's command line; empty means this executable with Command, what tests replace.
func New(size int, opts ocr.Options, argv ...string) *Pool {
	if size < 1 {
		size = 1
	}
	slots := make(chan *proc, size)
	for range size {
		slots <- nil
	}
	return &Pool{opts: opts, argv: argv, slots: slots, grace: watchdogGrace, closeGrace: closeGrace,
		live: map[*proc]struct{}{}}
}

// RecognizeDPI reads one page image in a child, as ocr.Engine.RecognizeDPI does in process. A child
// that dies meanwhile yields a *CrashError (ErrCrashed); a ctx done first kills the child and yields
// ctx.Err(). Either way the next page gets a fresh child.
func (p *Pool) RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*ocr.Page, error) {
	if len(img) > maxImage {
		return nil, fmt.Errorf("ocr child: page image of %d bytes is over the %d byte limit", len(img), maxImage)
	}
	if err := ctx.Err(); err != nil {
		return nil, err // before a child is lent, which a done ctx would kill
	}
	var pr *proc
	select {
	case pr = <-p.slots:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { p.slots <- pr }()
	if pr != nil && pr.gone() { // died while idle
		p.forget(pr)
		pr = nil
	}
	if pr == nil {
		var err error
		if pr, err = p.start(ctx); err != nil {
			return nil, err
		}
	}
	page, err := pr.recognize(ctx, img, dpi, p.watchdog())
	if pr.gone() {
		p.forget(pr)
		pr = nil
	}
	return page, err
}

func (p *Pool) start(ctx context.Context) (*proc, error) {
	if p.isClosed() {
		return nil, ErrClosed
	}
	argv := p.argv
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("ocr child: find own executable: %w", err)
		}
		argv = []string{exe, Command}
	}
	log := p.Stderr
	if log == nil {
		log = os.Stderr
	}
	pr, err := startProc(ctx, argv, p.opts, log)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	closed := p.closed
	if !closed {
		p.live[pr] = struct{}{}
	}
	p.mu.Unlock()
	if closed {
		_ = pr.shutdown(p.closeGrace)
		return nil, ErrClosed
	}
	return pr, nil
}

func (p *Pool) watchdog() time.Duration {
	t := p.opts.PageTimeout
	if t <= 0 {
		t = enginePageTimeout
	}
	return t + p.grace
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *Pool) forget(pr *proc) {
	p.mu.Lock()
	delete(p.live, pr)
	p.mu.Unlock()
}

// Close ends every child: idle ones at once, busy ones after their page or within a few seconds,
// and returns once all have exited. Pages asked of a closed pool fail with ErrClosed.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	procs := make([]*proc, 0, len(p.live))
	for pr := range p.live {
		procs = append(procs, pr)
	}
	clear(p.live)
	p.mu.Unlock()

	errs := make([]error, len(procs))
	var wg sync.WaitGroup
	for i, pr := range procs {
		wg.Go(func() { errs[i] = pr.shutdown(p.closeGrace) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
