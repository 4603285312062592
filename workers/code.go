package workers

import (
	"cmp"
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
	agency := cmp.Or(doc.Agency, h.Agency) // the receiving agency's; documents from before accounts have none
	_, err := h.Records.AssignCode(ctx, doc.ID, agency, day, func(seq int) (string, error) {
		c, err := code.Dossier(agency, day, seq)
		if err != nil {
			return "", fault.Tell("code", fault.Refused, "code_unavailable", fmt.Sprintf(
				"Không cấp được mã hồ sơ cho cơ quan %s ngày %s: mã cơ quan không hợp lệ hoặc đã hết số thứ tự trong ngày.",
				agency, day.Format("02/01/2006")), err)
		}
		return c, nil
	})
	return err
}
