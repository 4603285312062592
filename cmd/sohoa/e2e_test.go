package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/redis/go-redis/v9"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/internal/sign/tsa"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/internal/testenv/s3users"
	"github.com/sohoa-vn/sohoa/storage"
)

var (
	codePattern      = regexp.MustCompile(`^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$`)
	componentPattern = regexp.MustCompile(`^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-(TP|KQ)\d{6}$`)
)

// system is one sohoa process (API and workers) on its own MinIO, PostgreSQL database and Redis
// database.
type system struct {
	base  string // http://host:port
	s3    *minio.Client
	inbox string // bucket name
	app   *app
	redis *redis.Client // sohoa's Redis database
	db    string        // sohoa's PostgreSQL database URL, as the services' role
	owner string        // the same database as the role that owns the tables
	token string        // an admin's API token, which the requests below send
	minio *testenv.MinIO
	log   string // sohoa's log file
	stop  func() // stops sohoa (the test's end does too)

	station *minio.Client     // a scanner station's: write-only into the inbox
	env     map[string]string // sohoa's environment
}

// services are what a system runs on. Tests that give two systems the same MinIO or Redis, or take
// one away, make their own; startSystem makes fresh ones.
type services struct {
	minio     *testenv.MinIO
	arn       string // the MinIO webhook target's ARN, posting to addr
	addr      string // sohoa's HTTP address
	db        string
	redisAddr string
	redisDB   int
	tsaDown   *atomic.Bool // when set, the TSA answers 503 while it is true
}

// newServices starts a MinIO whose webhook target posts to a free address sohoa will listen on, and
// takes a fresh PostgreSQL database and Redis database.
func newServices(t testing.TB) services {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	hook, arn := testenv.Webhook("SOHOA", "http://"+addr+"/api/v1/inbox/events", "e2e-token")
	svc := services{minio: testenv.StartMinIO(t, hook...), arn: arn, addr: addr, db: testenv.Postgres(t)}
	svc.redisAddr, svc.redisDB = testenv.Redis(t)
	return svc
}

// startSystem starts sohoa with settings overridden by the NAME, value pairs in overrides. MinIO
// notifies sohoa of inbox objects through a webhook target unless SOHOA_S3_NOTIFY_ARN is set to "".
func startSystem(t testing.TB, overrides ...string) system {
	t.Helper()
	return startSystemOn(t, newServices(t), overrides...)
}

// startSystemOn starts sohoa on svc.
func startSystemOn(t testing.TB, svc services, overrides ...string) system {
	t.Helper()
	env := systemEnv(t, svc, overrides...)
	cfg := configOf(t, env)
	logFile, err := os.Create(filepath.Join(t.TempDir(), "sohoa.log"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logFile, nil))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := open(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, true, true) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("sohoa stopped with %v", err)
			}
			a.Close()
			if t.Failed() {
				b, _ := os.ReadFile(logFile.Name())
				t.Logf("sohoa log, requests left out:\n%s", tail(withoutRequests(string(b)), 80))
			}
		})
	}
	t.Cleanup(stop)
	sys := connect(t, cfg)
	sys.app, sys.log, sys.stop, sys.minio, sys.env = a, logFile.Name(), stop, svc.minio, env
	sys.token = sys.newToken(t, "e2e-admin", "admin", cfg.Agency)
	station := s3users.Provision(t, svc.minio, cfg.BucketPrefix).Station
	if sys.station, err = minio.New(cfg.S3Endpoint, &minio.Options{Creds: credentials.NewStaticV4(station.AccessKey, station.SecretKey, "")}); err != nil {
		t.Fatal(err)
	}
	sys.waitReady(t)
	return sys
}

// newToken makes an account (unless it exists) with role in agency through the commands an
// administrator runs, and returns an API token of it.
func (s system) newToken(t testing.TB, name, role, agency string) string {
	t.Helper()
	if _, err := s.app.records.Account(t.Context(), name); errors.Is(err, storage.ErrNotFound) {
		s.command(t, "users", "add", name, "--role", role, "--agency", agency)
	}
	out := strings.TrimSpace(s.command(t, "tokens", "add", name))
	return out[strings.LastIndex(out, "\n")+1:]
}

// command runs a `sohoa users|tokens|agencies|audit` command on the system's database and returns
// what it printed; it fails the test when the command fails.
func (s system) command(t testing.TB, args ...string) string {
	t.Helper()
	return s.commandWithInput(t, "", args...)
}

