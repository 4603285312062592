package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/internal/testenv/netns"
)

// TestSeveralHosts runs sohoa as a province would on several hosts, each a network namespace of its
// own on one bridge: an API host (`sohoa serve`), two worker hosts (`sohoa worker`), MinIO
// distributed over two hosts with two drives each (one erasure set of 4 drives), and this machine
// as the data host (PostgreSQL, Redis, the TSA). A batch of 10 ten-page scans (100 pages) goes in;
// with pages read on both workers, one worker host is cut off the network, as a pulled cable does;
// later one MinIO drive is taken away. The other worker takes over the cut one's work, reads and
// writes go on, and every paper ends done with one code and one signed version, each signature
// valid when read back on the degraded cluster. Then the cut host comes back: its stale work is
// refused and nothing changes.
func TestSeveralHosts(t *testing.T) {
	net := netns.New(t)
	apiHost, w1, w2 := net.Host("api"), net.Host("w1"), net.Host("w2")
	m := netns.StartMinIO(t, testenv.MinIOBinary(), []*netns.Host{net.Host("minio1"), net.Host("minio2")}, 2)
	db := testenv.Postgres(t)
	redisAddr, redisDB := testenv.Redis(t)
	pgAddr, redisFwd := net.Forward("127.0.0.1:5432"), net.Forward(redisAddr)
	svc := services{minio: &testenv.MinIO{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey},
		addr: apiHost.IP + ":8080", db: db, redisAddr: redisFwd, redisDB: redisDB}
	env := systemEnv(t, svc, "SOHOA_S3_NOTIFY_ARN", "", "SOHOA_CONCURRENCY", "1", "SOHOA_BULK_CONCURRENCY", "1",
		"SOHOA_RECONCILE_IDLE", "15s")
	for _, k := range []string{"SOHOA_DATABASE_URL", "SOHOA_MIGRATE_DATABASE_URL"} {
		env[k] = withHost(t, env[k], pgAddr)
	}
	tsa, err := url.Parse(env["SOHOA_TSA_URL"])
	if err != nil {
		t.Fatal(err)
	}
	env["SOHOA_TSA_URL"] = "http://" + net.Forward(tsa.Host)

	bin := buildSohoa(t)
	serve := startProcessOn(t, apiHost, bin, env, "serve")
	serve.waitReady(t)
	sys := serve.sys
	workers := map[string]*process{"w1": startProcessOn(t, w1, bin, env, "worker"), "w2": startProcessOn(t, w2, bin, env, "worker")}

	var ids []string
	for _, file := range tenPagePDFs(t, t.TempDir(), "hosts", 10) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		code, body := sys.upload(t, file[strings.LastIndex(file, "/")+1:], data)
		if code != 201 {
			t.Fatalf("upload: %d %s", code, body)
		}
		ids = append(ids, decode[api.Document](t, body).ID)
	}
	waitUntil(t, "pages read on both worker hosts", 10*time.Minute, func() bool {
		return strings.Contains(workers["w1"].output(), `msg="page read"`) && strings.Contains(workers["w2"].output(), `msg="page read"`)
	})
	w1.Cut()
	t.Logf("cut w1 off with %d of 100 pages read", pagesRead(t, env))
	waitUntil(t, "half the pages read", 15*time.Minute, func() bool { return pagesRead(t, env) >= 50 })
	m.RemoveDrive(t, 0)
	t.Logf("removed a MinIO drive with %d pages read", pagesRead(t, env))
	codes := map[string]bool{}
	for _, id := range ids {
		d := sys.wait(t, id, 20*time.Minute)
		if d.Status != "done" || d.Pages != 10 || d.Code == "" {
			t.Errorf("%s: %s, %d pages, code %q (%s)", id, d.Status, d.Pages, d.Code, d.Error)
		}
		codes[d.Code] = true
	}
	if !strings.Contains(workers["w2"].output(), "took over the work of a dead worker") {
		t.Error("w2 never took over w1's work: the cut did not leave work behind, and this run tests less than it says")
	}
	before := archiveVersions(t, sys)
	w1.Reconnect()
	// w1's heartbeat and its stale work reach the data host again; give them time to be refused.
	waitUntil(t, "w1 to speak to the data host again", 2*time.Minute, func() bool { return workerBeats(t, env, workers["w1"].cmd.Process.Pid) })
	time.Sleep(10 * time.Second)
	after := archiveVersions(t, sys)
	if len(codes) != len(ids) || len(before) != len(ids) || len(after) != len(before) {
		t.Errorf("%d papers: %d distinct codes, %d signed versions before w1 came back and %d after; want %d of each",
			len(ids), len(codes), len(before), len(after), len(ids))
	}
	for _, id := range ids {
		if !verification(t, sys, id).Valid {
			t.Errorf("%s: the signature read back from the degraded cluster is not valid", id)
		}
	}
}

// withHost is the PostgreSQL URL u with its host:port replaced by addr.
func withHost(t *testing.T, u, addr string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	parsed.Host = addr
	return parsed.String()
}

func waitUntil(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not %s within %v", what, limit)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// pagesRead counts the pages whose text is recorded.
func pagesRead(t *testing.T, env map[string]string) int {
	var n int
	query(t, env, `SELECT count(*) FROM pages WHERE ocr_key IS NOT NULL`, &n)
	return n
}

// workerBeats reports whether the worker process pid beat in the last few seconds. (The hosts share
// this machine's host name: a network namespace is not a UTS one.)
func workerBeats(t *testing.T, env map[string]string, pid int) bool {
	var n int
	query(t, env, fmt.Sprintf(`SELECT count(*) FROM workers WHERE pid = %d AND seen_at > now() - interval '4 seconds'`, pid), &n)
	return n > 0
}

func query(t *testing.T, env map[string]string, sql string, dst any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, env["SOHOA_MIGRATE_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql).Scan(dst); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
