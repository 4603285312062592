// Package sign applies the agency's digital signature to archive PDFs, so a
// digitized record can be shown to be the one the agency issued and unchanged
// since, and makes development keys for environments without a real agency
// certificate.
//
// Signatures are PAdES baseline approval signatures (ETSI.CAdES.detached,
// SHA-256, signing-certificate-v2, no signing-time attribute; B-T when a
// TSA is configured) appended as an incremental update: the signed file
// begins with the exact bytes of the input, so a PDF/A stays PDF/A, earlier
// signatures stay valid and later ones can be added on top. The optional
// visible block follows Nghị định 30/2020 Phụ lục I.
package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/sohoa-vn/sohoa/internal/sign/cms"
)

// Signer signs PDFs with one agency certificate. Key is a crypto.Signer so a
// key on a USB token or HSM (PKCS#11) works as well as a file.
//
// A Signer is not modified by Sign and may be used by several goroutines at
// once if Key allows concurrent use (file keys do; tokens often do not).
type Signer struct {
	Key   crypto.Signer
	Chain []*x509.Certificate // leaf first, then intermediates/root

	// Name, Reason, Location and ContactInfo go into the signature
	// dictionary, Vietnamese included (as UTF-16 text strings).
	Name, Reason, Location, ContactInfo string

	// TSA, if set, timestamps the signature value, which makes the
	// signature PAdES B-T: a tsa.Client for a real authority, or in
	// development a tsa.Server in-process. Its failures come back from
	// Sign as they are (fault.Unavailable when it did not answer).
	TSA Timestamper

	// Block, if set, makes the signature visible with the Nghị định
	// 30/2020 block on page 1; nil gives an invisible signature.
	Block *Block

	// Clock gives the signing time written into the signature and the
	// block; nil means time.Now. The certificate's validity is checked
	// against the real time whatever Clock says.
	Clock func() time.Time
}

// Sign reads the PDF from in (size bytes) and writes the signed PDF, an
// incremental update of the input, to out.
//
// Nothing is written to out unless signing succeeds, so out may be the final
// destination. The document is held in memory, about three times size at
// peak. The TSA request follows ctx; a key that blocks (a token waiting
// for its PIN pad) cannot be interrupted, so Sign returns ctx.Err() when
// ctx ends and leaves that goroutine to finish on its own without touching
// in or out.
func (s *Signer) Sign(ctx context.Context, in io.ReadSeeker, size int64, out io.Writer) error {
	if err := s.check(time.Now()); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	input, err := readInput(in, size)
	if err != nil {
		return err
	}
	done := make(chan result, 1) // buffered: an abandoned goroutine must not block
	go func() {
		var r result
		r.out, r.err = s.signBytes(ctx, input, s.now())
		done <- r
	}()
	select {
	case <-ctx.Done():
		return fmt.Errorf("sign: %w", ctx.Err())
	case r := <-done:
		if r.err != nil {
			return r.err
		}
		if _, err := out.Write(r.out); err != nil {
			return fmt.Errorf("sign: write output: %w", err)
		}
		return nil
	}
}

type result struct {
	out []byte
	err error
}

// Timestamper gets an RFC 3161 TimeStampToken over a message imprint, the
// SHA-256 digest of what is stamped (here the signature value). It checks
// the reply itself (status, imprint, nonce, the token's signature) and
// returns errors of kind fault.Unavailable when the authority did not answer
// and may later, other kinds when it refused or answered wrongly.
type Timestamper interface {
	Timestamp(ctx context.Context, imprint []byte) (token []byte, err error)
}

func (s *Signer) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// check refuses a signer that cannot sign at t; the certificate was checked
// at start (CheckCertificate), but it may have expired since.
func (s *Signer) check(t time.Time) error {
	if s.Key == nil {
		return errors.New("sign: no key")
	}
	if len(s.Chain) == 0 || s.Chain[0] == nil {
		return errors.New("sign: no certificate")
	}
	if err := checkKeyType(s.Key.Public()); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	if !publicKeyEqual(s.Chain[0].PublicKey, s.Key.Public()) {
		return fmt.Errorf("sign: key does not match certificate %q", s.Chain[0].Subject.CommonName)
	}
	return checkValidity("sign", s.Chain[0], t)
}

// readInput copies the document so that the signing goroutine, which may
// outlive Sign, never touches the caller's reader.
func readInput(in io.ReadSeeker, size int64) ([]byte, error) {
	if size <= 0 {
		return nil, fmt.Errorf("sign: invalid input size %d", size)
	}
	if _, err := in.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("sign: read input: %w", err)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(in, buf); err != nil {
		return nil, fmt.Errorf("sign: read input (%d bytes): %w", size, err)
	}
	return buf, nil
}

func (s *Signer) name() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Chain[0].Subject.CommonName
}

