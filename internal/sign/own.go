package sign

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/sign/verify"
)

// Stable codes of CheckOwn's errors.
const (
	CodeOtherDocument = "signed_other_document" // fault.Conflict: does not begin with this document's bytes
	CodeOtherSigner   = "signed_by_other"       // fault.Conflict: a new signature by another certificate
	CodeOwnInvalid    = "signature_invalid"     // fault.Refused: ours, but not a valid signature
)

const subFilterCAdES = "ETSI.CAdES.detached"

// CheckOwn holds when signed is what s makes of unsigned: unsigned's exact
// bytes followed by an incremental update carrying exactly one new
// signature, made with s's certificate, whose byte range reaches the end of
// the file, whose CMS verifies, whose chain reaches roots (nil: the
// system's), and, when s has a TSA, that carries a timestamp token which
// verifies and whose TSA chains to roots too.
//
// The sign stage runs it on what it just signed, before the archive keeps
// the file, and on a file it finds already archived, before adopting it as
// the document's. Errors are of kind fault.Conflict when the file is somebody
// else's (it does not begin with unsigned, or a new signature is by another
// certificate) and fault.Refused when it is ours but not valid (truncated,
// altered, without or with more than one signature, without a timestamp).
func (s *Signer) CheckOwn(ctx context.Context, signed, unsigned []byte, roots *x509.CertPool) error {
	const op = "sign: check signed file"
	if len(s.Chain) == 0 || s.Chain[0] == nil {
		return errors.New("sign: check signed file: no certificate")
	}
	if len(signed) <= len(unsigned) || !bytes.HasPrefix(signed, unsigned) {
		if bytes.Equal(signed, unsigned) {
			return invalidOwn("tệp chưa được ký", errors.New("the file is the unsigned PDF itself"))
		}
		if bytes.HasPrefix(unsigned, signed) {
			return invalidOwn("tệp đã ký bị cắt cụt", fmt.Errorf("%d bytes, fewer than the %d of the unsigned PDF it begins like: truncated", len(signed), len(unsigned)))
		}
		return fault.Tell(op, fault.Conflict, CodeOtherDocument,
			"Tệp đã ký không phải của tài liệu này: phần đầu của nó khác bản PDF chưa ký.",
			fmt.Errorf("the %d-byte file does not begin with the %d bytes of the unsigned PDF", len(signed), len(unsigned)))
	}
	rep, err := verify.File(ctx, bytes.NewReader(signed), int64(len(signed)), roots)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", op, ctx.Err())
		}
		return invalidOwn("không đọc được tệp đã ký", err)
	}
	fresh, err := newSignatures(ctx, rep, unsigned, roots)
	if err != nil {
		return err
	}
	for _, sig := range fresh {
		if sig.Certificate == nil || !bytes.Equal(sig.Certificate.Raw, s.Chain[0].Raw) {
			return fault.Tell(op, fault.Conflict, CodeOtherSigner,
				fmt.Sprintf("Tệp đã ký mang chữ ký của %q, không phải chứng thư số của cơ quan.", sig.SignerDN),
				fmt.Errorf("signature %s is by %q, not by certificate %q (serial %s)", sig.Field, sig.SignerDN, s.Chain[0].Subject.String(), s.Chain[0].SerialNumber))
		}
	}
	if len(fresh) != 1 {
		return invalidOwn(fmt.Sprintf("phần ký thêm có %d chữ ký, đúng ra là một", len(fresh)), fmt.Errorf("%d new signatures, want 1", len(fresh)))
	}
	sig := fresh[0]
	switch {
	case sig.SubFilter != subFilterCAdES:
		return invalidOwn("chữ ký không theo chuẩn PAdES", fmt.Errorf("signature %s has /SubFilter %q, want %s", sig.Field, sig.SubFilter, subFilterCAdES))
	case !sig.CoversWholeFile:
		return invalidOwn("có dữ liệu được thêm vào sau chữ ký", fmt.Errorf("signature %s: byte range %v does not reach the end of the %d-byte file", sig.Field, sig.ByteRange, len(signed)))
	case !sig.Valid:
		return invalidOwn("chữ ký hoặc chứng thư số không kiểm tra được", sig.Err())
	case s.TSA != nil && (sig.Timestamp == nil || !sig.Timestamp.Valid):
		return invalidOwn("chữ ký thiếu dấu thời gian", fmt.Errorf("signature %s carries no valid timestamp token", sig.Field))
	}
	return nil
}

// newSignatures returns the signatures of rep that unsigned did not have:
// those whose /Contents lies in the update, and any whose field name
// unsigned does not know (so a broken byte range cannot hide one).
func newSignatures(ctx context.Context, rep *verify.Report, unsigned []byte, roots *x509.CertPool) ([]verify.Signature, error) {
	old := map[string]bool{}
	// A signed original keeps its signatures under ours; a PDF of our own
	// making has none, and is not parsed a second time.
	if bytes.Contains(unsigned, []byte("/ByteRange")) {
		before, err := verify.File(ctx, bytes.NewReader(unsigned), int64(len(unsigned)), roots)
		if err != nil {
			return nil, fmt.Errorf("sign: check signed file: read the signatures of the unsigned PDF: %w", err)
		}
		for _, sig := range before.Signatures {
			old[sig.Field] = true
		}
	}
	var fresh []verify.Signature
	for _, sig := range rep.Signatures {
		inUpdate := len(sig.ByteRange) == 4 && sig.ByteRange[1] >= int64(len(unsigned))
		if inUpdate || !old[sig.Field] {
			fresh = append(fresh, sig)
		}
	}
	return fresh, nil
}

func invalidOwn(why string, err error) error {
	return fault.Tell("sign: check signed file", fault.Refused, CodeOwnInvalid,
		"Chữ ký của cơ quan trên tệp không hợp lệ: "+why+".", err)
}
