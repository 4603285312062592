package child

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// engine is what a child needs of an ocr.Engine; tests put a crashing one in its place.
type engine interface {
	RecognizeDPI(ctx context.Context, img []byte, dpi float64) (*ocr.Page, error)
	Close() error
}

func newEngine(o ocr.Options) (engine, error) { return ocr.NewEngineWith(o) }

// Main is the body of the ocr-child command.
func Main() error { return mainWith(newEngine) }

func mainWith(newEngine func(ocr.Options) (engine, error)) error {
	return childproc.Main(protoVersion, 8+maxImage, initWith(newEngine))
}

// initWith loads the engine with the options of the parent's hello, so parent and child never
// disagree about languages or limits.
func initWith(newEngine func(ocr.Options) (engine, error)) childproc.Init {
	return func(hello []byte) (childproc.Handler, func() error, error) {
		var opts ocr.Options
		if err := json.Unmarshal(hello, &opts); err != nil {
			return nil, nil, fmt.Errorf("ocr child: decode options: %w", err)
		}
		eng, err := newEngine(opts)
		if err != nil {
			return nil, nil, err
		}
		h := func(ctx context.Context, req []byte) ([]byte, error) {
			img, dpi, err := decodeRequest(req)
			if err != nil {
				return nil, err
			}
			page, err := eng.RecognizeDPI(ctx, img, dpi)
			rep := reply{Page: page}
			if err != nil {
				rep = reply{Error: err.Error(), Timeout: errors.Is(err, ocr.ErrTimeout)}
			}
			return json.Marshal(rep)
		}
		return h, eng.Close, nil
	}
}
