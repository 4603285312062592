package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Sentinel is a Redis master with one replica, watched by three Redis Sentinels that fail over to
// the replica when the master stops answering for a second: what a province runs for its queues,
// on this machine's redis-server.
type Sentinel struct {
	Master    string               // the name the Sentinels know the master by
	Sentinels []string             // their host:port
	servers   map[string]*exec.Cmd // the master's and the replica's redis-server, by address
	t         testing.TB
}

// StartSentinel starts the master, the replica and the Sentinels, and returns once the Sentinels
// see the replica; everything stops when the test ends.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	Need(t, "redis-server")
	s := &Sentinel{Master: "sohoa-test", servers: map[string]*exec.Cmd{}, t: t}
	master, replica := freeAddr(t), freeAddr(t)
	s.servers[master] = s.start(master, redisArgs(t, master))
	s.servers[replica] = s.start(replica, append(redisArgs(t, replica), "--replicaof", "127.0.0.1", port(master)))
	for range 3 {
		addr := freeAddr(t)
		conf := filepath.Join(t.TempDir(), "sentinel.conf")
		text := fmt.Sprintf("port %s\nbind 127.0.0.1\nsentinel monitor %s 127.0.0.1 %s 2\nsentinel down-after-milliseconds %[2]s 1000\nsentinel failover-timeout %[2]s 10000\n",
			port(addr), s.Master, port(master))
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		s.start(addr, []string{"redis-server", conf, "--sentinel"})
		s.Sentinels = append(s.Sentinels, addr)
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.replicas() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the Sentinels did not see the replica within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s
}

// redisArgs runs a server on addr that keeps nothing on disk but what a replica's first sync
// writes, in a directory of the test's.
func redisArgs(t testing.TB, addr string) []string {
	return []string{"redis-server", "--bind", "127.0.0.1", "--port", port(addr), "--save", "", "--appendonly", "no",
		"--dir", t.TempDir(), "--repl-diskless-sync", "yes"}
}

// start runs args, a server that will listen on addr, and waits until it does.
func (s *Sentinel) start(addr string, args []string) *exec.Cmd {
	cmd := exec.Command(args[0], args[1:]...)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start %v: %v", args, err)
	}
	s.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if s.t.Failed() {
			s.t.Logf("%v:\n%s", args, tail(out.String(), 20))
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return cmd
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%v does not listen on %s after 10 s: %s", args, addr, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// MasterAddr is the master's address as the first Sentinel that answers names it.
func (s *Sentinel) MasterAddr() string {
	for _, a := range s.Sentinels {
		c := redis.NewSentinelClient(&redis.Options{Addr: a})
		addr, err := c.GetMasterAddrByName(context.Background(), s.Master).Result()
		c.Close()
		if err == nil && len(addr) == 2 {
			return addr[0] + ":" + addr[1]
		}
	}
	return ""
}

// KillMaster kills the current master's redis-server (SIGKILL: what it has not replicated is lost,
// as in a crash) and returns its address.
func (s *Sentinel) KillMaster() string {
	s.t.Helper()
	addr := s.MasterAddr()
	cmd, ok := s.servers[addr]
	if !ok {
		s.t.Fatalf("the Sentinels name %q, not a server of this test", addr)
	}
	cmd.Process.Kill()
	return addr
}

func (s *Sentinel) replicas() int {
	c := redis.NewSentinelClient(&redis.Options{Addr: s.Sentinels[0]})
	defer c.Close()
	r, err := c.Replicas(context.Background(), s.Master).Result()
	if err != nil {
		return 0
	}
	return len(r)
}

func port(addr string) string { _, p, _ := net.SplitHostPort(addr); return p }

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
