package workers

import (
	"context"
	"strings"

	"github.com/sohoa-vn/sohoa/internal/extract"
	"github.com/sohoa-vn/sohoa/storage"
)

// index makes the document findable by its text and title.
func (h *Handlers) index(ctx context.Context, doc storage.Document) error {
	pages, err := h.Records.Text(ctx, doc.ID)
	if err != nil {
		return err
	}
	text := strings.Join(pages, "\n\n")
	title := extract.Title(text)
	if title == "" {
		title = doc.Filename
	}
	return h.Records.Index(ctx, doc.ID, title, text)
}
