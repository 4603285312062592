package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// Document is the JSON form of a document (schemas/document.schema.json).
type Document struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Stage  string `json:"stage"`
	Error  string `json:"error,omitempty"`
	// ErrorCode is the stable code of the failure; Retryable says whether a retry can help.
	ErrorCode string `json:"error_code,omitempty"`
	Retryable bool   `json:"retryable"`
	Code      string `json:"code,omitempty"`
	Pages     int    `json:"pages"`
	// PagesRead is how many of the pages have had their text read (by OCR, or from a born-digital
	// PDF): beside Pages, how far the OCR stage is. Absent in listings.
	PagesRead *int   `json:"pages_read,omitempty"`
	Title     string `json:"title,omitempty"`
	Filename  string `json:"filename"`
	Source    string `json:"source"`
	Lane      string `json:"lane"` // counter (a person waits) or bulk (a backlog import, a station's batch)
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	Signed    bool   `json:"signed"`
	// SignedOriginal: the upload was a signed PDF, archived byte for byte with the agency's signature
	// appended, so its own signatures stay valid.
	SignedOriginal bool      `json:"signed_original"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Stages         []Stage   `json:"stages"`
	// Review lists the pages the OCR stage flagged (read below its minimum confidence) whose text
	// nobody has checked yet (POST …/pages/{n}/review).
	Review []int `json:"review,omitempty"`
	// PartOf is the stack a paper was cut out of; Parts, of a split stack, the papers it became.
	PartOf string     `json:"part_of,omitempty"`
	Parts  []PartJSON `json:"parts,omitempty"`
}

// PartJSON is one paper of a split stack.
type PartJSON struct {
	N          int    `json:"n"`
	DocumentID string `json:"document_id"`
	FirstPage  int    `json:"first_page"`
	LastPage   int    `json:"last_page"`
	DossierID  string `json:"dossier_id,omitempty"`
}

// Page is the JSON form of one page.
type Page struct {
	N             int        `json:"n"`
	Width         int        `json:"width"`
	Height        int        `json:"height"`
	DPI           float64    `json:"dpi"`
	Format        string     `json:"format"`
	Confidence    float64    `json:"confidence"`
	Review        bool       `json:"review"` // flagged by the OCR stage, checked or not
	ReviewedBy    string     `json:"reviewed_by,omitempty"`
	ReviewedAt    *time.Time `json:"reviewed_at,omitempty"`
	OCRStartedAt  *time.Time `json:"ocr_started_at"`
	OCRFinishedAt *time.Time `json:"ocr_finished_at"`
	Seconds       float64    `json:"seconds,omitempty"`
}

// Stage is the JSON form of one stage of the current run.
type Stage struct {
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	Attempts   int        `json:"attempts"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	Seconds    float64    `json:"seconds,omitempty"`
	Error      string     `json:"error,omitempty"`
}

