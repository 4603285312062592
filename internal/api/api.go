// Package api serves sohoa's HTTP interface: the JSON API under /api/v1 (described in
// schemas/openapi.yaml), the health checks, and the web pages counter staff and archivists use.
package api

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// Intake takes uploads and inbox notifications in (workers.Intake).
type Intake interface {
	Receive(ctx context.Context, r io.Reader, filename string, from workers.From) (storage.Document, bool, error)
	Notified(ctx context.Context, key string) error
}

// Check is one readiness check of a service sohoa depends on.
type Check struct {
	Name string
	Ping func(context.Context) error
}

// Server holds the API's dependencies.
type Server struct {
	Records  storage.Records
	Dossiers storage.Dossiers
	Accounts storage.Accounts
	Trail    storage.Trail
	Stations storage.Stations
	Reports  storage.Reports
	Objects  storage.Objects
	Intake   Intake
	Queue    workers.Enqueuer
	Checks   []Check
	Log      *slog.Logger
	Clock    clock.Clock // nil: the wall clock

	signInsOnce    sync.Once
	signInFailures *throttle
	thumbsOnce     sync.Once
	thumbs         chan struct{} // a slot per thumbnail being made (pageimage.go)

	// InboxBucket is the real name of the inbox bucket, whose notifications EventsToken authorises
	// (an empty token turns notifications off).
	InboxBucket string
	EventsToken string

	// Agency is the receiving agency's QCVN 102 identifier, the left part of its codes.
	Agency, AgencyName string

	// Roots are the certificates signatures are verified against; nil means the system's.
	Roots *x509.CertPool

	// Guard is what every request passes before its handler (harden.go).
	Guard Guard

	// Metrics serves the Prometheus metrics (internal/metrics) at /metrics to whoever sends
	// MetricsToken as a bearer token; nil or an empty token: 404.
	Metrics      http.Handler
	MetricsToken string
	// Queues is the queue view (asynqmon), mounted at QueuesPath for admins; nil: 404.
	Queues http.Handler
}

// route is one API endpoint and who may call it; schemas/openapi.yaml describes each (a test
// checks), and a test walks them all with every role (the matrix in the README).
type route struct {
	method, path string
	handle       http.HandlerFunc
	access       access
}

func (s *Server) routes() []route {
	const (
		station, clerk, archivist, auditor, admin = account.Station, account.Clerk, account.Archivist, account.Auditor, account.Admin
	)
	everyone := roles(account.Roles...)
	adminPage := access{roles: []account.Role{admin}, page: true}
	return []route{
		{"POST", "/api/v1/session", s.signIn, openToAll},
		{"GET", "/api/v1/session", s.me, everyone},
		{"DELETE", "/api/v1/session", s.signOut, everyone},
		{"POST", "/api/v1/documents", s.upload, roles(station, clerk, admin)},
		{"GET", "/api/v1/documents", s.list, roles(station, clerk, archivist, admin)},
		{"GET", "/api/v1/documents/{id}", s.document, roles(station, clerk, archivist, admin)},
		{"GET", "/api/v1/documents/{id}/file", s.file, readers},
		{"GET", "/api/v1/documents/{id}/text", s.text, readers},
		{"GET", "/api/v1/documents/{id}/pages", s.pages, readers},
		{"GET", "/api/v1/documents/{id}/pages/{n}/image", s.pageImage, readers},
		{"POST", "/api/v1/documents/{id}/pages/{n}/review", s.reviewPage, editors},
		{"GET", "/api/v1/documents/{id}/history", s.documentHistory, readers},
		{"POST", "/api/v1/documents/{id}/retry", s.retry, readers},
		{"POST", "/api/v1/documents/{id}/accept-signature", s.acceptSignature, roles(archivist, admin)},
		{"GET", "/api/v1/documents/{id}/verification", s.verification, readers},
		{"GET", "/api/v1/documents/{id}/metadata", s.metadata, readers},
		{"PUT", "/api/v1/documents/{id}/paper", s.setPaper, editors},
		{"POST", "/api/v1/dossiers", s.createDossier, counter},
		{"GET", "/api/v1/dossiers/{id}", s.dossier, readers},
		{"GET", "/api/v1/dossiers/{id}/dvcqg", s.dossierDVCQG, readers},
		{"GET", "/api/v1/dvcqg", s.dvcqgExport, readers},
		{"GET", "/api/v1/dossiers/{id}/eark", s.dossierEARK, roles(archivist, admin)},
		{"GET", "/api/v1/dossiers/{id}/receipt", s.dossierReceipt, counter},
		{"GET", "/api/v1/dossiers/{id}/cover", s.dossierCover, counter},
		{"GET", "/api/v1/dossiers/{id}/separator", s.dossierSeparator, counter},
		{"GET", "/api/v1/separator", s.separator, counter},
		{"POST", "/api/v1/dossiers/{id}/documents", s.addDocument, roles(station, clerk, admin)},
		{"POST", "/api/v1/dossiers/{id}/reuse", s.reuse, counter},
		{"GET", "/api/v1/owners/{id}/documents", s.ownerDocuments, counter},
		{"GET", "/api/v1/search", s.search, readers},
		{"GET", "/api/v1/audit", s.audit, roles(auditor, admin)},
		{"POST", "/api/v1/stations/report", s.reportStation, roles(station)},
		{"GET", "/api/v1/accounts", s.listAccounts, roles(admin)},
		{"POST", "/api/v1/accounts", s.createAccount, roles(admin)},
		{"POST", "/api/v1/accounts/{name}/disable", s.disableAccount, roles(admin)},
		{"POST", "/api/v1/accounts/{name}/password", s.resetPassword, roles(admin)},
		{"POST", "/api/v1/accounts/{name}/tokens", s.createToken, roles(admin)},
		{"GET", "/api/v1/tokens", s.listTokens, roles(admin)},
		{"DELETE", "/api/v1/tokens/{id}", s.revokeToken, roles(admin)},
		{"GET", "/api/v1/agencies", s.listAgencies, everyone},
		{"POST", "/api/v1/agencies", s.addAgency, roles(admin)},
		{"GET", "/api/v1/procedures", s.procedures, counter},
		{"GET", "/api/v1/reports/indicators", s.indicators, roles(clerk, archivist, auditor, admin)},
		{"GET", "/api/v1/stations", s.stations, roles(admin)},
		{"POST", "/api/v1/inbox/events", s.inboxEvents, byEventsToken},
		{"GET", "/metrics", s.metrics, byMetricsToken},
		// The queue view's page, assets and API are all under its prefix.
		{"GET", QueuesPath + "/", s.queues, adminPage},
		{"POST", QueuesPath + "/", s.queues, adminPage},
		{"DELETE", QueuesPath + "/", s.queues, adminPage},
		{"GET", "/healthz", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}, openToAll},
		{"GET", "/readyz", s.ready, openToAll},
	}
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.HandleFunc(r.method+" "+r.path, s.guard(r.access, r.handle))
	}
	mux.Handle("GET /", webHandler()) // the page and its assets: open, they hold no data
	return s.logged(mux, s.harden(mux))
}

