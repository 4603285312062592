package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/schemas/schematest"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
	"github.com/sohoa-vn/sohoa/workers"
)

// The rig's settings: an upload limit small enough to pass in a test, the inbox bucket's real name
// and the events token.
const (
	testAgency   = "000.00.53.H26"
	maxUpload    = 1 << 20
	inboxBucket  = "sohoa-inbox"
	eventsToken  = "s3cret-events"
	metricsToken = "s3cret-metrics"
)

// contracts are schemas/, compiled once for every test.
var contracts = sync.OnceValues(schematest.Load)

// rig is the API on the in-memory stores, with the real intake and a queue that keeps its tasks.
// Every answer it gets is checked against what openapi.yaml describes for its route and status.
type rig struct {
	t        *testing.T
	srv      *Server
	store    *memory.Store
	objects  *memory.Objects
	queue    *fakeQueue
	patterns *http.ServeMux // the routes, to tell which operation a request is
	read     map[string][]storage.PageResult
	// token is the bearer token the rig's requests carry unless they set Authorization themselves;
	// "" sends none. newRig's is an admin's of testAgency.
	token string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	store, objects, queue := memory.New(), memory.NewObjects(), &fakeQueue{}
	if err := objects.Ensure(t.Context()); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	lim := scan.DefaultLimits()
	lim.MaxBytes = maxUpload
	r := &rig{t: t, store: store, objects: objects, queue: queue, patterns: http.NewServeMux(), read: map[string][]storage.PageResult{}}
	r.srv = &Server{
		Records: store, Dossiers: store, Accounts: store, Trail: store, Stations: store, Reports: store, Objects: objects, Queue: queue, Log: log,
		Intake:      &workers.Intake{Objects: objects, Records: store, Queue: queue, Limits: lim, Log: log, Agency: testAgency, Stations: store},
		InboxBucket: inboxBucket, EventsToken: eventsToken,
		Agency: testAgency, AgencyName: "Bộ phận Một cửa (kiểm thử)",
		Checks:  []Check{{Name: "postgres", Ping: store.Ping}, {Name: "s3", Ping: objects.Ping}},
		Metrics: stubMetrics, MetricsToken: metricsToken, Queues: stubQueues,
	}
	for _, rt := range r.srv.routes() {
		r.patterns.HandleFunc(rt.method+" "+rt.path, func(http.ResponseWriter, *http.Request) {})
	}
	must(t, store.EnsureAgency(t.Context(), testAgency, "UBND quận Lê Chân", ""))
	r.token = r.tokenOf("quan-tri", account.Admin, testAgency)
	return r
}

// tokenOf makes an account with role in agency (made too, when new) and returns a token of it.
func (r *rig) tokenOf(name string, role account.Role, agency string) string {
	r.t.Helper()
	ctx := r.t.Context()
	must(r.t, r.store.EnsureAgency(ctx, agency, "", ""))
	if _, err := r.store.CreateAccount(ctx, storage.NewAccount{Name: name, Role: string(role), Agency: agency}); err != nil && !errors.Is(err, storage.ErrExists) {
		r.t.Fatal(err)
	}
	tok, id, hash := account.NewToken()
	_, err := r.store.AddToken(ctx, name, id, hash)
	must(r.t, err)
	return tok
}

// as returns the rig sending as an account called name, with role in agency.
func (r *rig) as(name string, role account.Role, agency string) *rig {
	c := *r
	c.token = r.tokenOf(name, role, agency)
	return &c
}

// signedIn is h with the rig's token added to requests that carry no credential, for tests that
// send through a real listener rather than r.do.
func (r *rig) signedIn(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if r.token != "" && req.Header.Get("Authorization") == "" {
			req.Header.Set("Authorization", "Bearer "+r.token)
		}
		h.ServeHTTP(w, req)
	})
}

// anonymous returns the rig sending no credential.
func (r *rig) anonymous() *rig {
	c := *r
	c.token = ""
	return &c
}

// in returns the rig reporting to t, for a subtest of the test that made it.
func (r *rig) in(t *testing.T) *rig {
	c := *r
	c.t = t
	return &c
}

// answer is what the API answered.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends req to the API and checks the answer against openapi.yaml.
func (r *rig) do(req *http.Request) answer {
	r.t.Helper()
	if r.token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	rec := httptest.NewRecorder()
	r.srv.Handler().ServeHTTP(rec, req)
	a := answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if _, pattern := r.patterns.Handler(req); pattern != "" {
		set, err := contracts()
		if err != nil {
			r.t.Fatal(err)
		}
		method, path, _ := strings.Cut(pattern, " ")
		if err := set.Response(method, path, a.status, a.header.Get("Content-Type"), a.body); err != nil {
			r.t.Errorf("%s %s: %v", req.Method, req.URL, err)
		}
	}
	return a
}

