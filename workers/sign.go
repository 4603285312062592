package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/storage"
)

// sign signs the assembled PDF as the agency and puts it in the archive. A document signed once is
// never signed again: if the archive already holds its file (the previous attempt died before
// recording it), that file is recorded as it is.
func (h *Handlers) sign(ctx context.Context, doc storage.Document) error {
	if doc.SignedKey != "" {
		return nil
	}
	if doc.Code == "" || doc.PDFKey == "" {
		return fmt.Errorf("sign %s: no code or no PDF yet", doc.ID)
	}
	key := archiveKey(doc.Code)
	if signed, err := h.read(ctx, storage.Archive, key); err == nil {
		return h.Records.SetSigned(ctx, doc.ID, key, sum(signed))
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	unsigned, err := h.read(ctx, storage.Work, doc.PDFKey)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := h.Signer.Sign(ctx, bytes.NewReader(unsigned), int64(len(unsigned)), &out); err != nil {
		return fmt.Errorf("sign %s: %w", doc.ID, err)
	}
	signed := out.Bytes()
	if _, err := h.Objects.Put(ctx, storage.Archive, key, bytes.NewReader(signed), int64(len(signed)), "application/pdf"); err != nil {
		return err
	}
	return h.Records.SetSigned(ctx, doc.ID, key, sum(signed))
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