// DocumentList is the JSON answer of a listing.
type DocumentList struct {
	Total     int        `json:"total"`
	Documents []Document `json:"documents"`
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// A misspelt status would otherwise list nothing, which reads as "no such documents".
	if st := q.Get("status"); st != "" && !slices.Contains([]string{storage.StatusReceived, storage.StatusProcessing, storage.StatusDone, storage.StatusFailed, storage.StatusSplit}, st) {
		writeError(w, http.StatusBadRequest, codeBadRequest, fmt.Sprintf("Trạng thái %q không có; dùng received, processing, done, failed hoặc split.", st))
		return
	}
	docs, total, err := s.Records.List(r.Context(), storage.Filter{
		SHA256: strings.ToLower(q.Get("sha256")), Status: q.Get("status"), Scope: &who(r).scope,
		Limit: bounded(q.Get("limit"), 50, 1, 200), Offset: bounded(q.Get("offset"), 0, 0, 1<<30),
	})
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := DocumentList{Total: total, Documents: make([]Document, len(docs))}
	for i, d := range docs {
		out.Documents[i] = toJSON(d, nil)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	// A station's batch can wait; a person at the counter cannot.
	lane := pipeline.Counter
	if who(r).role == account.Station {
		lane = pipeline.Bulk
	}
	doc, created, ok := s.intake(w, r, lane)
	if !ok {
		return
	}
	if !created {
		if err := s.Records.Visible(r.Context(), doc.ID, who(r).scope); errors.Is(err, storage.ErrNotFound) {
			s.duplicateElsewhere(w, r, doc)
			return
		} else if err != nil {
			s.storeError(w, r, err)
			return
		}
	}
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	w.Header().Set("Location", "/api/v1/documents/"+doc.ID)
	s.writeDocument(w, r, code, doc)
}

// duplicateElsewhere refuses an upload of the same bytes as a document the principal does not reach
// (another agency's, or for a station another station's) without saying whose: a paper the state
// holds is reached through the owner look-up and its reuse rules, not by uploading it again.
func (s *Server) duplicateElsewhere(w http.ResponseWriter, r *http.Request, doc storage.Document) {
	s.Log.Warn("upload of bytes held elsewhere", "account", who(r).account.Name, "document", doc.ID)
	writeError(w, http.StatusConflict, codeDuplicateElsewhere, "Tệp này đã có trong kho số hóa, thuộc hồ sơ khác; "+
		"hãy tra cứu giấy tờ của chủ hồ sơ để dùng lại thay vì tải lên lần nữa.")
}

// intake streams the multipart field "file" into the intake, for the principal's agency, in the lane
// the query's "lane" names (else lane), answering the request itself when that fails.
func (s *Server) intake(w http.ResponseWriter, r *http.Request, lane pipeline.Lane) (storage.Document, bool, bool) {
	if q := r.URL.Query().Get("lane"); q != "" {
		var err error
		if lane, err = pipeline.ParseLane(q); err != nil {
			writeError(w, http.StatusBadRequest, codeBadRequest, "Tham số lane phải là \"counter\" (có người đang chờ) hoặc \"bulk\" (số hóa hàng loạt).")
			return storage.Document{}, false, false
		}
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Gửi tệp dưới dạng multipart/form-data, trường \"file\".")
		return storage.Document{}, false, false
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Yêu cầu tải lên không hợp lệ: "+err.Error())
		return storage.Document{}, false, false
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			writeError(w, http.StatusBadRequest, codeMissing, "Thiếu trường \"file\" chứa tệp cần số hóa.")
			return storage.Document{}, false, false
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, codeBadRequest, "Yêu cầu tải lên không hợp lệ: "+err.Error())
			return storage.Document{}, false, false
		}
		if part.FormName() != "file" {
			part.Close()
			continue
		}
		// The part streams straight into the object store: an upload is never held whole in memory.
		doc, created, err := s.Intake.Receive(r.Context(), part, part.FileName(), uploader(who(r), lane))
		part.Close()
		if err != nil {
			s.inputError(w, r, err)
			return storage.Document{}, false, false
		}
		return doc, created, true
	}
}

// uploader is who an upload through the API in lane comes from: a station's account is the station;
// anyone else's bulk upload an import (sohoa import's backlog), and the rest the counter (a person,
// or a program with a counter account's token).
func uploader(p *principal, lane pipeline.Lane) workers.From {
	f := workers.From{Agency: p.account.Agency, Account: p.account.ID, Lane: lane, Channel: workers.ChannelCounter}
	switch {
	case p.role == account.Station:
		f.Channel, f.Station = workers.ChannelStation, p.account.Name
	case lane == pipeline.Bulk:
		f.Channel = workers.ChannelImport
	}
	return f
}

func (s *Server) inputError(w http.ResponseWriter, r *http.Request, err error) {
	var in *scan.InputError
	if !errors.As(err, &in) {
		s.storeError(w, r, err)
		return
	}
	status := http.StatusBadRequest
	switch in.Code {
	case scan.CodeUnsupportedType:
		status = http.StatusUnsupportedMediaType
	case scan.CodeTooLarge:
		status = http.StatusRequestEntityTooLarge
	}
	writeError(w, status, in.Code, in.Message)
}

func (s *Server) document(w http.ResponseWriter, r *http.Request) {
	if doc, ok := s.pathDocument(w, r); ok {
		s.writeDocument(w, r, http.StatusOK, doc)
	}
}

// visibleID returns the {id} path value when it names a document the principal reaches, answering
// 404 itself otherwise, the same for a document of another agency as for none.
func (s *Server) visibleID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, ok := pathID(w, r)
	return id, ok && s.visibleDocument(w, r, id)
}