// commandWithInput is command with stdin as the command's standard input (--password-stdin).
func (s system) commandWithInput(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := accountCommand(t.Context(), s.app.records, s.app.cfg.Agency, args, strings.NewReader(stdin), &out); err != nil {
		t.Fatalf("sohoa %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// connect gives a test the clients of the services a system described by cfg runs on.
func connect(t testing.TB, cfg config.Config) system {
	t.Helper()
	s3, err := minio.New(cfg.S3Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.S3AccessKey, cfg.S3SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: cfg.RedisAddr, DB: cfg.RedisDB})
	t.Cleanup(func() { rdb.Close() })
	return system{base: "http://" + cfg.HTTPAddr, s3: s3, inbox: cfg.BucketPrefix + "inbox", redis: rdb, db: cfg.DatabaseURL,
		owner: cfg.MigrateDatabaseURL}
}

// waitReady waits until the system's /readyz answers 200.
func (s system) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("sohoa not ready after 30 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func configOf(t testing.TB, env map[string]string) config.Config {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// systemEnv is the environment of a system on svc, with the NAME, value pairs of overrides.
func systemEnv(t testing.TB, svc services, overrides ...string) map[string]string {
	t.Helper()
	testenv.Need(t, "pdfsig", "pdftotext", "qpdf")
	m, addr, dbURL, redisAddr, redisDB, arn := svc.minio, svc.addr, svc.db, svc.redisAddr, svc.redisDB, svc.arn
	dataDir := t.TempDir()
	for i := 0; i+1 < len(overrides); i += 2 {
		if overrides[i] == "SOHOA_DATA_DIR" { // the test made keys there already
			dataDir = overrides[i+1]
		}
	}
	prefix := "e2e-"
	for i := 0; i+1 < len(overrides); i += 2 {
		if overrides[i] == "SOHOA_S3_BUCKET_PREFIX" {
			prefix = overrides[i+1]
		}
	}
	// sohoa runs as its own S3 user, set up as scripts/services sets it up: it cannot delete archive
	// versions or change bucket settings.
	own := s3users.Provision(t, m, prefix).Service
	tsaURL := startTSA(t, filepath.Join(dataDir, "keys"))
	if svc.tsaDown != nil {
		tsaURL = gate(t, tsaURL, svc.tsaDown)
	}
	env := map[string]string{
		"SOHOA_TSA_URL":       tsaURL,
		"SOHOA_S3_NOTIFY_ARN": arn, "SOHOA_INBOX_EVENTS_TOKEN": "e2e-token",
		"SOHOA_HTTP_ADDR": addr, "SOHOA_DATABASE_URL": testenv.ServiceURL(t, dbURL), "SOHOA_MIGRATE_DATABASE_URL": dbURL,
		"SOHOA_REDIS_ADDR": redisAddr, "SOHOA_REDIS_DB": fmt.Sprint(redisDB),
		"SOHOA_S3_ENDPOINT": m.Endpoint, "SOHOA_S3_ACCESS_KEY": own.AccessKey, "SOHOA_S3_SECRET_KEY": own.SecretKey,
		"SOHOA_S3_BUCKET_PREFIX": prefix, "SOHOA_DATA_DIR": dataDir, "SOHOA_AGENCY_ID": "000.00.53.H26",
		"SOHOA_SWEEP_INTERVAL": "1s", "SOHOA_RECONCILE_INTERVAL": "2s", "SOHOA_RECONCILE_IDLE": "20s",
		"SOHOA_CONCURRENCY": "2",
	}
	for i := 0; i+1 < len(overrides); i += 2 {
		env[overrides[i]] = overrides[i+1]
	}
	return env
}

// upload posts a file and returns the HTTP status and body.
func (s system) upload(t testing.TB, name string, data []byte) (int, []byte) {
	t.Helper()
	return s.uploadTo(t, "/api/v1/documents", name, data)
}

func (s system) uploadTo(t testing.TB, path, name string, data []byte) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return s.send(t, http.MethodPost, path, mw.FormDataContentType(), &body)
}

func (s system) get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	return s.send(t, http.MethodGet, path, "", nil)
}

// send sends a request with the system's token and returns the status and body of the answer.
func (s system) send(t testing.TB, method, path, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// as returns the system sending token.
func (s system) as(token string) system {
	s.token = token
	return s
}

func (s system) document(t testing.TB, id string) api.Document {
	t.Helper()
	code, body := s.get(t, "/api/v1/documents/"+id)
	if code != http.StatusOK {
		t.Fatalf("GET document %s: %d %s", id, code, body)
	}
	var d api.Document
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatalf("document %s: %v in %s", id, err, body)
	}
	return d
}

// wait polls until the document is done or failed.
func (s system) wait(t testing.TB, id string, limit time.Duration) api.Document {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		d := s.document(t, id)
		if storage.Terminal(d.Status) {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("document %s still %s at stage %s after %v", id, d.Status, d.Stage, limit)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// startTSA runs an RFC 3161 timestamp authority with the development TSA key made in keyDir, as
// the tests' stand-in for a real one, and returns its URL.
func startTSA(t testing.TB, keyDir string) string {
	t.Helper()
	files, err := sign.DevKeys(keyDir, "Bộ phận Một cửa (kiểm thử)", false)
	if err != nil {
		t.Fatal(err)
	}
	key, err := sign.LoadPEM(files.TSACert, files.TSAKey)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := tsa.New(key.Chain, key.Key)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

// withoutRequests drops the HTTP request lines of a log, mostly the test's own polling.
func withoutRequests(log string) string {
	var kept []string
	for _, l := range strings.Split(log, "\n") {
		if !strings.Contains(l, "msg=http ") {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
