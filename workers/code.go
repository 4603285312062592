package workers

import (
	"context"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// code gives the document its code in the agency's sequence for the day it was received. Until
// dossiers arrive as such, each uploaded document is a dossier of its own.
func (h *Handlers) code(ctx context.Context, doc storage.Document) error {
	day := doc.CreatedAt.In(code.Vietnam)
	_, err := h.Records.AssignCode(ctx, doc.ID, h.Agency, day, func(seq int) (string, error) {
		c, err := code.Dossier(h.Agency, day, seq)
		if err != nil {
			return "", pipeline.Permanent(err)
		}
		return c, nil
	})
	return err
}
