package childproc

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// The protocol: every message is a frame, a 4-byte big-endian length and that many bytes.
//
//	parent → child   hello:   Config.Hello
//	child  → parent          JSON helloReply{Proto, Error}; after an Error the child exits
//	parent → child   request: the caller's bytes
//	child  → parent          one status byte (statusOK, statusError), then the answer or the
//	                          handler's error message
//
// One request at a time; the parent closes stdin to end the child. Lengths are bounded on both
// sides.
const (
	maxHello        = 1 << 20
	defaultMaxReq   = 512 << 20
	defaultMaxReply = 64 << 20

	statusOK    byte = 0
	statusError byte = 1
)

type helloReply struct {
	Proto string `json:"proto"`
	Error string `json:"error,omitempty"`
}

func writeFrame(w io.Writer, parts ...[]byte) error {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if uint64(n) > 1<<32-1 {
		return fmt.Errorf("%w: frame of %d bytes does not fit its length field", ErrProtocol, n)
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
		return nil, fmt.Errorf("%w: frame of %d bytes is over the %d byte limit", ErrProtocol, n, max)
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

func writeHelloReply(w io.Writer, rep helloReply) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode hello reply: %w", err)
	}
	return writeFrame(w, b)
}

func readHelloReply(r io.Reader) (helloReply, error) {
	var rep helloReply
	b, err := readFrame(r, maxHello)
	if err != nil {
		return rep, err
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		return rep, fmt.Errorf("%w: hello reply: %w", ErrProtocol, err)
	}
	return rep, nil
}

// readReply reads an answer: the handler's bytes, or its error as a *RemoteError.
func readReply(r io.Reader, max int) ([]byte, error) {
	b, err := readFrame(r, max+1)
	if err != nil {
		return nil, err
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty reply", ErrProtocol)
	}
	switch b[0] {
	case statusOK:
		return b[1:], nil
	case statusError:
		return nil, &RemoteError{Msg: string(b[1:])}
	}
	return nil, fmt.Errorf("%w: reply status %d", ErrProtocol, b[0])
}
