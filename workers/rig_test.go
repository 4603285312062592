package workers

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/retention"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
)

// rig is the workers on the in-memory stores, with fakes for the crafts (OCR, signing) and for the
// queue, whose tasks the test runs itself. Nothing here sleeps on the wall clock: the rig's clock is
// moved forward whenever a handler waits on it.
type rig struct {
	h       *Handlers
	records *flakyRecords
	objects *flakyObjects
	queue   *fakeQueue
	clock   *clock.Fake
	ocr     *fakeOCR
	signer  *fakeSigner
	logs    *testenv.Buffer
}

func newRig(t *testing.T) *rig {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	store := memory.NewAt(clk)
	objs := memory.NewObjects()
	if err := objs.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := &rig{records: &flakyRecords{Records: store, fail: map[string]int{}}, objects: &flakyObjects{Objects: objs, fail: map[string]int{}},
		queue: &fakeQueue{}, clock: clk, ocr: &fakeOCR{}, signer: &fakeSigner{}, logs: &testenv.Buffer{}}
	r.h = &Handlers{
		Records: r.records, Dossiers: store, Objects: r.objects, Queue: r.queue, Clock: clk, Worker: "w1",
		Log:    slog.New(slog.NewTextHandler(r.logs, nil)),
		Limits: scan.DefaultLimits(), Scan: scan.InProcess{}, Agency: "000.00.53.H26", AgencyName: "Bộ phận Một cửa (kiểm thử)",
		Signer: r.signer, OCR: r.ocr, MaxRetry: pipeline.Retries(pipeline.DefaultRetryBudget), Patience: 2 * time.Minute,
		Retention: mustPolicy(t),
	}
	return r
}

func mustPolicy(t *testing.T) retention.Policy {
	t.Helper()
	p, err := retention.Parse(retention.DefaultKinds, retention.DefaultYears)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// receive records a document of data as the intake does and returns it; its ingest task is queued.
func (r *rig) receive(t *testing.T, name string, data []byte) storage.Document {
	t.Helper()
	in := &Intake{Objects: r.objects, Records: r.records, Queue: r.queue, Limits: r.h.Limits, Log: r.h.Log}
	doc, _, err := in.Receive(t.Context(), bytes.NewReader(data), name, From{})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// drain runs queued tasks, first attempts, until the queue is empty, and returns what the last
// attempt of each task returned.
func (r *rig) drain(t *testing.T) map[string]error {
	t.Helper()
	results := map[string]error{}
	for range 1000 {
		task, ok := r.queue.pop()
		if !ok {
			return results
		}
		results[task.id] = r.run(t, task, attempt{maxRetry: r.h.MaxRetry})
	}
	t.Fatal("the queue never emptied")
	return nil
}

// run runs one task's attempt, moving the clock on whenever the handler waits on it.
func (r *rig) run(t *testing.T, task queued, a attempt) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		if task.page {
			done <- r.h.runPage(t.Context(), task.p, a)
		} else {
			done <- r.h.runStage(t.Context(), task.stage, r.work(task.stage), task.p, a)
		}
	}()
	for {
		select {
		case err := <-done:
			return err
		default:
		}
		if r.clock.Waiters() > 0 {
			r.clock.Advance(time.Second)
		} else {
			time.Sleep(50 * time.Microsecond) // let the handler reach its next wait or its end
		}
	}
}

func (r *rig) work(s pipeline.Stage) func(context.Context, storage.Document) error {
	return map[pipeline.Stage]func(context.Context, storage.Document) error{
		pipeline.Ingest: r.h.ingest, pipeline.OCR: r.h.ocr, pipeline.Code: r.h.code,
		pipeline.PDFA: r.h.pdfa, pipeline.Sign: r.h.sign, pipeline.Index: r.h.index,
	}[s]
}

