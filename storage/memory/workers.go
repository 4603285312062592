package memory

import (
	"context"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// withGen is the document with the generation of its current stage.
func (d *document) withGen() storage.Document {
	doc := d.Document
	if r := d.stageRun(d.Run, d.Stage); r != nil {
		doc.Gen = r.gen
	}
	return doc
}

func (s *Store) Heartbeat(ctx context.Context, w storage.Worker) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.workers[w.ID] = s.now()
	return nil
}

func (s *Store) Leave(ctx context.Context, id string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(s.workers, id)
	return nil
}

func (s *Store) TakeOver(ctx context.Context, deadAfter time.Duration) ([]storage.Claim, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	dead := func(worker string) bool {
		seen, ok := s.workers[worker]
		return worker != "" && (!ok || s.now().Sub(seen) > deadAfter)
	}
	var out []storage.Claim
	for _, d := range s.docs {
		if d.Status != storage.StatusProcessing {
			continue
		}
		if d.Stage == "ocr" {
			for i := range d.pages {
				if p := &d.pages[i]; !p.recognized && dead(p.Worker) {
					p.Worker, p.Gen = "", p.Gen+1
					out = append(out, storage.Claim{Document: d.ID, Run: d.Run, Stage: "ocr", Page: p.N, Gen: p.Gen})
				}
			}
		}
		if r := d.stageRun(d.Run, d.Stage); r != nil && r.Status == "running" && dead(r.worker) {
			r.worker, r.gen = "", r.gen+1
			out = append(out, storage.Claim{Document: d.ID, Run: d.Run, Stage: d.Stage, Gen: r.gen})
		}
	}
	return out, nil
}

func (s *Store) Identity(ctx context.Context) (string, error) { return s.identity, ctx.Err() }
