package workers

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/sheet"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// A stack is a file scanned in one go from a pile of papers with sohoa's cover and separator
// sheets between them (internal/sheet). Ingest divides it at its sheets: each run of pages between
// two sheets becomes a document of its own, attached to the dossier the sheets before it named, and
// the stack ends as split, never coded, signed or archived, so no sheet is in any archive copy. A
// file without sheets is one paper, as any other.

// stackPart is one paper of a stack before it is a document.
type stackPart struct {
	first, last int    // the stack's pages it holds, 1-based, inclusive
	dossier     string // the code of the dossier the sheets before it named; "" none
}

// planStack divides pages at their sheets. A cover names the dossier of the papers after it until
// another cover; a separator ends a paper, and may name a dossier itself. It returns nil when no page
// is a sheet, and no parts (not nil) when every page is one.
func planStack(pages []scan.Page) []stackPart {
	var (
		parts   []stackPart
		sheets  bool
		current string
		open    bool // the last part is still being filled
	)
	for i, p := range pages {
		if p.Sheet != nil {
			sheets, open = true, false
			if p.Sheet.Kind == sheet.Cover || p.Sheet.Dossier != "" {
				current = p.Sheet.Dossier
			}
			continue
		}
		if open {
			parts[len(parts)-1].last = i + 1
			continue
		}
		parts, open = append(parts, stackPart{first: i + 1, last: i + 1, dossier: current}), true
	}
	if !sheets {
		return nil
	}
	if parts == nil {
		parts = []stackPart{}
	}
	return parts
}

// stackSplit tells the stage wrapper that ingest divided its document into parts: the wrapper
// records the split, which ends the document, instead of finishing the stage.
type stackSplit struct{ parts []storage.Part }

func (s *stackSplit) Error() string { return fmt.Sprintf("split into %d papers", len(s.parts)) }

// stackOnlySheets is the code of a stack that holds sheets and nothing else.
const stackOnlySheets = "only_sheets"

// splitStack makes a document of each part of the stack doc and attaches it to its dossier. Every
// step can be repeated: a part's document ID is derived from the stack's, so a second attempt finds
// the documents the first made, and attaching twice gives the first attachment.
func (h *Handlers) splitStack(ctx context.Context, doc storage.Document, pages []scan.Page, plan []stackPart) error {
	if len(plan) == 0 {
		return &scan.InputError{Code: stackOnlySheets,
			Message: "Tệp chỉ có phiếu bìa hoặc tờ phân cách, không có trang giấy tờ nào để số hóa."}
	}
	dossiers, err := h.stackDossiers(ctx, doc, plan)
	if err != nil {
		return err
	}
	parts := make([]storage.Part, len(plan))
	detail := make([]map[string]any, len(plan))
	for i, sp := range plan {
		n := i + 1
		child, err := h.stackPaper(ctx, doc, n, pages[sp.first-1:sp.last])
		if err != nil {
			return err
		}
		parts[i] = storage.Part{N: n, DocumentID: child.ID, FirstPage: sp.first, LastPage: sp.last}
		detail[i] = map[string]any{"n": n, "document_id": child.ID, "pages": fmt.Sprintf("%d-%d", sp.first, sp.last)}
		if d, ok := dossiers[sp.dossier]; ok {
			if _, err := h.Dossiers.Attach(ctx, d.ID, child.ID, "component", false, storage.Actor{Name: actorSohoa},
				func(series string, seq int) (string, error) { return code.Component(d.Agency, series, seq) }); err != nil {
				return fmt.Errorf("attach part %d of %s to dossier %s: %w", n, doc.ID, d.Code, err)
			}
			parts[i].DossierID, detail[i]["dossier"] = d.ID, d.Code
		}
	}
	if err := h.logOnce(ctx, storage.Event{Actor: actorSohoa, Action: "stack.split", DocumentID: doc.ID,
		Detail: map[string]any{"parts": detail, "reason": fmt.Sprintf("Tệp có phiếu bìa hoặc tờ phân cách: được tách thành %d giấy tờ; các phiếu không được lưu trữ.", len(parts))}}); err != nil {
		return err
	}
	return &stackSplit{parts: parts}
}

