// Package testenv gives integration tests their own real services: a MinIO server on a free port
// with a temporary directory, a fresh PostgreSQL database, and a Redis database of their own, so tests
// never touch a developer's data. It fails the test, with the command that fixes it, when a service
// or tool is missing: a skipped integration test would hide exactly what CI is there to catch.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"
)

// Env variables read here, with their defaults.
const (
	envMinio    = "SOHOA_MINIO_BIN"     // path of the minio server binary; else PATH, then $GOPATH/bin
	envPostgres = "SOHOA_TEST_POSTGRES" // admin URL of a server where test databases may be created
	envRedis    = "SOHOA_TEST_REDIS"    // host:port of a Redis server
	fixHint     = "run: scripts/services up"
)

// MinIO is a MinIO server owned by one test. Stop and Start let a test take it away and bring it
// back on the same address and data, as an outage would.
type MinIO struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string

	t    testing.TB
	args []string
	env  []string
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *strings.Builder
}

// StartMinIO starts a MinIO server on a free loopback port with a temporary data directory, and
// stops it when the test ends. env adds NAME=value settings, such as notification targets.
func StartMinIO(t testing.TB, env ...string) *MinIO {
	t.Helper()
	bin := MinIOBinary()
	if bin == "" {
		t.Fatalf("no minio server binary (set %s or put minio on PATH); %s", envMinio, fixHint)
	}
	addr := freeAddr(t)
	m := &MinIO{Endpoint: addr, AccessKey: "sohoatest", SecretKey: "sohoatest-" + randomHex(8), t: t}
	m.args = []string{bin, "server", "--quiet", "--address", addr, "--console-address", freeAddr(t), t.TempDir()}
	m.env = append(os.Environ(), "MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	m.env = append(m.env, env...)
	t.Cleanup(m.Stop)
	m.Start()
	return m
}

// Start starts the server again after Stop, on the same address and data, and waits until it is
// ready.
func (m *MinIO) Start() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return
	}
	cmd := exec.Command(m.args[0], m.args[1:]...)
	cmd.Env = m.env
	m.out = &strings.Builder{}
	cmd.Stdout, cmd.Stderr = m.out, m.out
	if err := cmd.Start(); err != nil {
		m.t.Fatalf("start minio: %v", err)
	}
	m.cmd, m.done = cmd, make(chan struct{})
	go func(done chan struct{}) { cmd.Wait(); close(done) }(m.done)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + m.Endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-m.done:
			m.t.Fatalf("minio exited: %s", m.out.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			m.t.Fatalf("minio not ready after 30 s: %s", m.out.String())
		}
	}
}

// Stop stops the server, keeping its data, and returns once it has exited.
func (m *MinIO) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd == nil {
		return
	}
	m.cmd.Process.Signal(os.Interrupt)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		m.cmd.Process.Kill()
		<-m.done
	}
	m.cmd = nil
}

// MinIOBinary finds the minio server binary, or returns "".
func MinIOBinary() string {
	if p := os.Getenv(envMinio); p != "" {
		return p
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "minio")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Webhook returns the MinIO settings of a webhook notification target named id that posts to
// endpoint with token, and the target's ARN.
func Webhook(id, endpoint, token string) (env []string, arn string) {
	return []string{
		"MINIO_NOTIFY_WEBHOOK_ENABLE_" + id + "=on",
		"MINIO_NOTIFY_WEBHOOK_ENDPOINT_" + id + "=" + endpoint,
		"MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_" + id + "=" + token,
	}, "arn:minio:sqs::" + id + ":webhook"
}

// Postgres creates a fresh database for the test, drops it when the test ends, and returns its URL.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := adminURL()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s: %v; %s", admin, err, fixHint)
	}
	defer conn.Close(ctx)
	name := "sohoa_test_" + randomHex(6)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u := strings.Replace(admin, "/postgres?", "/"+name+"?", 1)
	if u == admin {
		t.Fatalf("%s must end in /postgres?...", envPostgres)
	}
	return u
}

// serviceRole is the PostgreSQL role sohoa's services connect as in the tests, as in production: it
// owns no table and gets its rights from the migrations' GrantService. One role serves every test
// database (a role is the cluster's, a grant the database's).
const serviceRole = "sohoa_service"

