// Package sign applies the agency's digital signature to archive PDFs, so a
// digitized record can be shown to be the one the agency issued and unchanged
// since, and makes development keys for environments without a real agency
// certificate.
//
// Signatures are PDF approval signatures (adbe.pkcs7.detached, SHA-256)
// appended as an incremental update: the signed file begins with the exact
// bytes of the input, so earlier signatures stay valid and later ones
// (another agency, a PAdES timestamp) can be added on top.
package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/digitorus/pdf"
	pdfsign "github.com/digitorus/pdfsign/sign"
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
	// dictionary. They may be Vietnamese: they are transliterated to ASCII
	// (see ASCII) because pdfsign cannot write other text safely.
	Name, Reason, Location, ContactInfo string

	// TSAURL is an optional RFC 3161 timestamp authority. The token is
	// embedded as an unsigned attribute of the CMS signature.
	TSAURL string
}

// Sign reads the PDF from in (size bytes) and writes the signed PDF, an
// incremental update of the input, to out.
//
// Nothing is written to out unless signing succeeds, so out may be the final
// destination. The whole document is held in memory (pdfsign works on
// buffers), about four times size at peak.
//
// pdfsign accepts no context, and its TSA request has no timeout. Sign
// therefore runs it in a goroutine and returns ctx.Err() as soon as ctx is
// done; that goroutine keeps running until the key or the TSA answers (the
// HTTP request is bounded only by the TSA server closing the connection)
// and then exits without touching in or out.
//
// RSA keys above 2048 bits sign unsigned documents fine, but can add a
// further signature to an already signed document only with TSAURL set,
// because pdfsign under-reserves space for them (see signRoomy).
func (s *Signer) Sign(ctx context.Context, in io.ReadSeeker, size int64, out io.Writer) error {
	if err := s.check(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	input, err := readInput(in, size)
	if err != nil {
		return err
	}
	data := s.signData(time.Now())

	done := make(chan result, 1) // buffered: an abandoned goroutine must not block
	go func() {
		var r result
		r.err = signBytes(input, &r.out, data)
		done <- r
	}()
	select {
	case <-ctx.Done():
		return fmt.Errorf("sign: %w", ctx.Err())
	case r := <-done:
		if r.err != nil {
			return r.err
		}
		if err := checkOutput(input, r.out.Bytes()); err != nil {
			return err
		}
		if _, err := out.Write(r.out.Bytes()); err != nil {
			return fmt.Errorf("sign: write output: %w", err)
		}
		return nil
	}
}

type result struct {
	out bytes.Buffer
	err error
}

func (s *Signer) check() error {
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
	return nil
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

func (s *Signer) signData(now time.Time) pdfsign.SignData {
	name := s.Name
	if name == "" {
		name = s.Chain[0].Subject.CommonName
	}
	return pdfsign.SignData{
		Signature: pdfsign.SignDataSignature{
			// The default is a certification signature with "no changes
			// allowed", which any later signature would break.
			CertType: pdfsign.ApprovalSignature,
			Info: pdfsign.SignDataSignatureInfo{
				Name:        ASCII(name),
				Reason:      ASCII(s.Reason),
				Location:    ASCII(s.Location),
				ContactInfo: ASCII(s.ContactInfo),
				Date:        now,
			},
		},
		Signer:            s.Key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       s.Chain[0],
		CertificateChains: [][]*x509.Certificate{s.Chain},
		TSA:               pdfsign.TSA{URL: s.TSAURL},
	}
}

// signBytes runs pdfsign on an in-memory document, turning its panics on
// malformed input into errors.
func signBytes(input []byte, out io.Writer, data pdfsign.SignData) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sign: malformed PDF (pdfsign panicked: %v)", p)
		}
	}()
	in := bytes.NewReader(input)
	rdr, err := pdf.NewReader(in, int64(len(input)))
	if err != nil {
		return fmt.Errorf("sign: parse PDF: %w", err)
	}
	// A dangling /Root parses fine but would give a catalog-less update.
	if rdr.Trailer().Key("Root").Kind() != pdf.Dict {
		return errors.New("sign: parse PDF: trailer /Root is not a dictionary")
	}
	if !rdr.Trailer().Key("Encrypt").IsNull() {
		return errors.New("sign: encrypted PDFs are not supported")
	}
	if data.TSA.URL == "" && signatureSize(data.Signer.Public()) > pdfsignRoom {
		if hasSignatureFields(rdr) {
			return errors.New("sign: keys with signatures over 256 bytes (RSA > 2048 bits) can only add a second signature when TSAURL is set (pdfsign limitation)")
		}
		return signRoomy(in, out, rdr, data)
	}
	if err := pdfsign.Sign(in, out, rdr, int64(len(input)), data); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	return nil
}

// pdfsignRoom is the largest raw signature value pdfsign's /Contents
// estimate leaves room for: it reserves 512 bytes plus the certificates,
// adds nothing for RSA, and that leaves just enough for RSA-2048 (measured
// slack ≈ 115 bytes). A TSA adds 9000 bytes of room.
const pdfsignRoom = 256

// extraRoom is the additional /Contents space, in hex digits, signRoomy
// reserves: enough for an RSA-8192 signature.
const extraRoom = 2 * 1024

// signRoomy does what pdfsign.Sign does but with a larger /Contents
// placeholder. pdfsign's overflow retry writes a corrupt file, and Sign is
// the only way to tell it about existing signature fields, so this path is
// for documents without signatures (where that list is empty anyway).
func signRoomy(in io.ReadSeeker, out io.Writer, rdr *pdf.Reader, data pdfsign.SignData) error {
	sc := pdfsign.SignContext{
		PDFReader:              rdr,
		InputFile:              in,
		OutputFile:             out,
		SignData:               data,
		SignatureMaxLengthBase: uint32(hex.EncodedLen(512)) + extraRoom,
	}
	if err := sc.SignPDF(); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	return nil
}

// hasSignatureFields mirrors pdfsign's own discovery of earlier signatures.
func hasSignatureFields(rdr *pdf.Reader) bool {
	fields := rdr.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	for i := 0; i < fields.Len(); i++ {
		if fields.Index(i).Key("FT").Name() == "Sig" {
			return true
		}
	}
	return false
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

// checkOutput verifies what pdfsign promised but does not guarantee: the
// output starts with the input and the last signature's ByteRange covers the
// whole file except its own /Contents. Its overflow retry, for one, breaks
// both silently.
func checkOutput(input, output []byte) error {
	if !bytes.HasPrefix(output, input) {
		return errors.New("sign: internal error: output is not an incremental update of the input")
	}
	tail := output[len(input):]
	i := bytes.LastIndex(tail, []byte("/ByteRange"))
	if i < 0 {
		return errors.New("sign: internal error: no /ByteRange in the update")
	}
	var br [4]int64
	if _, err := fmt.Sscanf(string(tail[i+len("/ByteRange"):]), " [%d %d %d %d]", &br[0], &br[1], &br[2], &br[3]); err != nil {
		return fmt.Errorf("sign: internal error: unreadable /ByteRange: %w", err)
	}
	n := int64(len(output))
	if br[0] != 0 || br[1] <= int64(len(input)) || br[2] <= br[1] || br[2]+br[3] != n {
		return fmt.Errorf("sign: internal error: /ByteRange %v does not cover the %d-byte output", br, n)
	}
	return nil
}
