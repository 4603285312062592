package child

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// What travels in childproc's frames:
//
//	hello:   JSON ocr.Options
//	request: 8-byte big-endian float64 dpi, then the image bytes
//	answer:  JSON reply{Page} or reply{Error, Timeout}
const (
	protoVersion = "sohoa-ocr-child/2"
	maxImage     = 512 << 20 // far above any page image internal/scan lets through
	maxReply     = 64 << 20  // a dense page is a few MB of JSON words
)

// reply is the child's answer for a page.
type reply struct {
	Page    *ocr.Page `json:"page,omitempty"`
	Error   string    `json:"error,omitempty"`
	Timeout bool      `json:"timeout,omitempty"` // Error is an ocr.ErrTimeout
}

func encodeRequest(img []byte, dpi float64) []byte {
	req := make([]byte, 8+len(img))
	binary.BigEndian.PutUint64(req, math.Float64bits(dpi))
	copy(req[8:], img)
	return req
}

func decodeRequest(req []byte) (img []byte, dpi float64, err error) {
	if len(req) < 8 {
		return nil, 0, fmt.Errorf("%w: request of %d bytes has no dpi", childproc.ErrProtocol, len(req))
	}
	return req[8:], math.Float64frombits(binary.BigEndian.Uint64(req)), nil
}

func decodeReply(b []byte) (*ocr.Page, error) {
	var rep reply
	if err := json.Unmarshal(b, &rep); err != nil {
		return nil, fmt.Errorf("%w: reply: %w", childproc.ErrProtocol, err)
	}
	switch {
	case rep.Error != "":
		return nil, &remoteError{msg: rep.Error, timeout: rep.Timeout}
	case rep.Page == nil:
		return nil, fmt.Errorf("%w: reply has neither page nor error", childproc.ErrProtocol)
	}
	return rep.Page, nil
}
