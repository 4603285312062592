package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/minio/minio-go/v7"
	"github.com/redis/go-redis/v9"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/storage"
)

// TestHardenedSystem runs sohoa as production would face the network (a public URL, a Redis with a
// password, the sweep too slow to matter) and shows that a state-changing request from another site,
// or with text/plain, is refused, while sohoa's page, programs and MinIO's webhook get through and a
// scan goes all the way to signed. The request log never holds the owner's ID or the search text.
func TestHardenedSystem(t *testing.T) {
	const public = "https://sohoa.example.vn"
	svc := newServices(t)
	svc.redisAddr, svc.redisDB = redisWithPassword(t, "redis-s3cret"), 0
	sys := startSystemOn(t, svc, "SOHOA_PUBLIC_URL", public, "SOHOA_REDIS_PASSWORD", "redis-s3cret", "SOHOA_SWEEP_INTERVAL", "1h")
	if err := redis.NewClient(&redis.Options{Addr: svc.redisAddr}).Ping(t.Context()).Err(); err == nil || !strings.Contains(err.Error(), "NOAUTH") {
		t.Fatalf("the Redis takes clients without the password: %v", err)
	}
	const owner = "001099012345"
	dossier := `{"owner_id": "` + owner + `", "owner_name": "Nguyễn Văn An", "procedure_code": "1.001234", "procedure_name": "Đăng ký khai sinh"}`
	data, err := os.ReadFile(filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png"))
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name        string
		method      string
		path        string
		contentType string
		body        []byte
		headers     []string
		status      int
		code        string
	}{
		{"foreign Origin", "POST", "/api/v1/dossiers", "application/json", []byte(dossier), []string{"Origin", "https://evil.example"}, 403, "bad_origin"},
		{"foreign Origin, upload", "POST", "/api/v1/documents", "", data, []string{"Origin", "https://evil.example"}, 403, "bad_origin"},
		{"cross-site fetch", "PUT", "/api/v1/documents/0b0e5b8c-3f4a-4d8e-9c61-2a7f5d9e1b20/paper", "application/json", []byte(`{}`), []string{"Sec-Fetch-Site", "cross-site"}, 403, "bad_origin"},
		{"text/plain", "POST", "/api/v1/dossiers", "text/plain", []byte(dossier), nil, 415, "unsupported_media_type"},
		{"text/plain from the page", "POST", "/api/v1/dossiers", "text/plain;charset=UTF-8", []byte(dossier), []string{"Origin", public}, 415, "unsupported_media_type"},
		{"another host", "GET", "/api/v1/documents", "", nil, []string{"Host", "evil.example"}, 421, "bad_host"},
		{"the page", "POST", "/api/v1/dossiers", "application/json", []byte(dossier), []string{"Origin", public, "Sec-Fetch-Site", "same-origin"}, 201, ""},
		{"a program", "POST", "/api/v1/dossiers", "application/json", []byte(dossier), nil, 201, ""},
		{"a read from elsewhere", "GET", "/api/v1/owners/" + owner + "/documents?valid=true&purpose=e2e", "", nil, []string{"Origin", "https://evil.example"}, 200, ""},
		{"a search", "GET", "/api/v1/search?q=" + url.QueryEscape("Nguyễn Văn An"), "", nil, nil, 200, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader
			ct := c.contentType
			if c.path == "/api/v1/documents" {
				body, ct = formFile("khai-sinh.png", c.body)
			} else if c.body != nil {
				body = bytes.NewReader(c.body)
			}
			req, err := http.NewRequest(c.method, sys.base+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			for i := 0; i+1 < len(c.headers); i += 2 {
				req.Header.Set(c.headers[i], c.headers[i+1])
			}
			if h := req.Header.Get("Host"); h != "" {
				req.Host = h
			}
			req.Header.Set("Authorization", "Bearer "+sys.token) // what every request carries now; the guard comes first
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, b)
			}
			if c.code != "" {
				if e := decode[struct{ Error, Code string }](t, b); e.Code != c.code || e.Error == "" {
					t.Errorf("answer %s, want code %s", b, c.code)
				}
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
	if n := countDocuments(t, sys); n != 0 {
		t.Fatalf("the refused upload made %d documents", n)
	}

	// The normal flows: an upload from sohoa's page goes to signed (through Asynq on the Redis with
	// a password), and a file a scanner station puts into the inbox arrives through MinIO's webhook.
	code, body := uploadFrom(t, sys, public, "khai-sinh.png", data)
	if code != http.StatusCreated {
		t.Fatalf("upload from the page: %d %s", code, body)
	}
	up := decode[api.Document](t, body)
	station := append(bytes.Clone(data), "trạm quét 1"...) // other bytes: another document
	if _, err := sys.s3.PutObject(t.Context(), sys.inbox, "tram-1/khai-sinh.png", bytes.NewReader(station), int64(len(station)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := sys.wait(t, up.ID, 3*time.Minute); d.Status != "done" {
		t.Fatalf("uploaded document: %s %s (%s)", d.Status, d.Stage, d.Error)
	}
	viaHook := sys.waitFor(t, fmt.Sprintf("%x", sha256.Sum256(station)), time.Minute)
	if d := sys.wait(t, viaHook, 3*time.Minute); d.Status != "done" {
		t.Fatalf("document from the inbox: %s %s (%s)", d.Status, d.Stage, d.Error)
	}

	if err := healthcheckAt(t, svc.addr); err != nil {
		t.Errorf("sohoa healthcheck on a running sohoa: %v", err)
	}
	sys.stop()
	if err := healthcheckAt(t, svc.addr); err == nil {
		t.Error("sohoa healthcheck passes with sohoa stopped")
	}

	log, err := os.ReadFile(sys.log)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), `route="POST /api/v1/inbox/events" status=204`) {
		t.Errorf("no webhook request got through:\n%s", log)
	}
	for _, secret := range []string{owner, "Nguy", url.QueryEscape("Nguyễn")} {
		if strings.Contains(string(log), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// uploadFrom uploads data as sohoa's own page at origin does.
func uploadFrom(t *testing.T, sys system, origin, name string, data []byte) (int, []byte) {
	t.Helper()
	body, ct := formFile(name, data)
	req, _ := http.NewRequest(http.MethodPost, sys.base+"/api/v1/documents", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Authorization", "Bearer "+sys.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// formFile is data as the multipart field "file" named name, and its content type.
func formFile(name string, data []byte) (*bytes.Buffer, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return &b, mw.FormDataContentType()
}

func countDocuments(t *testing.T, sys system) int {
	t.Helper()
	code, body := sys.get(t, "/api/v1/documents")
	if code != http.StatusOK {
		t.Fatalf("list: %d %s", code, body)
	}
	return decode[api.DocumentList](t, body).Total
}

// waitFor waits until a document with these bytes exists and returns its ID.
func (s system) waitFor(t *testing.T, sha string, limit time.Duration) string {
	t.Helper()
	for deadline := time.Now().Add(limit); ; time.Sleep(200 * time.Millisecond) {
		if l := decode[api.DocumentList](t, s.get200(t, "/api/v1/documents?sha256="+sha)); len(l.Documents) == 1 {
			return l.Documents[0].ID
		}
		if time.Now().After(deadline) {
			t.Fatalf("no document with sha256 %s after %v", sha, limit)
		}
	}
}

// healthcheckAt runs `sohoa healthcheck` as the Docker health check does, against addr.
func healthcheckAt(t *testing.T, addr string) error {
	t.Setenv("SOHOA_HTTP_ADDR", addr)
	return run(t.Context(), []string{"healthcheck"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// redisWithPassword starts a Redis server of the test's own that takes only clients with password.
func redisWithPassword(t *testing.T, password string) string {
	t.Helper()
	testenv.Need(t, "redis-server")
	addr := freeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--requirepass", password,
		"--save", "", "--appendonly", "no", "--dir", t.TempDir())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	rdb := redis.NewClient(&redis.Options{Addr: addr, Password: password})
	defer rdb.Close()
	for deadline := time.Now().Add(10 * time.Second); rdb.Ping(t.Context()).Err() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer: %s", addr, out.String())
		}
	}
	return addr
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// With SOHOA_TLS_CERT and SOHOA_TLS_KEY, sohoa serves HTTPS only, says so with HSTS, and
// `sohoa healthcheck` still finds it.
func TestServeHTTPS(t *testing.T) {
	certFile, keyFile, pool := tlsCert(t)
	addr := freeAddr(t)
	cfg := configOf(t, map[string]string{"SOHOA_HTTP_ADDR": addr, "SOHOA_TLS_CERT": certFile, "SOHOA_TLS_KEY": keyFile})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &api.Server{Log: log, Guard: guardOf(cfg)}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serveHTTP(ctx, cfg, log, srv.Handler()) }()

	for deadline := time.Now().Add(10 * time.Second); healthcheck(t.Context(), cfg.LocalURL()) != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no HTTPS on %s: %v", addr, healthcheck(t.Context(), cfg.LocalURL()))
		}
	}
	if cfg.LocalURL() != "https://"+addr {
		t.Errorf("local URL %q", cfg.LocalURL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Strict-Transport-Security") == "" || resp.TLS == nil {
		t.Errorf("HTTPS /healthz: %d, HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	if !srv.Guard.Secure() || !srv.Guard.Cookie("s", "v", time.Hour).Secure {
		t.Error("cookies are not Secure over TLS")
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP is answered on the HTTPS port")
		}
	}
	if err := healthcheckAt(t, addr); err == nil {
		t.Error("sohoa healthcheck over plain HTTP passes against an HTTPS server")
	}
	t.Setenv("SOHOA_TLS_CERT", certFile)
	t.Setenv("SOHOA_TLS_KEY", keyFile)
	if err := healthcheckAt(t, addr); err != nil {
		t.Errorf("sohoa healthcheck with TLS configured: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serveHTTP stopped with %v", err)
	}
}

// The server's read timeout lets the largest upload in at the minimum rate; headers and idle
// connections are cut much sooner.
func TestHTTPServerTimeouts(t *testing.T) {
	cfg := configOf(t, map[string]string{"SOHOA_MAX_UPLOAD_MB": "200", "SOHOA_UPLOAD_MIN_RATE_KB": "32"})
	srv := httpServer(cfg, http.NotFoundHandler())
	slowest := time.Duration(200<<20/(32<<10)) * time.Second
	if srv.ReadTimeout < slowest || srv.ReadHeaderTimeout == 0 || srv.ReadHeaderTimeout > 30*time.Second || srv.IdleTimeout == 0 {
		t.Errorf("read %v (a 200 MB upload at 32 KB/s takes %v), header %v, idle %v", srv.ReadTimeout, slowest, srv.ReadHeaderTimeout, srv.IdleTimeout)
	}
}

// tlsCert writes a self-signed certificate for 127.0.0.1 and returns its files and a pool trusting it.
func tlsCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sohoa test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// Production refuses a superuser database role and development warns of it; a role that only owns
// sohoa's database starts in production, and can apply the migrations (unaccent is a trusted
// extension).
func TestDatabaseRole(t *testing.T) {
	ctx := t.Context()
	role := "sohoa_app_" + fmt.Sprint(time.Now().UnixNano()%1e9)
	admin, err := pgx.Connect(ctx, testenv.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE ROLE "+role+" LOGIN"); err != nil {
		t.Fatal(err)
	}
	// Registered before the database: cleanups run last first, so the database (whose tables the
	// role owns) is dropped before the role.
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), admin.Config().ConnString()); err == nil {
			c.Exec(context.Background(), "DROP ROLE IF EXISTS "+role)
			c.Close(context.Background())
		}
	})
	super := testenv.Postgres(t)
	dbName := strings.TrimPrefix(mustParse(t, super).Path, "/")
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+dbName+" OWNER TO "+role); err != nil {
		t.Fatal(err)
	}
	u := mustParse(t, super)
	u.User = url.User(role)
	owner := u.String()

	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	prod := configOf(t, map[string]string{"SOHOA_DATABASE_URL": super})
	prod.Env = "production" // the rest of a production configuration does not matter here
	if err := checkRole(ctx, prod, log); err == nil || !strings.Contains(err.Error(), "superuser") {
		t.Errorf("production as a superuser: %v", err)
	}
	dev := prod
	dev.Env = "development"
	if err := checkRole(ctx, dev, log); err != nil || !strings.Contains(logged.String(), "superuser") {
		t.Errorf("development as a superuser: %v, log %q", err, logged.String())
	}
	prod.DatabaseURL = owner
	if err := checkRole(ctx, prod, log); err != nil {
		t.Errorf("production as the database's owner: %v", err)
	}
	migrations, err := schemasMigrations()
	if err != nil {
		t.Fatal(err)
	}
	records, err := storage.OpenPostgres(ctx, owner, migrations)
	if err != nil {
		t.Fatalf("migrations as the database's owner: %v", err)
	}
	records.Close()
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
