package cage

import (
	"context"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/scan"
)

// Main is the body of the scan-child command.
func Main() error { return childproc.Main(protoVersion, maxRequest, initChild) }

func initChild([]byte) (childproc.Handler, func() error, error) { return handle, nil, nil }

// handle runs one scan call on the file. Its errors travel in the reply, so that an InputError
// keeps its code and reason; the returned error is only for a request that makes no sense.
func handle(ctx context.Context, b []byte) ([]byte, error) {
	var req request
	data, err := unframe(b, &req)
	if err != nil {
		return nil, err
	}
	var rep reply
	var pages []scan.Page
	switch req.Op {
	case opSplit:
		pages, err = scan.Split(ctx, data, req.Limits)
	case opInspect:
		var in scan.Inspection
		if in, err = scan.Inspect(ctx, data, req.Limits); err == nil {
			rep.Inspection = &in
		}
	case opRender:
		pages, err = scan.Render(ctx, data, req.Limits, req.Render)
	case opText:
		rep.Text, err = scan.Text(ctx, data, req.Limits)
	default:
		return nil, fmt.Errorf("scan child: unknown operation %q", req.Op)
	}
	if err != nil {
		return encodeReply(reply{Err: toWire(err)}, nil)
	}
	return encodeReply(rep, pages)
}