func (r *rig) get(path string) answer {
	r.t.Helper()
	return r.do(httptest.NewRequest(http.MethodGet, path, nil))
}

// sendJSON sends v (a string is sent as it is) with method to path.
func (r *rig) sendJSON(method, path string, v any) answer {
	r.t.Helper()
	b, ok := v.(string)
	if !ok {
		j, err := json.Marshal(v)
		if err != nil {
			r.t.Fatal(err)
		}
		b = string(j)
	}
	req := httptest.NewRequest(method, path, strings.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return r.do(req)
}

// upload posts data as the multipart field "file" named name.
func (r *rig) upload(path, name string, data []byte) answer {
	r.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("note", "a field before the file is skipped")
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		r.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return r.do(req)
}

// decode reads the answer's JSON body into v.
func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("answer %d is not the JSON expected (%v): %s", a.status, err, a.body)
	}
}

// document reads the answer as a document.
func (a answer) document(t *testing.T) Document {
	t.Helper()
	var d Document
	a.decode(t, &d)
	return d
}

// wantStatus fails the test unless the answer has the status.
func (a answer) wantStatus(t *testing.T, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
}

// wantError checks an error answer: its status, its stable code, and a reason in Vietnamese.
func (a answer) wantError(t *testing.T, status int, code string) errorBody {
	t.Helper()
	a.wantStatus(t, status)
	var e errorBody
	a.decode(t, &e)
	if e.Code != code {
		t.Errorf("code %q, want %q (%s)", e.Code, code, e.Error)
	}
	if !vietnamese(e.Error) {
		t.Errorf("reason %q is not a Vietnamese sentence", e.Error)
	}
	return e
}

// vietnamese reports whether s holds a letter only Vietnamese uses among Latin scripts (đ, ơ, ư, and
// the vowels with two diacritics or a dot below): every sentence sohoa shows a person has some.
func vietnamese(s string) bool {
	return strings.ContainsFunc(s, func(c rune) bool {
		return c >= 0x1EA0 && c <= 0x1EF9 || strings.ContainsRune("đĐơƠưƯăĂ", c)
	})
}

// receive takes data in as an API upload does and returns its document.
func (r *rig) receive(name string, data []byte) storage.Document {
	r.t.Helper()
	doc, _, err := r.srv.Intake.Receive(r.t.Context(), bytes.NewReader(data), name, workers.From{Agency: testAgency})
	if err != nil {
		r.t.Fatal(err)
	}
	return doc
}

