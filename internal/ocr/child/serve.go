package child

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"syscall"

	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// engine is what a child needs of an ocr.Engine; tests put a crashing one in its place.
type engine interface {
	RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*ocr.Page, error)
	Close() error
}

func newEngine(o ocr.Options) (engine, error) { return ocr.NewEngineWith(o) }

// Main is the body of the ocr-child command. It keeps the protocol off file descriptor 1: the
// protocol moves to a duplicate of it, and fd 1 becomes a copy of stderr, so whatever Tesseract,
// Leptonica or Go code prints to stdout ends up in the log instead of corrupting a reply.
func Main() error { return mainWith(newEngine) }

func mainWith(newEngine func(ocr.Options) (engine, error)) error {
	fd, err := syscall.Dup(1)
	if err != nil {
		return fmt.Errorf("ocr child: duplicate stdout: %w", err)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.Dup3(2, 1, 0); err != nil {
		return fmt.Errorf("ocr child: point stdout at stderr: %w", err)
	}
	out := os.NewFile(uintptr(fd), "ocr-child-protocol")
	defer out.Close()
	return serve(os.Stdin, out, newEngine)
}

// Serve answers the pool's requests on in and out until in closes. The options come from the
// parent's hello, so parent and child never disagree about languages or limits.
func Serve(in io.Reader, out io.Writer) error { return serve(in, out, newEngine) }

func serve(in io.Reader, out io.Writer, newEngine func(ocr.Options) (engine, error)) error {
	r := bufio.NewReader(in)
	hello, err := readFrame(r, maxHello)
	if err != nil {
		return fmt.Errorf("ocr child: read hello: %w", err)
	}
	var opts ocr.Options
	if err := json.Unmarshal(hello, &opts); err != nil {
		return fmt.Errorf("ocr child: decode options: %w", err)
	}
	eng, err := newEngine(opts)
	if err != nil {
		// The parent reports the reason; the write error, if any, says less.
		_ = writeReply(out, reply{Proto: protoVersion, Error: err.Error()})
		return err
	}
	defer eng.Close()
	if err := writeReply(out, reply{Proto: protoVersion}); err != nil {
		return fmt.Errorf("ocr child: answer hello: %w", err)
	}
	for {
		req, err := readFrame(r, 8+maxImage)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("ocr child: read request: %w", err)
		}
		if len(req) < 8 {
			return fmt.Errorf("%w: request of %d bytes has no dpi", errProtocol, len(req))
		}
		dpi := math.Float64frombits(binary.BigEndian.Uint64(req))
		page, err := eng.RecognizeDPI(context.Background(), req[8:], dpi)
		rep := reply{Page: page}
		if err != nil {
			rep = reply{Error: err.Error(), Timeout: errors.Is(err, ocr.ErrTimeout)}
		}
		if err := writeReply(out, rep); err != nil {
			return fmt.Errorf("ocr child: answer: %w", err)
		}
	}
}
