// Package netns builds test hosts on one machine: Linux network namespaces joined by a bridge, each
// with an address of its own, so that what crosses the network between the hosts of a deployment
// crosses a (virtual) network in a test, and a host can be cut off from it. It needs root and
// iproute2's ip; everything it makes is removed when the test ends.
package netns

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// Net is a bridge in the machine's own namespace, at Gateway, and the hosts on it.
type Net struct {
	t       testing.TB
	id      string // names the bridge, the namespaces and the veths of this test, apart from others'
	bridge  string
	subnet  string // "10.A.B."
	Gateway string // the machine's own address on the bridge
	hosts   int
}

// Host is one network namespace on the Net.
type Host struct {
	Name, IP string
	ns, veth string // the namespace, and the veth end on the bridge
	net      *Net
}

// New makes the bridge; the test fails if this machine cannot (not root, no ip).
func New(t testing.TB) *Net {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("test hosts in network namespaces need root (CI runs as root; run the tests with sudo)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("no ip command: install iproute2 (scripts/services up does)")
	}
	b := make([]byte, 3)
	rand.Read(b)
	id := hex.EncodeToString(b[:2])
	n := &Net{t: t, id: id, bridge: "shb" + id, subnet: fmt.Sprintf("10.%d.%d.", 100+int(b[2])%100, b[0])}
	n.Gateway = n.subnet + "1"
	t.Cleanup(func() { ip(t, false, "link", "del", n.bridge) })
	ip(t, true, "link", "add", n.bridge, "type", "bridge")
	ip(t, true, "addr", "add", n.Gateway+"/24", "dev", n.bridge)
	ip(t, true, "link", "set", n.bridge, "up")
	return n
}

// Host adds a namespace named name with the next address.
func (n *Net) Host(name string) *Host {
	n.t.Helper()
	n.hosts++
	h := &Host{Name: name, IP: fmt.Sprintf("%s%d", n.subnet, 10+n.hosts), ns: "sh" + n.id + "-" + name,
		veth: fmt.Sprintf("shv%s%d", n.id, n.hosts), net: n}
	n.t.Cleanup(func() { ip(n.t, false, "netns", "del", h.ns) })
	ip(n.t, true, "netns", "add", h.ns)
	ip(n.t, true, "link", "add", h.veth, "type", "veth", "peer", "name", "eth0", "netns", h.ns)
	ip(n.t, true, "link", "set", h.veth, "master", n.bridge, "up")
	ip(n.t, true, "-n", h.ns, "addr", "add", h.IP+"/24", "dev", "eth0")
	ip(n.t, true, "-n", h.ns, "link", "set", "eth0", "up")
	ip(n.t, true, "-n", h.ns, "link", "set", "lo", "up")
	return h
}

// Command is name run on the host.
func (h *Host) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", h.ns, name}, args...)...)
}

// Cut takes the host off the network, as a pulled cable does: its connections neither end nor carry
// anything, and what it sends is lost.
func (h *Host) Cut() { ip(h.net.t, true, "link", "set", h.veth, "down") }

// Reconnect puts the cable back.
func (h *Host) Reconnect() { ip(h.net.t, true, "link", "set", h.veth, "up") }

// Forward makes target, a service of this machine (on its loopback), reachable from the hosts at the
// returned Gateway address: the machine plays the data host.
func (n *Net) Forward(target string) string {
	n.t.Helper()
	l, err := net.Listen("tcp", n.Gateway+":0")
	if err != nil {
		n.t.Fatalf("forward %s: %v", target, err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	n.t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			go pipe(in, out)
			go pipe(out, in)
		}
	}()
	return l.Addr().String()
}

func pipe(dst, src net.Conn) {
	_, err := io.Copy(dst, src)
	if err == nil || errors.Is(err, net.ErrClosed) {
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
			return
		}
	}
	dst.Close()
}

// ip runs ip(8); with must, a failure fails the test.
func ip(t testing.TB, must bool, args ...string) {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil && must {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// MinIO is a distributed MinIO: a server on each of its hosts, with drives of its own each, one
// erasure set over all the drives.
type MinIO struct {
	Endpoint             string // the first host's, host:port
	AccessKey, SecretKey string
	Drives               []string // directories, by host then drive
}

// StartMinIO runs MinIO on hosts with drives drives each and returns once the cluster answers as
// healthy (write quorum). The drives are directories of this machine: MINIO_CI_CD lets MinIO take
// drives on the root disk.
func StartMinIO(t testing.TB, bin string, hosts []*Host, drives int) *MinIO {
	t.Helper()
	root := t.TempDir()
	m := &MinIO{AccessKey: "sohoatest", SecretKey: "sohoatest-" + randomHex(8)}
	var endpoints []string
	for _, h := range hosts {
		for d := range drives {
			dir := fmt.Sprintf("%s/%s/d%d", root, h.Name, d+1)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			m.Drives = append(m.Drives, dir)
			endpoints = append(endpoints, "http://"+h.IP+":9000"+dir)
		}
	}
	m.Endpoint = hosts[0].IP + ":9000"
	for _, h := range hosts {
		cmd := h.Command(bin, append([]string{"server", "--quiet", "--address", h.IP + ":9000", "--console-address", h.IP + ":9001"}, endpoints...)...)
		cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey, "MINIO_BROWSER=off",
			"MINIO_UPDATE=off", "MINIO_CI_CD=on")
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start minio on %s: %v", h.Name, err)
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			cmd.Wait()
			if t.Failed() {
				t.Logf("minio on %s:\n%s", h.Name, lastLines(out.String(), 30))
			}
		})
	}
	deadline := time.Now().Add(time.Minute)
	for !healthy("http://" + m.Endpoint + "/minio/health/cluster") {
		if time.Now().After(deadline) {
			t.Fatal("the MinIO cluster is not healthy after a minute")
		}
		time.Sleep(200 * time.Millisecond)
	}
	return m
}

// RemoveDrive takes drive i away from under its server, as a failed disk does, and returns where its
// data went.
func (m *MinIO) RemoveDrive(t testing.TB, i int) string {
	t.Helper()
	gone := m.Drives[i] + ".removed"
	if err := os.Rename(m.Drives[i], gone); err != nil {
		t.Fatal(err)
	}
	return gone
}

func healthy(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
