package childproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// Handler answers one request in the child. An error goes back to the caller as a *RemoteError and
// the child lives on.
type Handler func(ctx context.Context, req []byte) ([]byte, error)

// Init makes a child's handler from the parent's hello; closer, if not nil, runs when the child ends.
type Init func(hello []byte) (h Handler, closer func() error, err error)

// Main is the body of a child command. It keeps the protocol off file descriptor 1: the protocol
// moves to a duplicate of it, and fd 1 becomes a copy of stderr, so whatever C libraries or Go code
// print to stdout ends up in the log instead of corrupting a reply.
func Main(proto string, maxRequest int, init Init) error {
	fd, err := syscall.Dup(1)
	if err != nil {
		return fmt.Errorf("child: duplicate stdout: %w", err)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.Dup3(2, 1, 0); err != nil {
		return fmt.Errorf("child: point stdout at stderr: %w", err)
	}
	out := os.NewFile(uintptr(fd), "child-protocol")
	defer out.Close()
	return Serve(os.Stdin, out, proto, maxRequest, init)
}

// Serve answers the parent's requests on in and out until in closes. maxRequest zero means the
// default of Config.MaxRequest.
func Serve(in io.Reader, out io.Writer, proto string, maxRequest int, init Init) error {
	if maxRequest <= 0 {
		maxRequest = defaultMaxReq
	}
	r := bufio.NewReader(in)
	hello, err := readFrame(r, maxHello)
	if err != nil {
		return fmt.Errorf("child: read hello: %w", err)
	}
	h, closer, err := init(hello)
	if err != nil {
		// The parent reports the reason; the write error, if any, says less.
		_ = writeHelloReply(out, helloReply{Proto: proto, Error: err.Error()})
		return err
	}
	if closer != nil {
		defer closer()
	}
	if err := writeHelloReply(out, helloReply{Proto: proto}); err != nil {
		return fmt.Errorf("child: answer hello: %w", err)
	}
	for {
		req, err := readFrame(r, maxRequest)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("child: read request: %w", err)
		}
		// The parent kills the child to stop a request, so the handler's context never ends.
		rep, err := h(context.Background(), req)
		status := []byte{statusOK}
		if err != nil {
			status[0], rep = statusError, []byte(err.Error())
		}
		if err := writeFrame(out, status, rep); err != nil {
			return fmt.Errorf("child: answer: %w", err)
		}
	}
}
