package workers

import (
	"context"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/storage"
)

// code gives the document its code in the agency's sequence for the day it was received. Until
// dossiers arrive as such, each uploaded document is a dossier of its own.
func (h *Handlers) code(ctx context.Context, doc storage.Document) error {
	day := doc.CreatedAt.In(code.Vietnam)
	_, err := h.Records.AssignCode(ctx, doc.ID, h.Agency, day, func(seq int) (string, error) {
		c, err := code.Dossier(h.Agency, day, seq)
		if err != nil {
			return "", fault.Tell("code", fault.Refused, "code_unavailable", fmt.Sprintf(
				"Không cấp được mã hồ sơ cho cơ quan %s ngày %s: mã cơ quan không hợp lệ hoặc đã hết số thứ tự trong ngày.",
				h.Agency, day.Format("02/01/2006")), err)
		}
		return c, nil
	})
	return err
}