// pathDocument loads the document the {id} path value names, answering the request itself when
// there is none the principal reaches.
func (s *Server) pathDocument(w http.ResponseWriter, r *http.Request) (storage.Document, bool) {
	id, ok := s.visibleID(w, r)
	if !ok {
		return storage.Document{}, false
	}
	doc, err := s.Records.Document(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return storage.Document{}, false
	}
	return doc, true
}

// signedFile reads the document's signed file whole, by the version recorded when it was archived,
// checked against its recorded SHA-256, answering the request itself when there is none yet or when
// it is not what was recorded. Reading it whole before sending a byte is what guarantees that wrong
// bytes are never served: once a streamed answer has begun, its status can no longer say it failed.
// Signed files are a few MB.
func (s *Server) signedFile(w http.ResponseWriter, r *http.Request, doc storage.Document) ([]byte, bool) {
	if doc.SignedKey == "" {
		writeError(w, http.StatusConflict, codeNotSigned, "Tài liệu chưa được ký số (trạng thái: "+statusName(doc.Status)+").")
		return nil, false
	}
	f, err := storage.ReadVerified(r.Context(), s.Objects, storage.Archive, doc.SignedKey, doc.SignedVersion, doc.SignedSHA256)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(f)
		f.Close()
	}
	if err != nil {
		s.fixityError(w, r, doc, err)
		return nil, false
	}
	return data, true
}

// fixityError answers for a signed file that could not be read: a file that is not what was
// recorded is raised (log and history) and answered 500 fixity_mismatch; a recorded version that is
// gone is one too.
func (s *Server) fixityError(w http.ResponseWriter, r *http.Request, doc storage.Document, err error) {
	problem := workers.ProblemMismatch
	switch {
	case errors.Is(err, storage.ErrFixity):
	case errors.Is(err, storage.ErrNotFound):
		problem = workers.ProblemMissing
	default:
		s.storeError(w, r, err)
		return
	}
	workers.ReportFixity(r.Context(), s.Dossiers, s.Log, workers.Finding{DocumentID: doc.ID, Key: doc.SignedKey,
		Version: doc.SignedVersion, SHA256: doc.SignedSHA256, Problem: problem, Err: err})
	_, reason, _ := fault.Reason(storage.ErrFixity)
	writeError(w, http.StatusInternalServerError, codeFixityMismatch, reason)
}

// statusName is a document status in the words the counter uses.
func statusName(status string) string {
	switch status {
	case storage.StatusReceived:
		return "đã nhận"
	case storage.StatusProcessing:
		return "đang xử lý"
	case storage.StatusDone:
		return "hoàn tất"
	case storage.StatusFailed:
		return "lỗi"
	case storage.StatusSplit:
		return "đã tách thành các giấy tờ"
	}
	return status
}

