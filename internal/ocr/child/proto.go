package child

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// The protocol: every message is a frame, a 4-byte big-endian length and that many bytes.
//
//	parent → child   hello:   JSON ocr.Options
//	child  → parent          JSON reply{Proto, Error}; after an Error the child exits
//	parent → child   page:    8-byte big-endian float64 dpi, then the image bytes
//	child  → parent          JSON reply{Page} or reply{Error, Timeout}
//
// One page at a time; the parent closes stdin to end the child. Lengths are bounded on both sides so
// a stray write into the channel (a library printing to stdout) is caught as a protocol error rather
// than read as a gigabyte-long frame.
const (
	protoVersion = "sohoa-ocr-child/1"
	maxHello     = 64 << 10
	maxImage     = 512 << 20 // far above any page image internal/scan lets through
	maxReply     = 64 << 20  // a dense page is a few MB of JSON words
)

// reply is every message the child sends.
type reply struct {
	Proto   string    `json:"proto,omitempty"` // set in the answer to hello
	Page    *ocr.Page `json:"page,omitempty"`
	Error   string    `json:"error,omitempty"`
	Timeout bool      `json:"timeout,omitempty"` // Error is an ocr.ErrTimeout
}

// errProtocol marks malformed frames and replies, as opposed to a channel that closed.
var errProtocol = errors.New("ocr child protocol")

func writeFrame(w io.Writer, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(n))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// readFrame reads one frame of at most max bytes. It returns io.EOF only when the channel closed
// between frames.
func readFrame(r io.Reader, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int64(binary.BigEndian.Uint32(hdr[:]))
	if n > int64(max) {
		return nil, fmt.Errorf("%w: frame of %d bytes is over the %d byte limit", errProtocol, n, max)
	}
	// ReadAll grows the buffer as bytes arrive, so a bogus length costs nothing until they do.
	b, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) < n {
		return nil, io.ErrUnexpectedEOF
	}
	return b, nil
}

func writeReply(w io.Writer, rep reply) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	return writeFrame(w, b)
}

func readReply(r io.Reader) (reply, error) {
	var rep reply
	b, err := readFrame(r, maxReply)
	if err != nil {
		return rep, err
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("%w: reply: %w", errProtocol, err)
	}
	return rep, nil
}