// signBytes does the work, turning panics of the PDF parser on malformed
// input into errors.
func (s *Signer) signBytes(ctx context.Context, input []byte, t time.Time) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sign: malformed PDF (parser panicked: %v)", p)
		}
	}()
	doc, err := readDocument(input)
	if err != nil {
		return nil, err
	}
	if err := checkNotCertified(doc); err != nil {
		return nil, err
	}
	var stamp cms.Stamper
	if s.TSA != nil {
		stamp = func(ctx context.Context, signature []byte) ([]byte, error) {
			imprint := sha256.Sum256(signature)
			return s.TSA.Timestamp(ctx, imprint[:])
		}
	}
	room := s.contentsRoom()
	for range 3 {
		file, hole, err := s.assemble(input, doc, t, room)
		if err != nil {
			return nil, err
		}
		digest := sha256.New()
		digest.Write(file[:hole[0]])
		digest.Write(file[hole[1]:])
		der, err := cms.Sign(ctx, s.Key, s.Chain, digest.Sum(nil), stamp)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		if 2*len(der) > room {
			// The TSA's token was larger than guessed: lay out again
			// with room for it (and a new token over the new digest).
			room = 2*len(der) + 2048
			continue
		}
		hex.Encode(file[hole[0]+1:], der)
		return file, nil
	}
	return nil, errors.New("sign: signature keeps outgrowing its reserved space")
}

// contentsRoom is the number of hex digits reserved for the CMS: the
// certificates, the signature value, the attributes, and a timestamp token.
func (s *Signer) contentsRoom() int {
	n := 1024 + signatureSize(s.Key.Public())
	for _, c := range s.Chain {
		n += len(c.Raw)
	}
	if s.TSA != nil {
		n += 6144
	}
	return 2 * n
}

// assemble lays out input plus the update with an empty /Contents of room
// hex digits, fills in /ByteRange, and returns the file and the /Contents
// hole (from '<' to just after '>').
func (s *Signer) assemble(input []byte, d *document, t time.Time, room int) ([]byte, [2]int, error) {
	u := newUpdate(input, d.size)
	sigNum, widgetNum := u.alloc(), u.alloc()
	widget := fmt.Sprintf("/Type /Annot /Subtype /Widget /FT /Sig /T %s /V %d 0 R /P %s /F 132",
		pdfText(fieldName(d.fieldNames)), sigNum, d.page.PDFString())
	if s.Block != nil {
		ap, r, err := u.blockObjects(s.Block, s.name(), t, d.pageBox)
		if err != nil {
			return nil, [2]int{}, err
		}
		widget += fmt.Sprintf(" /Rect [%.2f %.2f %.2f %.2f] /AP << /N %d 0 R >>", r.LLX, r.LLY, r.URX, r.URY, ap)
	} else {
		// PDF/A lets a zero-size annotation go without an appearance.
		widget += " /Rect [0 0 0 0]"
	}
	u.object(widgetNum, 0, "<< "+widget+" >>")
	widgetRef := *types.NewIndirectRef(widgetNum, 0)
	if err := addToPage(u, d, widgetRef); err != nil {
		return nil, [2]int{}, err
	}
	if err := addToAcroForm(u, d, widgetRef); err != nil {
		return nil, [2]int{}, err
	}

	const brWidth = 48 // "[0 a b c]" with 10-digit numbers, padded
	var sig bytes.Buffer
	sig.WriteString("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached")
	fmt.Fprintf(&sig, " /M %s", pdfDate(vietnamTime(t)))
	for _, kv := range [][2]string{{"Name", s.name()}, {"Reason", s.Reason}, {"Location", s.Location}, {"ContactInfo", s.ContactInfo}} {
		if kv[1] != "" {
			fmt.Fprintf(&sig, " /%s %s", kv[0], pdfText(kv[1]))
		}
	}
	sig.WriteString(" /ByteRange ")
	brAt := sig.Len()
	sig.Write(bytes.Repeat([]byte(" "), brWidth))
	sig.WriteString(" /Contents ")
	holeAt := sig.Len()
	sig.WriteByte('<')
	sig.Write(bytes.Repeat([]byte("0"), room))
	sig.WriteString("> >>")
	sigStart := u.pos() + int64(len(fmt.Sprintf("%d 0 obj\n", sigNum)))
	u.object(sigNum, 0, sig.String())
	u.finish(d)

	file := make([]byte, 0, len(input)+u.buf.Len())
	file = append(append(file, input...), u.buf.Bytes()...)
	h0 := int(sigStart) + holeAt
	h1 := h0 + room + 2
	br := fmt.Sprintf("[0 %d %d %d]", h0, h1, len(file)-h1)
	if len(br) > brWidth {
		return nil, [2]int{}, fmt.Errorf("sign: file too large for /ByteRange (%d bytes)", len(file))
	}
	copy(file[int(sigStart)+brAt:], br)
	return file, [2]int{h0, h1}, nil
}

// fieldName picks a signature field name not yet used in the form.
func fieldName(used map[string]bool) string {
	for i := 1; ; i++ {
		if n := fmt.Sprintf("Signature%d", i); !used[n] {
			return n
		}
	}
}

// signatureSize is the length of a raw signature value made with pub.
func signatureSize(pub crypto.PublicKey) int {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return k.Size()
	case *ecdsa.PublicKey:
		// DER SEQUENCE of two INTEGERs, each at most one byte longer
		// than the curve order.
		n := (k.Curve.Params().BitSize + 7) / 8
		return 2*(n+3) + 3
	}
	return 0
}
