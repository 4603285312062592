package cage

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/childproc"
)

// crashFile makes the test child die as a decoder's segfault would. No file crashing the installed
// Leptonica 1.82 / libtiff 4.5.0 was found, so a crash is simulated to test what the pool makes of
// one.
const crashFile = "%PDF-1.7 CRASH"

// TestMain doubles as the child: the pools under test start this test binary with Command.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == Command {
		init := func([]byte) (childproc.Handler, func() error, error) { return crashing, nil, nil }
		if err := childproc.Main(protoVersion, maxRequest, init); err != nil {
			fmt.Fprintln(os.Stderr, "scan child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func crashing(ctx context.Context, b []byte) ([]byte, error) {
	var req request
	if data, err := unframe(b, &req); err == nil && string(data) == crashFile {
		fmt.Fprintln(os.Stderr, "test child: crashing on purpose")
		syscall.Kill(os.Getpid(), syscall.SIGSEGV)
		select {}
	}
	return handle(ctx, b)
}
