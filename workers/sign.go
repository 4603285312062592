package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/storage"
)

// archiving is the history action recorded just before a signed file is written to the archive:
// its key and SHA-256, kept in PostgreSQL's append-only history. It is how the sign stage knows a
// file it finds at its key is one it wrote (an attempt that died between the write and recording
// it): it adopts only a file whose SHA-256 such an event names. Since each signature carries its own
// timestamp, no other file has that SHA-256 — not even another signature of this signer over the
// same PDF, which CheckOwn alone would accept.
const archiving = "archive.writing"

// sign signs the assembled PDF as the agency, with the visible block of Nghị định 30/2020 kept clear
// of the page's own words, checks what it signed, and puts it in the archive under the document's own
// key, locked for the paper's retention, with a write that never replaces an object. A document
// signed once is never signed again: if the archive already holds a file at its key, it is adopted
// only if this document's history shows sohoa wrote it (see archiving); anything else there is a
// conflict, left as it is.
func (h *Handlers) sign(ctx context.Context, doc storage.Document) error {
	if doc.SignedKey != "" {
		return nil
	}
	if doc.Code == "" || doc.PDFKey == "" {
		return fmt.Errorf("sign %s: no code or no PDF yet (code %q, pdf %q)", doc.ID, doc.Code, doc.PDFKey)
	}
	unsigned, err := h.read(ctx, storage.Work, doc.PDFKey)
	if err != nil {
		return err
	}
	key := archiveKey(doc.ID, doc.Code)
	if f, err := h.adopt(ctx, doc.ID, key); !errors.Is(err, storage.ErrNotFound) {
		if err != nil {
			return err
		}
		return h.Records.SetSigned(ctx, doc.ID, f)
	}
	lock, err := h.lock(ctx, doc, unsigned)
	if err != nil {
		return err
	}
	avoid, err := h.firstPageWords(ctx, doc.ID)
	if err != nil {
		return err
	}
	signed, err := h.Signer.Sign(ctx, unsigned, avoid)
	if err != nil {
		return fmt.Errorf("sign %s: %w", doc.ID, err)
	}
	if err := h.Signer.CheckOwn(ctx, signed, unsigned); err != nil {
		h.Log.Error("the signature just made does not hold", "document", doc.ID, "error", err)
		return fault.Tell("sign", fault.Refused, "signature_invalid",
			"Chữ ký số vừa tạo không hợp lệ (chứng thư số, chuỗi chứng thực hoặc dấu thời gian); tài liệu chưa được lưu trữ.", err)
	}
	sha := sum(signed)
	if err := h.Dossiers.Log(ctx, storage.Event{Actor: actorSohoa, Action: archiving, DocumentID: doc.ID,
		Detail: map[string]any{"key": key, "sha256": sha}}); err != nil {
		return err
	}
	info, err := h.Objects.PutLocked(ctx, storage.Archive, key, bytes.NewReader(signed), int64(len(signed)), "application/pdf", lock)
	if errors.Is(err, storage.ErrExists) {
		// Another attempt at this document archived first; its file is the one kept.
		f, err := h.adopt(ctx, doc.ID, key)
		if err != nil {
			return err
		}
		return h.Records.SetSigned(ctx, doc.ID, f)
	}
	if err != nil {
		return err
	}
	h.Log.Info("archived", "document", doc.ID, "key", key, "version", info.VersionID, "retain_until", lock.Until, "legal_hold", lock.Hold)
	h.observe().Archived(int64(len(signed)))
	return h.Records.SetSigned(ctx, doc.ID, storage.SignedFile{Key: key, VersionID: info.VersionID, SHA256: sha})
}

// lock is how the document's signed file is locked in the archive: by the maintenance code its PDF
// carries (the pdfa stage wrote it from the paper's kind, so the lock never disagrees with the
// file), or, for a signed original kept as it came, by its paper's kind now.
func (h *Handlers) lock(ctx context.Context, doc storage.Document, unsigned []byte) (storage.Lock, error) {
	code := pdfa.MaintenanceOf(unsigned)
	if code == "" {
		paper, err := h.Dossiers.Paper(ctx, doc.ID)
		if err != nil {
			return storage.Lock{}, err
		}
		code = h.Retention.Code(paper.Kind)
	}
	until, hold, err := h.Retention.Lock(code, h.Clock.Now())
	if err != nil {
		h.Log.Error("no retention period for the document's maintenance code; see SOHOA_RETENTION_YEARS", "document", doc.ID, "error", err)
		return storage.Lock{}, fault.Tell("sign", fault.Refused, "retention_unknown", fmt.Sprintf(
			"Chưa cấu hình thời hạn lưu trữ cho mã thời hạn bảo quản %q nên tài liệu chưa được lưu trữ; cần quản trị viên bổ sung cấu hình.", code), err)
	}
	return storage.Lock{Until: until, Hold: hold}, nil
}

// adopt returns the file at key in the archive if this document's history shows sohoa wrote it;
// ErrNotFound when there is none; a fault.Conflict, leaving it as it is, when it is another file.
func (h *Handlers) adopt(ctx context.Context, docID, key string) (storage.SignedFile, error) {
	info, err := h.Objects.Stat(ctx, storage.Archive, key)
	if err != nil {
		return storage.SignedFile{}, err
	}
	r, err := h.Objects.GetVersion(ctx, storage.Archive, key, info.VersionID)
	if err != nil {
		return storage.SignedFile{}, err
	}
	defer r.Close()
	hash := sha256.New()
	if _, err := io.Copy(hash, r); err != nil {
		return storage.SignedFile{}, fmt.Errorf("read %s: %w", key, err)
	}
	sha := hex.EncodeToString(hash.Sum(nil))
	events, err := h.Dossiers.History(ctx, "", docID)
	if err != nil {
		return storage.SignedFile{}, err
	}
	for _, e := range events {
		if e.Action == archiving && e.Detail["key"] == key && e.Detail["sha256"] == sha {
			return storage.SignedFile{Key: key, VersionID: info.VersionID, SHA256: sha}, nil
		}
	}
	h.Log.Error("the archive holds a file sohoa did not write at this document's key; it is left as it is",
		"document", docID, "key", key, "version", info.VersionID, "sha256", sha)
	return storage.SignedFile{}, fault.E("adopt "+key, fault.Conflict,
		fmt.Errorf("version %s (sha-256 %s) is not a file this document's history says sohoa wrote", info.VersionID, sha))
}

// firstPageWords returns the boxes of page 1's OCR words in PDF points (origin bottom left), the
// space the signature block must leave alone.
func (h *Handlers) firstPageWords(ctx context.Context, docID string) ([]sign.Rect, error) {
	pages, err := h.Records.Pages(ctx, docID)
	if err != nil || len(pages) == 0 || pages[0].OCRKey == "" {
		return nil, err
	}
	p := pages[0]
	body, err := h.read(ctx, storage.Work, p.OCRKey)
	if err != nil {
		return nil, err
	}
	var res ocr.Page
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("ocr result of page 1 of %s: %w", docID, err)
	}
	sx, sy := 72/p.DPIX, 72/p.DPIY
	height := float64(p.Height) * sy
	var boxes []sign.Rect
	for _, l := range res.Lines {
		for _, w := range l.Words {
			b := w.Box
			boxes = append(boxes, sign.Rect{LLX: float64(b.Min.X) * sx, LLY: height - float64(b.Max.Y)*sy,
				URX: float64(b.Max.X) * sx, URY: height - float64(b.Min.Y)*sy})
		}
	}
	return boxes, nil
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
