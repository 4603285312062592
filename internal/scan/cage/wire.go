package cage

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sheet"
)

// What travels in childproc's frames: a request is a 4-byte big-endian length, that much JSON
// (request), then the file; an answer is a 4-byte length, that much JSON (reply), then the page
// images back to back, so that images travel as they are rather than in base64.
const (
	// Version 2 carries each page's sheet (scan.Page.Sheet).
	protoVersion = "sohoa-scan-child/2"
	maxRequest   = 1 << 30 // above any MaxBytes an operator would set
	maxHeader    = 64 << 20
)

const (
	opSplit   = "split"
	opInspect = "inspect"
	opRender  = "render"
	opText    = "text"
)

type request struct {
	Op     string             `json:"op"`
	Limits scan.Limits        `json:"limits"`
	Render scan.RenderOptions `json:"render"`
}

type reply struct {
	Err        *wireError       `json:"err,omitempty"`
	Pages      []wirePage       `json:"pages,omitempty"`
	Inspection *scan.Inspection `json:"inspection,omitempty"`
	Text       []string         `json:"text,omitempty"`

	pages []scan.Page // Pages with their images, after decoding
}

// wirePage is a scan.Page whose image follows the JSON.
type wirePage struct {
	Index         int         `json:"index"`
	Format        scan.Format `json:"format"`
	Width, Height int
	DPIX, DPIY    float64
	Size          int          `json:"size"`
	Sheet         *sheet.Sheet `json:"sheet,omitempty"`
}

// wireError is the error of a scan call: an *scan.InputError (Code set) or an internal fault.
type wireError struct {
	Code, Message string
	Detail        string // the cause, for the log
}

func toWire(err error) *wireError {
	var ie *scan.InputError
	if errors.As(err, &ie) {
		detail := ""
		if ie.Err != nil {
			detail = ie.Err.Error()
		}
		return &wireError{Code: ie.Code, Message: ie.Message, Detail: detail}
	}
	return &wireError{Detail: err.Error()}
}

func frame(head any, tail ...[]byte) ([]byte, error) {
	h, err := json.Marshal(head)
	if err != nil {
		return nil, err
	}
	n := 4 + len(h)
	for _, t := range tail {
		n += len(t)
	}
	b := make([]byte, 4, n)
	binary.BigEndian.PutUint32(b, uint32(len(h)))
	b = append(b, h...)
	for _, t := range tail {
		b = append(b, t...)
	}
	return b, nil
}

func unframe(b []byte, head any) (rest []byte, err error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("%w: %d-byte message", childproc.ErrProtocol, len(b))
	}
	n := int64(binary.BigEndian.Uint32(b))
	if n > maxHeader || n > int64(len(b)-4) {
		return nil, fmt.Errorf("%w: header of %d bytes in a %d-byte message", childproc.ErrProtocol, n, len(b))
	}
	if err := json.Unmarshal(b[4:4+n], head); err != nil {
		return nil, fmt.Errorf("%w: %w", childproc.ErrProtocol, err)
	}
	return b[4+n:], nil
}

func encodeRequest(req request, data []byte) ([]byte, error) { return frame(req, data) }

func encodeReply(rep reply, pages []scan.Page) ([]byte, error) {
	images := make([][]byte, len(pages))
	for i, p := range pages {
		rep.Pages = append(rep.Pages, wirePage{Index: p.Index, Format: p.Format, Width: p.Width, Height: p.Height,
			DPIX: p.DPIX, DPIY: p.DPIY, Size: len(p.Image), Sheet: p.Sheet})
		images[i] = p.Image
	}
	return frame(rep, images...)
}

func decodeReply(b []byte) (reply, error) {
	var rep reply
	rest, err := unframe(b, &rep)
	if err != nil {
		return reply{}, err
	}
	for _, w := range rep.Pages {
		if w.Size < 0 || w.Size > len(rest) {
			return reply{}, fmt.Errorf("%w: page %d of %d bytes, %d left", childproc.ErrProtocol, w.Index, w.Size, len(rest))
		}
		rep.pages = append(rep.pages, scan.Page{Index: w.Index, Format: w.Format, Width: w.Width, Height: w.Height,
			DPIX: w.DPIX, DPIY: w.DPIY, Image: rest[:w.Size:w.Size], Sheet: w.Sheet})
		rest = rest[w.Size:]
	}
	return rep, nil
}