// doc is the document as the store has it.
func (r *rig) doc(id string) storage.Document {
	r.t.Helper()
	d, err := r.store.Document(r.t.Context(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return d
}

// claim is the worker's claim on the document's current stage.
func (r *rig) claim(id string) storage.Claim {
	d := r.doc(id)
	return storage.Claim{Document: id, Run: d.Run, Stage: d.Stage, Gen: d.Gen, Worker: "w1"}
}

// step records the document's current stage as the workers do, done, and moves it to the next. The
// OCR reads r.read[id] (one page of text by default).
func (r *rig) step(id string) {
	r.t.Helper()
	ctx, d, c := r.t.Context(), r.doc(id), r.claim(id)
	must(r.t, r.store.StartStage(ctx, c))
	stage, err := pipeline.Parse(d.Stage)
	must(r.t, err)
	next, _ := stage.Next()
	switch stage {
	case pipeline.Ingest:
		results := r.pagesRead(d)
		pages := make([]storage.Page, len(results))
		for i := range pages {
			pages[i] = storage.Page{N: i + 1, ImageKey: fmt.Sprintf("pages/%s/%04d.png", id, i+1), Format: "png", Width: 1654, Height: 2339, DPIX: 200, DPIY: 200}
		}
		must(r.t, r.store.SetPages(ctx, id, pages))
	case pipeline.OCR:
		must(r.t, r.store.HandOff(ctx, c))
		for i, res := range r.pagesRead(d) {
			pc := c
			pc.Page = i + 1
			must(r.t, r.store.StartPage(ctx, pc))
			res.OCRKey = fmt.Sprintf("ocr/%s/%d/%04d.json", id, d.Run, i+1)
			if _, err := r.store.PageRecognized(ctx, pc, res, string(next)); err != nil {
				r.t.Fatal(err)
			}
		}
		return // the last page finished the stage
	case pipeline.Code:
		now := time.Now()
		_, err := r.store.AssignCode(ctx, id, testAgency, now.In(code.Vietnam), func(seq int) (string, error) { return code.Dossier(testAgency, now, seq) })
		must(r.t, err)
	case pipeline.PDFA:
		must(r.t, r.store.SetPDF(ctx, id, "pdf/"+id+".pdf", "2u"))
	case pipeline.Sign:
		signed := []byte("%PDF-1.7\n% signed copy of " + id + "\n%%EOF\n")
		key := id + "/" + r.doc(id).Code + ".01.pdf"
		info, err := r.objects.Put(ctx, storage.Archive, key, bytes.NewReader(signed), int64(len(signed)), "application/pdf")
		must(r.t, err)
		sum := sha256.Sum256(signed)
		must(r.t, r.store.SetSigned(ctx, id, storage.SignedFile{Key: key, VersionID: info.VersionID, SHA256: hex.EncodeToString(sum[:])}))
	case pipeline.Index:
		var text []string
		for _, p := range r.pagesRead(d) {
			text = append(text, p.Text)
		}
		title, _, _ := strings.Cut(text[0], "\n")
		must(r.t, r.store.Index(ctx, id, title, strings.Join(text, "\n")))
	}
	must(r.t, r.store.FinishStage(ctx, c, string(next)))
}

func (r *rig) pagesRead(d storage.Document) []storage.PageResult {
	if p, ok := r.read[d.ID]; ok {
		return p
	}
	return []storage.PageResult{{Text: "Giấy tờ " + d.Filename, Confidence: 91}}
}

// runTo records the document's stages done until it is at stage.
func (r *rig) runTo(id string, stage pipeline.Stage) {
	r.t.Helper()
	for range pipeline.Stages() {
		if d := r.doc(id); d.Stage == string(stage) || d.Status == storage.StatusDone {
			return
		}
		r.step(id)
	}
}

// finish records every stage left done: the document is signed and indexed.
func (r *rig) finish(id string) storage.Document {
	r.t.Helper()
	for r.doc(id).Status != storage.StatusDone {
		r.step(id)
	}
	return r.doc(id)
}

// fail records that the document's current stage failed for good with f.
func (r *rig) fail(id string, f storage.Failure) storage.Document {
	r.t.Helper()
	c := r.claim(id)
	must(r.t, r.store.StartStage(r.t.Context(), c))
	must(r.t, r.store.FailStage(r.t.Context(), c, f, true))
	return r.doc(id)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// scanPNG returns distinct bytes that sniff as a PNG: seed tells them apart. The API never decodes
// them; the ingest stage would.
func scanPNG(seed int) []byte {
	return fmt.Appendf([]byte("\x89PNG\r\n\x1a\n"), "scan %d", seed)
}

// fakeQueue keeps the tasks enqueued; IDs make enqueueing twice harmless, as in Asynq.
type fakeQueue struct {
	mu       sync.Mutex
	tasks    []string // task IDs, in order
	payloads []pipeline.Payload
	err      error // what Enqueue answers, when set
}

func (q *fakeQueue) Enqueue(_ context.Context, s pipeline.Stage, p pipeline.Payload) (bool, error) {
	return q.add(pipeline.TaskID(s, p), p)
}

func (q *fakeQueue) EnqueuePage(_ context.Context, p pipeline.Payload) (bool, error) {
	return q.add(pipeline.PageTaskID(p), p)
}

func (q *fakeQueue) add(id string, p pipeline.Payload) (bool, error) {
	if _, err := p.Encode(); err != nil {
		return false, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.err != nil {
		return false, q.err
	}
	for _, t := range q.tasks {
		if t == id {
			return false, nil
		}
	}
	q.tasks, q.payloads = append(q.tasks, id), append(q.payloads, p)
	return true, nil
}

func (q *fakeQueue) ids() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.tasks...)
}

// inbox lists the keys left in the inbox bucket.
func (r *rig) inbox() []string {
	r.t.Helper()
	var keys []string
	for info, err := range r.objects.List(r.t.Context(), storage.Inbox, "") {
		must(r.t, err)
		keys = append(keys, info.Key)
	}
	return keys
}

// count is how many documents the store holds.
func (r *rig) count() int {
	r.t.Helper()
	_, total, err := r.store.List(r.t.Context(), storage.Filter{})
	must(r.t, err)
	return total
}

// body is an io.Reader of s, for requests.
func body(s string) io.Reader { return strings.NewReader(s) }
