package memory

import (
	"context"
	"slices"

	"github.com/sohoa-vn/sohoa/storage"
)

func (s *Store) Split(ctx context.Context, c storage.Claim, parts []storage.Part) error {
	_, err := withCurrent(ctx, s, c, true, func(d *document) (any, error) {
		for _, p := range parts {
			if !slices.ContainsFunc(d.parts, func(q storage.Part) bool { return q.N == p.N }) {
				d.parts = append(d.parts, p)
			}
		}
		slices.SortFunc(d.parts, func(a, b storage.Part) int { return a.N - b.N })
		s.finishStage(d, c.Run, c.Stage, "")
		d.Status = storage.StatusSplit
		return nil, nil
	})
	return err
}

func (s *Store) Parts(ctx context.Context, id string) ([]storage.Part, error) {
	return withDocument(ctx, s, id, func(d *document) ([]storage.Part, error) {
		return slices.Clone(d.parts), nil
	})
}