// stackDossiers finds the dossiers the stack's sheets name, by code. A paper stays out of a dossier
// that does not exist or that the stack's agency does not reach (a sheet of another office's
// dossier in this office's scanner): the history says which and why, and the paper is still kept.
// Parts whose sheets named none go to the dossier the stack itself was uploaded into, if any.
func (h *Handlers) stackDossiers(ctx context.Context, doc storage.Document, plan []stackPart) (map[string]storage.Dossier, error) {
	reach, err := h.reach(ctx, doc.Agency)
	if err != nil {
		return nil, err
	}
	out := map[string]storage.Dossier{}
	for _, sp := range plan {
		if _, seen := out[sp.dossier]; seen || sp.dossier == "" {
			continue
		}
		d, err := h.Dossiers.DossierByCode(ctx, sp.dossier)
		var why string
		switch {
		case errors.Is(err, storage.ErrNotFound):
			why = "Không có hồ sơ mang mã " + sp.dossier + "."
		case err != nil:
			return nil, err
		case !slices.Contains(reach, d.Agency):
			why = "Hồ sơ " + sp.dossier + " thuộc cơ quan khác, không phải nơi quét tệp này."
		default:
			out[sp.dossier] = d
			continue
		}
		h.Log.Warn("a sheet names a dossier the stack cannot go into", "document", doc.ID, "dossier", sp.dossier, "error", err)
		if err := h.logOnce(ctx, storage.Event{Actor: actorSohoa, Action: "stack.dossier_refused", DocumentID: doc.ID,
			Detail: map[string]any{"dossier": sp.dossier, "reason": why + " Giấy tờ vẫn được số hóa, chưa gắn vào hồ sơ nào."}}); err != nil {
			return nil, err
		}
	}
	if p, err := h.Dossiers.Paper(ctx, doc.ID); err != nil {
		return nil, err
	} else if len(p.Dossiers) > 0 {
		d, err := h.Dossiers.DossierByCode(ctx, p.Dossiers[0])
		if err != nil {
			return nil, err
		}
		out[""] = d
	}
	return out, nil
}

// reach is the agency and those under it, or the agency alone when the handlers have no tree.
func (h *Handlers) reach(ctx context.Context, agency string) ([]string, error) {
	if h.Agencies == nil || agency == "" {
		return []string{agency}, nil
	}
	return h.Agencies.Subtree(ctx, agency)
}

// stackPaper makes the document of part n of the stack doc: an image PDF of its pages (the page
// images as they are), stored and recorded as an original of its own and queued for ingest, where
// it is split into the same pages again. The part's document ID is derived from the stack's, so a
// repeated attempt finds the document an earlier one made (the PDF's bytes need not repeat).
func (h *Handlers) stackPaper(ctx context.Context, doc storage.Document, n int, pages []scan.Page) (storage.Document, error) {
	id := uuid.NewSHA1(stackSpace, fmt.Appendf(nil, "%s/%d", doc.ID, n)).String()
	if child, err := h.Records.Document(ctx, id); err == nil {
		return child, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return storage.Document{}, err
	}
	in := make([]pdfa.Page, len(pages))
	for i, p := range pages {
		in[i] = pdfa.Page{Image: p.Image, Format: string(p.Format), Width: p.Width, Height: p.Height, DPIX: p.DPIX, DPIY: p.DPIY}
	}
	var b bytes.Buffer
	if _, err := pdfa.Build(&b, in, pdfa.Metadata{DocumentID: id, Created: doc.CreatedAt, Language: "vi"}); err != nil {
		return storage.Document{}, fmt.Errorf("build part %d of %s: %w", n, doc.ID, err)
	}
	sum := sha256.Sum256(b.Bytes())
	sha := hex.EncodeToString(sum[:])
	key := originalKey(sha)
	if _, err := h.Objects.Put(ctx, storage.Work, key, bytes.NewReader(b.Bytes()), int64(b.Len()), "application/pdf"); err != nil {
		return storage.Document{}, fmt.Errorf("store part %d of %s: %w", n, doc.ID, err)
	}
	child, created, err := h.Records.CreateDocument(ctx, storage.NewDocument{ID: id, SHA256: sha, OriginalKey: key,
		Filename: partName(doc.Filename, n), Source: StackSource + doc.ID, Size: int64(b.Len()), MediaType: "application/pdf",
		Agency: doc.Agency, UploadedBy: doc.UploadedBy, Lane: doc.Lane})
	if err != nil {
		return storage.Document{}, err
	}
	if created {
		if _, err := h.Queue.Enqueue(ctx, pipeline.First, PayloadOf(child)); err != nil {
			h.Log.Warn("could not enqueue a stack's paper; the reconciler will", "document", child.ID, "error", err)
		}
	}
	return child, nil
}

// stackSpace is the UUID namespace of the documents cut out of stacks.
var stackSpace = uuid.MustParse("6f6b0d1e-5d2c-4c59-9a57-2f1c6b3e8a10")

// StackSource starts the source of a document made from a part of a stack; the stack's ID follows.
const StackSource = "stack:"

// partName names part n of a stack after the stack's file: ho-so.pdf gives ho-so-2.pdf.
func partName(stack string, n int) string {
	base := strings.TrimSuffix(stack, path.Ext(stack))
	return fmt.Sprintf("%s-%d.pdf", cmp.Or(base, "ho-so"), n)
}
