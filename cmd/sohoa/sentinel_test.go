package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// With SOHOA_REDIS_SENTINELS, sohoa reaches its queues through three real Redis Sentinels. Its
// master is killed (SIGKILL) with a 12-paper batch part done; the Sentinels promote the replica and
// sohoa follows without a restart: every paper ends done, in its first run, with one code and one
// signed version each — nothing lost, nothing done twice. Writes the master had not replicated are
// lost with it; PostgreSQL is the truth, and the reconciler queues again what they held.
func TestRedisSentinelFailover(t *testing.T) {
	sen := testenv.StartSentinel(t)
	sys := startSystem(t, "SOHOA_REDIS_SENTINELS", strings.Join(sen.Sentinels, ","), "SOHOA_REDIS_MASTER", sen.Master,
		"SOHOA_REDIS_DB", "0", "SOHOA_RECONCILE_INTERVAL", "2s", "SOHOA_RECONCILE_IDLE", "10s")
	scan := sample(t, "dkdn.jpg")
	const papers = 12
	var ids []string
	for i := range papers {
		code, body := sys.upload(t, fmt.Sprintf("giay-%02d.jpg", i), jpegWithComment(scan, fmt.Sprintf("sentinel %d", i)))
		if code != http.StatusCreated {
			t.Fatalf("upload %d: %d %s", i, code, body)
		}
		ids = append(ids, decode[api.Document](t, body).ID)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for done(t, sys, ids) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("not two papers done within 5 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
	old := sen.KillMaster()
	if n := done(t, sys, ids); n == papers {
		t.Fatalf("the batch was done before the master was killed: this run tests nothing")
	} else {
		t.Logf("killed the master %s with %d of %d papers done", old, n, papers)
	}
	for deadline := time.Now().Add(time.Minute); sen.MasterAddr() == old; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the Sentinels did not fail over within a minute")
		}
	}
	codes := map[string]bool{}
	for _, id := range ids {
		d := sys.wait(t, id, 10*time.Minute)
		if d.Status != "done" || d.Code == "" {
			t.Errorf("%s: %s %s (%s)", id, d.Status, d.Code, d.Error)
		}
		if rec, err := sys.app.records.Document(t.Context(), id); err != nil || rec.Run != 1 {
			t.Errorf("%s is in run %d (%v): it failed and was retried", id, rec.Run, err)
		}
		codes[d.Code] = true
	}
	versions := archiveVersions(t, sys)
	if len(codes) != papers || len(versions) != papers {
		t.Errorf("%d papers have %d distinct codes and %d signed versions in the archive, want %d of each: %v", papers, len(codes), len(versions), papers, versions)
	}
}

// done counts the documents among ids that are done.
func done(t *testing.T, sys system, ids []string) int {
	n := 0
	for _, id := range ids {
		if sys.document(t, id).Status == "done" {
			n++
		}
	}
	return n
}