func (s *Server) writeDocument(w http.ResponseWriter, r *http.Request, code int, d storage.Document) {
	stages, err := s.Records.Stages(r.Context(), d.ID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	progress, err := s.Records.PageProgress(r.Context(), []string{d.ID})
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := toJSON(d, stages)
	withProgress(&out, progress[d.ID])
	if d.Status == storage.StatusSplit {
		parts, err := s.Records.Parts(r.Context(), d.ID)
		if err != nil {
			s.storeError(w, r, err)
			return
		}
		for _, p := range parts {
			out.Parts = append(out.Parts, PartJSON{N: p.N, DocumentID: p.DocumentID, FirstPage: p.FirstPage, LastPage: p.LastPage, DossierID: p.DossierID})
		}
	}
	writeJSON(w, code, out)
}

// withProgress adds what a document's pages tell of it: those read (pages_read) and those flagged
// that wait for a person's check (review).
func withProgress(d *Document, pp storage.PageProgress) {
	d.PagesRead = &pp.Read
	if len(pp.Waiting) > 0 {
		d.Review = pp.Waiting
	}
}

func (s *Server) pages(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	pages, err := s.Records.Pages(r.Context(), doc.ID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if !s.record(w, r, storage.Event{Action: "document.pages", DocumentID: doc.ID}) {
		return
	}
	out := make([]Page, len(pages))
	for i, pg := range pages {
		out[i] = pageJSON(pg)
	}
	writeJSON(w, http.StatusOK, out)
}

func pageJSON(pg storage.Page) Page {
	out := Page{N: pg.N, Width: pg.Width, Height: pg.Height, DPI: pg.DPIX, Format: pg.Format, Confidence: pg.Confidence,
		Review: pg.Review, ReviewedBy: pg.ReviewedBy, ReviewedAt: pg.ReviewedAt, OCRStartedAt: pg.OCRStartedAt, OCRFinishedAt: pg.OCRFinishedAt}
	if pg.OCRStartedAt != nil && pg.OCRFinishedAt != nil {
		out.Seconds = pg.OCRFinishedAt.Sub(*pg.OCRStartedAt).Seconds()
	}
	return out
}

// toJSON gives the JSON form of d; a listing passes no stages.
func toJSON(d storage.Document, stages []storage.StageRun) Document {
	out := Document{ID: d.ID, Status: d.Status, Stage: d.Stage, Error: d.Error, ErrorCode: d.ErrorCode,
		Retryable: d.Status == storage.StatusFailed && d.Retryable, Code: d.Code, Pages: d.Pages,
		Title: d.Title, Filename: d.Filename, Source: d.Source, Lane: d.Lane, Size: d.Size, SHA256: d.SHA256,
		Signed: d.SignedKey != "", SignedOriginal: d.SignedOriginal, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Stages: []Stage{}}
	if stack, ok := strings.CutPrefix(d.Source, workers.StackSource); ok {
		out.PartOf = stack
	}
	for _, st := range stages {
		js := Stage{Name: st.Name, Status: st.Status, Attempts: st.Attempts, StartedAt: st.StartedAt, FinishedAt: st.FinishedAt, Error: st.Error}
		if st.FinishedAt != nil {
			js.Seconds = st.FinishedAt.Sub(st.StartedAt).Seconds()
		}
		out.Stages = append(out.Stages, js)
	}
	return out
}

func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	data, ok := s.signedFile(w, r, doc)
	if !ok {
		return
	}
	if !s.record(w, r, storage.Event{Action: "document.file", DocumentID: doc.ID}) {
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": path.Base(doc.SignedKey)}))
	w.Header().Set("ETag", `"`+doc.SignedSHA256+`"`)
	w.Write(data)
}

func (s *Server) text(w http.ResponseWriter, r *http.Request) {
	id, ok := s.visibleID(w, r)
	if !ok {
		return
	}
	pages, err := s.Records.Text(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if !s.record(w, r, storage.Event{Action: "document.text", DocumentID: id}) {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, strings.Join(pages, "\f"))
}

func (s *Server) retry(w http.ResponseWriter, r *http.Request) {
	doc, ok := s.pathDocument(w, r)
	if !ok {
		return
	}
	switch {
	case doc.Status != storage.StatusFailed:
		// Records.Retry returns such a document unchanged; a received one would look like a new run.
		notFailed(w, doc)
		return
	case !doc.Retryable:
		writeError(w, http.StatusConflict, codeNotRetryable,
			"Làm lại không khắc phục được lỗi này ("+doc.Error+"); hãy gửi lại tệp đã sửa.")
		return
	}
	s.rerun(w, r, doc)
}

func notFailed(w http.ResponseWriter, doc storage.Document) {
	writeError(w, http.StatusConflict, codeNotFailed, "Chỉ làm lại được tài liệu bị lỗi; tài liệu này đang ở trạng thái "+statusName(doc.Status)+".")
}

// rerun starts a new run of a failed document and queues its stage, answering 202 with the
// document, or 409 when the document is not failed.
func (s *Server) rerun(w http.ResponseWriter, r *http.Request, doc storage.Document) {
	doc, err := s.Records.Retry(r.Context(), doc.ID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if doc.Status == storage.StatusReceived && !s.record(w, r, storage.Event{Action: "document.retried", DocumentID: doc.ID,
		Detail: map[string]any{"run": doc.Run, "stage": doc.Stage}}) {
		return
	}
	if doc.Status != storage.StatusReceived { // another request retried it first, and it moved on
		notFailed(w, doc)
		return
	}
	stage, err := pipeline.Parse(doc.Stage)
	if err == nil {
		_, err = s.Queue.Enqueue(r.Context(), stage, workers.PayloadOf(doc))
	}
	if err != nil {
		// The new run is recorded; the reconciler enqueues it if this did not.
		s.Log.Warn("rerun enqueue", "document", doc.ID, "error", err)
	}
	s.writeDocument(w, r, http.StatusAccepted, doc)
}