// ServiceURL returns url (a database from Postgres) connecting as the services' role, made when
// missing. Rights are granted by sohoa's migrations, run as url's role.
func ServiceURL(t testing.TB, dbURL string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		t.Fatalf("connect to PostgreSQL: %v; %s", err, fixHint)
	}
	defer conn.Close(ctx)
	// Test binaries run at once: the loser of the race finds the role made (42710) and goes on.
	_, err = conn.Exec(ctx, `CREATE ROLE `+serviceRole+` LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`)
	var pgErr *pgconn.PgError
	if err != nil && !(errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "23505")) {
		t.Fatalf("create role %s: %v", serviceRole, err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(serviceRole)
	return u.String()
}

// Redis returns the address and a database number that this test has to itself, flushed now and
// again when the test ends. Claims are kept in database 0, not in the claimed database: a test that
// flushes its own database (as one that loses Redis does) must not make it look free to another test
// binary running beside it, which would flush it in turn.
func Redis(t testing.TB) (addr string, db int) {
	t.Helper()
	addr = os.Getenv(envRedis)
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	ctx := context.Background()
	registry := redis.NewClient(&redis.Options{Addr: addr, DB: 0})
	t.Cleanup(func() { registry.Close() })
	for db = 1; db < 16; db++ {
		claim := fmt.Sprintf("sohoa:testenv:claim:%d", db)
		// Longer than CI may run, so a claim outlives its test binary only when that binary was killed.
		ok, err := registry.SetNX(ctx, claim, os.Getpid(), 2*time.Hour).Result()
		if err != nil {
			t.Fatalf("redis at %s: %v; %s", addr, err, fixHint)
		}
		if !ok {
			continue
		}
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db})
		if err := c.FlushDB(ctx).Err(); err != nil {
			t.Fatalf("flush redis db %d: %v", db, err)
		}
		t.Cleanup(func() {
			c.FlushDB(ctx)
			c.Close()
			registry.Del(ctx, claim)
		})
		return addr, db
	}
	t.Fatalf("no free Redis database on %s (1..15 all claimed in database 0 as sohoa:testenv:claim:N)", addr)
	return "", 0
}

// CutPostgres cuts every connection to the database at url and refuses new ones, as a database
// restart or a network cut does, until the returned function is called (or the test ends).
func CutPostgres(t testing.TB, url string) (restore func()) {
	t.Helper()
	ctx := context.Background()
	admin := adminURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s: %v; %s", admin, err, fixHint)
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	name := pgx.Identifier{cfg.Database}.Sanitize()
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS false"); err != nil {
		t.Fatalf("refuse connections to %s: %v", name, err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, cfg.Database); err != nil {
		t.Fatalf("cut connections to %s: %v", name, err)
	}
	var once sync.Once
	restore = func() {
		once.Do(func() {
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true"); err != nil {
				t.Errorf("allow connections to %s again: %v", name, err)
			}
		})
	}
	t.Cleanup(restore)
	return restore
}

func adminURL() string {
	if u := os.Getenv(envPostgres); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Need fails the test unless each named command is on PATH.
func Need(t testing.TB, commands ...string) {
	t.Helper()
	for _, c := range commands {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("%s is not installed; %s", c, fixHint)
		}
	}
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Samples returns the folder of sample files: ../shared/samples beside the repository when it is
// there (the project's shared copy), else the repository's own testdata.
func Samples(t testing.TB) string {
	t.Helper()
	root := RepoRoot(t)
	shared := filepath.Join(root, "..", "shared", "samples")
	if _, err := os.Stat(filepath.Join(shared, "scans")); err == nil {
		return shared
	}
	return filepath.Join(root, "testdata")
}

// RepoRoot returns the folder holding go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// SingleThreadedTesseract makes a test binary run Tesseract as sohoa does, one core per page: it
// re-executes the binary with OMP_THREAD_LIMIT=1 unless that is set, because libgomp reads the
// variable when it is loaded, before main. Call it first in TestMain.
func SingleThreadedTesseract() {
	if os.Getenv("OMP_THREAD_LIMIT") != "" {
		return
	}
	err := syscall.Exec(os.Args[0], os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
	fmt.Fprintln(os.Stderr, "re-execute with OMP_THREAD_LIMIT=1:", err)
	os.Exit(2)
}

// Run runs a tool the tests check their output with (pdftotext, qpdf, …) and returns what it
// printed. A missing tool or a failing run fails the test, with the tool's output.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	Need(t, name)
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// PDFSig runs poppler's pdfsig on file and returns its report. pdfsig exits non-zero whenever a
// certificate is not trusted by its own store, which a development root never is, so its exit
// status is ignored: callers assert on the report's lines.
func PDFSig(t testing.TB, file string) string {
	t.Helper()
	Need(t, "pdfsig")
	out, _ := exec.Command("pdfsig", file).CombinedOutput()
	return string(out)
}

// Buffer collects what concurrent writers write (a process's output, a logger's lines) for a test
// to read while they still write.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
