package workers

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
	"github.com/sohoa-vn/sohoa/storage"
)

// Signed originals. A PDF that arrives signed is kept byte for byte, and the agency's signature is
// appended as an incremental update, so its own signatures stay valid. The agency's block reads BẢN
// SAO ĐIỆN TỬ: it certifies the file as a faithful copy, which it may do only of a file whose
// signatures hold, unless a person with the authority to decide has looked at the original and
// accepted it (the decision is an event in the document's history, AcceptedSignature).

// CodeSignatureInvalid is the failure of an incoming signature that does not hold.
const CodeSignatureInvalid = "incoming_signature_invalid"

// AcceptedSignature is the history action of a person's decision to certify a signed original
// whose signatures do not verify; ingest then goes on.
const AcceptedSignature = "signature.accepted"

// notConformant is the history action of an archive copy that is not PDF/A: a signed original
// that sohoa may not rebuild, with the rule it breaks.
const notConformant = "pdfa.not_conformant"

// keepSignatures records a PDF that arrives signed, so that later stages keep it byte for byte, and
// refuses to go on with one whose signatures do not hold until a person has decided.
func (h *Handlers) keepSignatures(ctx context.Context, doc storage.Document, data []byte) error {
	report, err := verify.File(ctx, bytes.NewReader(data), int64(len(data)), h.Roots)
	if err == nil {
		err = report.Err()
	}
	if err != nil {
		accepted, aerr := h.accepted(ctx, doc.ID)
		if aerr != nil {
			return aerr
		}
		if !accepted {
			h.Log.Warn("signed original whose signatures do not hold; waiting for a person's decision", "document", doc.ID, "error", err)
			return fault.Tell("ingest", fault.Refused, CodeSignatureInvalid, fmt.Sprintf(
				"Tệp PDF đã có chữ ký số nhưng chữ ký không hợp lệ (%s). Tệp chưa được chứng thực là bản sao điện tử: cán bộ có thẩm quyền cần đối chiếu bản gốc và quyết định.",
				signatureProblems(report)), err)
		}
		h.Log.Info("signed original whose signatures do not hold, accepted by a person", "document", doc.ID, "error", err)
	}
	return h.Records.MarkSignedOriginal(ctx, doc.ID)
}

// accepted reports whether a person decided to certify the document's signed original as it is.
func (h *Handlers) accepted(ctx context.Context, docID string) (bool, error) {
	return h.logged(ctx, docID, AcceptedSignature)
}

// logged reports whether the document's history has an event of action.
func (h *Handlers) logged(ctx context.Context, docID, action string) (bool, error) {
	events, err := h.Dossiers.History(ctx, "", docID)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(events, func(e storage.Event) bool { return e.Action == action }), nil
}

// signatureProblems says in Vietnamese what fails in a verification report.
func signatureProblems(r *verify.Report) string {
	if r == nil {
		return "không đọc được chữ ký"
	}
	var out []string
	add := func(ok bool, what string) {
		if !ok && !slices.Contains(out, what) {
			out = append(out, what)
		}
	}
	add(!r.ModifiedAfterSigning, "tệp đã bị thay đổi sau khi ký")
	for _, s := range r.Signatures {
		add(s.Integrity.OK && s.ByteRangeCheck.OK && s.SignatureCheck.OK, "nội dung không khớp với chữ ký")
		add(s.Chain.OK, "chứng thư số không thuộc tổ chức chứng thực được tin cậy")
		add(s.CertValidity.OK, "chứng thư số hết hạn hoặc chưa có hiệu lực khi ký")
		add(s.TimestampCheck.OK, "dấu thời gian không hợp lệ")
	}
	if len(out) == 0 {
		return "chữ ký không được xác thực"
	}
	return strings.Join(out, "; ")
}

// keepOriginal makes the signed original the archive copy, as it is, and records honestly whether
// it is PDF/A: sohoa may not rebuild it, so one that breaks a rule is archived as a plain PDF, the
// rule noted in its history.
func (h *Handlers) keepOriginal(ctx context.Context, doc storage.Document) error {
	data, err := h.original(ctx, doc)
	if err != nil {
		return err
	}
	conformance, err := pdfa.CheckLevel(data)
	if err != nil {
		if err := h.logOnce(ctx, storage.Event{Actor: actorSohoa, Action: notConformant, DocumentID: doc.ID,
			Detail: map[string]any{"reason": "Bản gốc có chữ ký số không theo chuẩn PDF/A-2 nên được lưu nguyên trạng dưới dạng PDF thường: " + err.Error()}}); err != nil {
			return err
		}
	}
	key := pdfKey(doc.ID)
	if err := h.Objects.Copy(ctx, storage.Work, doc.OriginalKey, storage.Work, key); err != nil {
		return err
	}
	return h.Records.SetPDF(ctx, doc.ID, key, conformance)
}

// logOnce appends e to the document's history unless an event of its action is there already: a
// stage run again must not repeat it.
func (h *Handlers) logOnce(ctx context.Context, e storage.Event) error {
	done, err := h.logged(ctx, e.DocumentID, e.Action)
	if err != nil || done {
		return err
	}
	return h.Dossiers.Log(ctx, e)
}
