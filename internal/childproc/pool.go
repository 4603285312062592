package childproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// Pool lends child processes to callers, one request at a time each. It is safe for concurrent use.
type Pool struct {
	cfg   Config
	slots chan *proc // Size tokens; nil until the slot's child is started, and after it died

	mu     sync.Mutex
	live   map[*proc]struct{}
	closed bool
	peak   int64 // the largest peak RSS of the children that exited
}

// New makes a pool; children start on first use.
func New(cfg Config) *Pool {
	if cfg.Size < 1 {
		cfg.Size = 1
	}
	if cfg.CloseGrace <= 0 {
		cfg.CloseGrace = 5 * time.Second
	}
	if cfg.MaxRequest <= 0 {
		cfg.MaxRequest = defaultMaxReq
	}
	if cfg.MaxReply <= 0 {
		cfg.MaxReply = defaultMaxReply
	}
	slots := make(chan *proc, cfg.Size)
	for range cfg.Size {
		slots <- nil
	}
	return &Pool{cfg: cfg, slots: slots, live: map[*proc]struct{}{}}
}

// Call sends req to a child and returns its answer. A child that dies meanwhile yields a
// *CrashError (ErrCrashed); one silent past Config.Timeout is killed and yields ErrTimeout; a ctx
// done first kills the child and yields ctx.Err(); the handler's own error is a *RemoteError. After a
// kill or a crash the next request gets a fresh child.
func (p *Pool) Call(ctx context.Context, req []byte) ([]byte, error) {
	if len(req) > p.cfg.MaxRequest {
		return nil, fmt.Errorf("%s: request of %d bytes is over the %d byte limit", p.cfg.Name, len(req), p.cfg.MaxRequest)
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
	rep, err := pr.call(ctx, req, p.cfg.Timeout, p.cfg.MaxReply)
	if pr.gone() {
		p.forget(pr)
		pr = nil
	}
	return rep, err
}

func (p *Pool) start(ctx context.Context) (*proc, error) {
	if p.isClosed() {
		return nil, ErrClosed
	}
	argv := p.cfg.Argv
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("%s: find own executable: %w", p.cfg.Name, err)
		}
		argv = []string{exe, p.cfg.Name}
	}
	if p.cfg.Nice != 0 {
		argv = append([]string{"nice", "-n", strconv.Itoa(p.cfg.Nice)}, argv...)
	}
	log := p.cfg.Stderr
	if log == nil {
		log = os.Stderr
	}
	pr, err := startProc(ctx, &p.cfg, argv, log)
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
		_ = pr.shutdown(p.cfg.CloseGrace)
		return nil, ErrClosed
	}
	return pr, nil
}

// PIDs lists the live children, for tests and for an operator's view.
func (p *Pool) PIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]int, 0, len(p.live))
	for pr := range p.live {
		ids = append(ids, pr.pid)
	}
	return ids
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

func (p *Pool) forget(pr *proc) {
	rss := pr.maxRSS()
	p.mu.Lock()
	delete(p.live, pr)
	p.peak = max(p.peak, rss)
	p.mu.Unlock()
}

// PeakRSS is the largest peak resident memory, in bytes, of any child the pool has run: what a
// parse cost, for operators and for tests of the memory limit.
func (p *Pool) PeakRSS() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	peak := p.peak
	for pr := range p.live {
		peak = max(peak, pr.maxRSS())
	}
	return peak
}

// Close ends every child: idle ones at once, busy ones after their request or within CloseGrace, and
// returns once all have exited. Requests made of a closed pool fail with ErrClosed.
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
		wg.Go(func() { errs[i] = pr.shutdown(p.cfg.CloseGrace) })
	}
	wg.Wait()
	p.mu.Lock()
	for _, pr := range procs {
		p.peak = max(p.peak, pr.maxRSS())
	}
	p.mu.Unlock()
	return errors.Join(errs...)
}
