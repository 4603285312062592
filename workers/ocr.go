package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/storage"
)

// EnginePool lends Tesseract engines to handlers. Engines are made on first use and kept, because
// loading the Vietnamese model is a large part of a page's time; there are never more than the worker's
// concurrency, as each handler goroutine holds at most one.
type EnginePool struct {
	free      chan *ocr.Engine
	languages []string
}

// NewEnginePool makes a pool of at most size engines for languages.
func NewEnginePool(size int, languages ...string) *EnginePool {
	return &EnginePool{free: make(chan *ocr.Engine, size), languages: languages}
}

func (p *EnginePool) get() (*ocr.Engine, error) {
	select {
	case e := <-p.free:
		return e, nil
	default:
		return ocr.NewEngine(p.languages...)
	}
}

func (p *EnginePool) put(e *ocr.Engine) {
	select {
	case p.free <- e:
	default:
		e.Close()
	}
}

// Close closes the idle engines.
func (p *EnginePool) Close() {
	for {
		select {
		case e := <-p.free:
			e.Close()
		default:
			return
		}
	}
}

// ocr reads every page. Pages run one after another within the task here; fanning them out as tasks
// of their own is the next step for long dossiers.
func (h *Handlers) ocr(ctx context.Context, doc storage.Document) error {
	pages, err := h.Records.Pages(ctx, doc.ID)
	if err != nil {
		return err
	}
	engine, err := h.OCR.get()
	if err != nil {
		return fmt.Errorf("ocr engine: %w", err)
	}
	defer h.OCR.put(engine)
	for _, pg := range pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		img, err := h.read(ctx, storage.Work, pg.ImageKey)
		if err != nil {
			return err
		}
		res, err := engine.Recognize(ctx, img)
		if err != nil {
			return fmt.Errorf("ocr page %d of %s: %w", pg.N, doc.ID, err)
		}
		body, err := json.Marshal(res)
		if err != nil {
			return fmt.Errorf("ocr page %d of %s: %w", pg.N, doc.ID, err)
		}
		key := ocrKey(doc.ID, pg.N)
		if _, err := h.Objects.Put(ctx, storage.Work, key, bytes.NewReader(body), int64(len(body)), "application/json"); err != nil {
			return err
		}
		if err := h.Records.SetPageText(ctx, doc.ID, pg.N, key, res.Text, res.Confidence); err != nil {
			return err
		}
	}
	return nil
}
