package workers

import (
	"context"
	"encoding/json"
	"fmt"
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
	// Offsets in the fields are into text as joined here.
	fields, err := json.Marshal(extract.Fields(text))
	if err != nil {
		return fmt.Errorf("extracted fields of %s: %w", doc.ID, err)
	}
	if err := h.Dossiers.SetExtracted(ctx, doc.ID, fields); err != nil {
		return err
	}
	return h.Records.Index(ctx, doc.ID, title, text)
}