func (s *Server) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	status, code := map[string]string{}, http.StatusOK
	for _, c := range s.Checks {
		if err := c.Ping(ctx); err != nil {
			status[c.Name], code = err.Error(), http.StatusServiceUnavailable
		} else {
			status[c.Name] = "ok"
		}
	}
	writeJSON(w, code, status)
}

// storeError answers for an error from storage: 404 for ErrNotFound, else 500 with the details logged
// and not shown.
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusNotFound, codeNotFound, "Không tìm thấy tài liệu.")
		return
	}
	if errors.Is(err, fault.Unavailable) {
		s.Log.Warn("request waits for a service", "route", r.Pattern, "error", err)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, codeUnavailable, "Hệ thống tạm thời không kết nối được cơ sở dữ liệu hoặc kho lưu trữ; vui lòng thử lại sau ít phút.")
		return
	}
	s.Log.Error("request failed", "route", r.Pattern, "error", err)
	writeError(w, http.StatusInternalServerError, codeInternal, "Lỗi máy chủ; vui lòng thử lại sau.")
}

// readJSON decodes a request's JSON body (64 KB at most) into v, answering 400 bad_request itself
// when it cannot.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Nội dung yêu cầu không đọc được: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// The stable codes of the API's own error answers. Those of bad scans and bad identifiers come from
// scan and identity; openapi.yaml lists them all (a test checks).
const (
	codeBadRequest          = "bad_request"   // the request body or form cannot be read
	codeMissing             = "missing_field" // a required field or parameter is absent
	codeBadDate             = "bad_date"      // a date not written YYYY-MM-DD
	codeNotFound            = "not_found"     // no such document or dossier, or an ID that cannot be one
	codeNotSigned           = "not_signed"    // the document has no signed file yet
	codeNotFailed           = "not_failed"    // only a failed document can be retried
	codeNotRetryable        = "not_retryable" // the failure is the input's: a retry cannot help
	codeNotReusable         = "not_reusable"  // the paper cannot be reused for this dossier
	codePageNotRead         = "page_not_read" // the page has no text yet to check
	codeUnreadableSignature = "unreadable_signature"
	codeUnauthorized        = "unauthorized"      // no live credential
	codeForbidden           = "forbidden"         // the account's role may not do this
	codeBadCredentials      = "bad_credentials"   // a wrong account name or password
	codeAccountLocked       = "account_locked"    // too many wrong passwords in a row; wait
	codeTooManyAttempts     = "too_many_attempts" // too many failed sign-ins from one client; wait
	codePurpose             = "purpose_required"
	codeDuplicateElsewhere  = "duplicate_elsewhere" // the same bytes are another agency's or owner's paper
	codeNotificationsOff    = "notifications_off"
	codeExists              = "exists"      // an account or agency of that name or ID is there already
	codeInternal            = "internal"    // details are in the operators' log
	codeUnavailable         = "unavailable" // a store did not answer; try again shortly
	// codeFixityMismatch: the signed file is not what was recorded when it was archived (storage.ErrFixity);
	// it is not served.
	codeFixityMismatch = "fixity_mismatch"
)

// errorBody is every error answer: a reason a person can read, and a stable code for programs.
type errorBody struct {
	Error string `json:"error"`
	Code  string `json:"code"`
}

func writeError(w http.ResponseWriter, status int, code, reason string) {
	writeJSON(w, status, errorBody{Error: reason, Code: code})
}

// logged logs each request served by next with its route in mux: the pattern, never the path or
// query, which carry personal IDs (/api/v1/owners/{id}/documents) and what people searched for.
func (s *Server) logged(mux *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		_, route := mux.Handler(r)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		s.Log.Info("http", "method", r.Method, "route", route, "status", rec.status, "ms", time.Since(start).Milliseconds())
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// Unwrap lets http.ResponseController reach the connection (the guard's read deadlines).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
