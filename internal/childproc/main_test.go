package childproc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	testName  = "test-child"
	testProto = "sohoa-test-child/1"
)

// TestMain doubles as the child: the pools under test start this test binary with testName.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == testName {
		if err := Main(testProto, 0, testInit); err != nil {
			fmt.Fprintln(os.Stderr, "test child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testInit refuses the hello "refuse", as a child whose models are missing would.
func testInit(hello []byte) (Handler, func() error, error) {
	if string(hello) == "refuse" {
		return nil, nil, errors.New("no such model: refuse")
	}
	return testHandler, nil, nil
}

var sink [][]byte

// testHandler misbehaves on request, as a parser meeting a hostile file would.
func testHandler(_ context.Context, req []byte) ([]byte, error) {
	cmd, arg, _ := strings.Cut(string(req), ":")
	switch cmd {
	case "echo":
		return []byte(arg), nil
	case "fail":
		return nil, errors.New("bad input: " + arg)
	case "crash":
		fmt.Fprintln(os.Stderr, "test child: crashing on purpose")
		syscall.Kill(os.Getpid(), syscall.SIGSEGV)
		select {}
	case "hang":
		time.Sleep(time.Hour)
	case "junk":
		fmt.Println("junk a library printed on stdout")
		os.Stdout.Write([]byte{0, 0, 0, 9, '{'})
		return []byte("after junk"), nil
	case "alloc": // MB, every page written, as a decoder fills its buffers
		mb, _ := strconv.Atoi(arg)
		for range mb / 16 {
			b := make([]byte, 16<<20)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			sink = append(sink, b)
		}
		sink = nil
		return []byte("allocated " + arg), nil
	case "spawn": // a grandchild, as pdftoppm started by the child
		c := exec.Command("sleep", "600")
		if err := c.Start(); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "grandchild %d\n", c.Process.Pid)
		time.Sleep(time.Hour)
	}
	return nil, fmt.Errorf("unknown test request %q", req)
}