func (r *rig) doc(t *testing.T, id string) storage.Document {
	t.Helper()
	d, err := r.records.Records.Document(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// scanPNG is a small grey page with a dark bar, a valid scan for ingest and PDF/A assembly.
func scanPNG(t *testing.T, seed int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 400, 560))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 100 + seed; y < 120+seed; y++ {
		for x := 50; x < 350; x++ {
			img.SetGray(x, y, color.Gray{Y: 0x20})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fakeQueue keeps tasks in order; IDs make enqueueing twice harmless, as in Asynq.
type fakeQueue struct {
	mu      sync.Mutex
	pending []queued
	seen    map[string]bool
	fail    int // the next fail calls are fault.Unavailable
}

type queued struct {
	id    string
	stage pipeline.Stage
	page  bool
	p     pipeline.Payload
}

func (q *fakeQueue) Enqueue(_ context.Context, s pipeline.Stage, p pipeline.Payload) (bool, error) {
	return q.add(queued{id: pipeline.TaskID(s, p), stage: s, p: p})
}

func (q *fakeQueue) EnqueuePage(_ context.Context, p pipeline.Payload) (bool, error) {
	return q.add(queued{id: pipeline.PageTaskID(p), stage: pipeline.OCR, page: true, p: p})
}

func (q *fakeQueue) add(t queued) (bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail > 0 {
		q.fail--
		return false, fault.E("enqueue "+t.id, fault.Unavailable, errors.New("redis: connection refused"))
	}
	if q.seen == nil {
		q.seen = map[string]bool{}
	}
	if q.seen[t.id] {
		return false, nil
	}
	q.seen[t.id] = true
	q.pending = append(q.pending, t)
	return true, nil
}

func (q *fakeQueue) pop() (queued, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) == 0 {
		return queued{}, false
	}
	t := q.pending[0]
	q.pending = q.pending[1:]
	delete(q.seen, t.id) // a task that ran can be enqueued again, as Asynq deletes finished tasks
	return t, true
}

func (q *fakeQueue) ids() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var ids []string
	for _, t := range q.pending {
		ids = append(ids, t.id)
	}
	return ids
}

// fakeOCR reads every page as the same words, with confidence (95 when zero); err, when set, is
// returned instead.
type fakeOCR struct {
	mu         sync.Mutex
	calls      int
	err        error
	confidence float64
}

func (o *fakeOCR) RecognizeDPI(_ context.Context, img []byte, _ float64) (*ocr.Page, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls++
	if o.err != nil {
		return nil, o.err
	}
	w := ocr.Word{Text: "GIẤY", Box: image.Rect(50, 100, 150, 120), Conf: 95}
	return &ocr.Page{Width: 400, Height: 560, Text: "GIẤY KHAI SINH", Confidence: cmp.Or(o.confidence, 95),
		Lines: []ocr.Line{{Words: []ocr.Word{w, {Text: "KHAI", Box: image.Rect(160, 100, 250, 120), Conf: 95}}, Box: image.Rect(50, 100, 250, 120)}}}, nil
}

func (o *fakeOCR) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.calls
}

// fakeSigner appends a marker naming the signer; CheckOwn recognises its own marker over the PDF.
type fakeSigner struct {
	mu    sync.Mutex
	calls int
	name  string
}

func (s *fakeSigner) marker() string { return "\n%signed-by " + s.name + "\n" }

func (s *fakeSigner) Sign(_ context.Context, pdf []byte, _ []sign.Rect) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	return append(bytes.Clone(pdf), s.marker()...), nil
}

func (s *fakeSigner) CheckOwn(_ context.Context, signed, pdf []byte) error {
	if !bytes.HasPrefix(signed, pdf) || string(signed[len(pdf):]) != s.marker() {
		return fault.E("check own", fault.Conflict, errors.New("not this signer's signature over this PDF"))
	}
	return nil
}

// flakyRecords fails the named methods with fault.Unavailable as many times as fail says.
type flakyRecords struct {
	storage.Records
	mu   sync.Mutex
	fail map[string]int
}

func (f *flakyRecords) down(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[method] > 0 {
		f.fail[method]--
		return fault.E(method, fault.Unavailable, errors.New("postgres: connection refused"))
	}
	return nil
}

func (f *flakyRecords) set(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[method] = n
}

func (f *flakyRecords) Heartbeat(ctx context.Context, w storage.Worker) error {
	if err := f.down("Heartbeat"); err != nil {
		return err
	}
	return f.Records.Heartbeat(ctx, w)
}

func (f *flakyRecords) StartStage(ctx context.Context, c storage.Claim) error {
	if err := f.down("StartStage"); err != nil {
		return err
	}
	return f.Records.StartStage(ctx, c)
}

func (f *flakyRecords) FinishStage(ctx context.Context, c storage.Claim, next string) error {
	if err := f.down("FinishStage"); err != nil {
		return err
	}
	return f.Records.FinishStage(ctx, c, next)
}

func (f *flakyRecords) SetSigned(ctx context.Context, id string, sf storage.SignedFile) error {
	if err := f.down("SetSigned"); err != nil {
		return err
	}
	return f.Records.SetSigned(ctx, id, sf)
}

func (f *flakyRecords) PageRecognized(ctx context.Context, c storage.Claim, r storage.PageResult, next string) (bool, error) {
	if err := f.down("PageRecognized"); err != nil {
		return false, err
	}
	return f.Records.PageRecognized(ctx, c, r, next)
}

// flakyObjects fails Get and Put with fault.Unavailable as many times as fail says.
type flakyObjects struct {
	storage.Objects
	mu   sync.Mutex
	fail map[string]int
}

func (f *flakyObjects) down(method string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[method] > 0 {
		f.fail[method]--
		return fault.E(method, fault.Unavailable, errors.New("s3: connection refused"))
	}
	return nil
}

func (f *flakyObjects) set(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[method] = n
}

func (f *flakyObjects) Get(ctx context.Context, b storage.Bucket, key string) (io.ReadCloser, error) {
	if err := f.down("Get"); err != nil {
		return nil, err
	}
	return f.Objects.Get(ctx, b, key)
}

func (f *flakyObjects) GetVersion(ctx context.Context, b storage.Bucket, key, version string) (io.ReadCloser, error) {
	if err := f.down("GetVersion"); err != nil {
		return nil, err
	}
	return f.Objects.GetVersion(ctx, b, key, version)
}

func (f *flakyObjects) Put(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, ct string) (storage.ObjectInfo, error) {
	if err := f.down("Put"); err != nil {
		return storage.ObjectInfo{}, err
	}
	return f.Objects.Put(ctx, b, key, r, size, ct)
}
