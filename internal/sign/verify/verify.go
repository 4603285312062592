// Package verify checks the signatures of a PDF the way a court or an
// archive would: that each signed byte range is intact and its signature
// valid, that the signer's certificate chains to trusted roots and was valid
// when the document was signed (the timestamp's time when there is one), that
// the timestamp itself is valid, and that nothing was appended after the last
// signature. It also tells the pipeline whether an incoming PDF is already
// signed, so such files are kept byte for byte.
//
// It does not depend on package sign, so it judges foreign signatures and
// ours alike; the API and `sohoa verify` report with Report.
package verify

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/sohoa-vn/sohoa/internal/sign/cms"
)

// Report is the verification of one file.
type Report struct {
	Size       int64       `json:"size"`
	Signatures []Signature `json:"signatures"`
	// ModifiedAfterSigning is true when bytes follow the end of the last
	// signature's byte range: someone changed the file after it was signed.
	ModifiedAfterSigning bool `json:"modified_after_signing"`
	// Valid is true when the file has signatures, every check of every
	// signature passed, and nothing was appended.
	Valid bool `json:"valid"`
}

// Signature is the verification of one signature field.
type Signature struct {
	Field     string `json:"field"`
	SubFilter string `json:"sub_filter"`
	Signer    string `json:"signer"`    // certificate subject CN
	SignerDN  string `json:"signer_dn"` // full subject
	// Certificate is the signer's, as embedded; nil when it is not.
	Certificate *x509.Certificate `json:"-"`
	Name        string            `json:"name,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	Location    string            `json:"location,omitempty"`
	Claimed     *time.Time        `json:"claimed_time,omitempty"` // /M or signing-time: what the signer says
	Timestamp   *Timestamp        `json:"timestamp,omitempty"`
	ByteRange   []int64           `json:"byte_range"`
	// CoversWholeFile is true when the byte range reaches the end of the
	// file: this signature is the last thing written.
	CoversWholeFile bool `json:"covers_whole_file"`

	ByteRangeCheck Check `json:"byte_range_check"`     // covers the file except its own /Contents
	Integrity      Check `json:"integrity"`            // message digest matches the signed bytes
	SignatureCheck Check `json:"signature"`            // CMS signature value verifies with the certificate
	Chain          Check `json:"chain"`                // certificate chains to a trusted root
	CertValidity   Check `json:"certificate_validity"` // certificate valid at the signing time
	TimestampCheck Check `json:"timestamp_check"`      // token valid and over this signature (OK if absent)
	Valid          bool  `json:"valid"`
}

// Timestamp is an RFC 3161 token's claim.
type Timestamp struct {
	Time  time.Time `json:"time"`
	TSA   string    `json:"tsa"` // TSA certificate subject CN
	Valid bool      `json:"valid"`
}

// Check is the outcome of one check; Detail says why it failed, or what
// was found.
type Check struct {
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

func pass(detail string) Check { return Check{OK: true, Detail: detail} }
func fail(err error) Check     { return Check{Detail: err.Error()} }

// Err returns nil if the report is valid, else an error naming every
// failed check.
func (r *Report) Err() error {
	if r.Valid {
		return nil
	}
	var problems []string
	if len(r.Signatures) == 0 {
		problems = append(problems, "no signature")
	}
	if r.ModifiedAfterSigning {
		problems = append(problems, "modified after signing: bytes appended after the last signature")
	}
	for _, s := range r.Signatures {
		problems = append(problems, s.problems()...)
	}
	return errors.New("verify: " + strings.Join(problems, "; "))
}

// Err returns nil if the signature is valid, else an error naming each
// failed check.
func (s *Signature) Err() error {
	if p := s.problems(); len(p) > 0 || !s.Valid {
		return errors.New("verify: " + strings.Join(p, "; "))
	}
	return nil
}

func (s *Signature) problems() []string {
	var out []string
	for _, c := range []struct {
		name string
		Check
	}{
		{"byte range", s.ByteRangeCheck}, {"integrity", s.Integrity}, {"signature", s.SignatureCheck},
		{"chain", s.Chain}, {"certificate validity", s.CertValidity}, {"timestamp", s.TimestampCheck},
	} {
		if !c.OK {
			out = append(out, fmt.Sprintf("%s: %s: %s", s.Field, c.name, c.Detail))
		}
	}
	return out
}

// HasSignature reports whether the PDF has a signed signature field, or
// looks as if it has (a /ByteRange anywhere) when it cannot be parsed: a
// false "yes" only keeps a file untouched, a false "no" would break it.
func HasSignature(r io.ReaderAt, size int64) (bool, error) {
	fields, err := signatureFields(r, size)
	if err == nil {
		return len(fields) > 0, nil
	}
	found, scanErr := containsAny(r, size, "/ByteRange")
	if scanErr != nil {
		return false, fmt.Errorf("verify: scan for signatures: %w", scanErr)
	}
	return found, nil
}

// File verifies every signature of the PDF in r against roots (nil: the
// system's roots). An error means the file could not be read as a PDF;
// failed checks are in the Report, see Report.Err.
func File(ctx context.Context, r io.ReaderAt, size int64, roots *x509.CertPool) (*Report, error) {
	fields, err := signatureFields(r, size)
	if err != nil {
		return nil, err
	}
	rep := &Report{Size: size, Signatures: []Signature{}}
	var end int64
	for _, f := range fields {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		s := checkField(r, size, f, roots)
		rep.Signatures = append(rep.Signatures, s)
		if len(s.ByteRange) == 4 {
			end = max(end, s.ByteRange[2]+s.ByteRange[3])
		}
	}
	rep.ModifiedAfterSigning = len(fields) > 0 && end < size
	rep.Valid = len(fields) > 0 && !rep.ModifiedAfterSigning
	for _, s := range rep.Signatures {
		rep.Valid = rep.Valid && s.Valid
	}
	return rep, nil
}

// field is a signature field's value dictionary, read with pdfcpu.
type field struct {
	name      string
	subFilter string
	byteRange []int64
	contents  []byte // as parsed, to match against the byte range's hole
	m, reason string
	location  string
	sigName   string
}

func signatureFields(r io.ReaderAt, size int64) (fields []field, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("verify: malformed PDF (parser panicked: %v)", p)
		}
	}()
	ctx, err := api.ReadContext(io.NewSectionReader(r, 0, size), &model.Configuration{
		Eol: types.EolLF, ValidationMode: model.ValidationRelaxed, Reader15: true, Limits: model.DefaultResourceLimits(),
	})
	if err != nil {
		return nil, fmt.Errorf("verify: parse PDF: %w", err)
	}
	xt := ctx.XRefTable
	root, err := xt.Catalog()
	if err != nil {
		return nil, fmt.Errorf("verify: parse PDF: catalog: %w", err)
	}
	form, err := xt.DereferenceDict(root["AcroForm"])
	if err != nil || form == nil {
		return nil, nil
	}
	kids, err := xt.DereferenceArray(form["Fields"])
	if err != nil {
		return nil, fmt.Errorf("verify: /AcroForm /Fields: %w", err)
	}
	seen := map[types.IndirectRef]bool{}
	var walk func(objs types.Array, prefix, ft string, depth int)
	walk = func(objs types.Array, prefix, ft string, depth int) {
		for _, o := range objs {
			if ref, ok := o.(types.IndirectRef); ok {
				if seen[ref] {
					continue // a cycle in a hostile file
				}
				seen[ref] = true
			}
			d, err := xt.DereferenceDict(o)
			if err != nil || d == nil || depth > 32 {
				continue
			}
			name := prefix
			if t, err := xt.DereferenceStringOrHexLiteral(d["T"], model.V10, nil); err == nil && t != "" {
				name = strings.TrimPrefix(prefix+"."+t, ".")
			}
			typ := ft
			if n, ok := d["FT"].(types.Name); ok {
				typ = string(n)
			}
			if k, err := xt.DereferenceArray(d["Kids"]); err == nil && len(k) > 0 {
				walk(k, name, typ, depth+1)
			}
			if typ != "Sig" {
				continue
			}
			v, err := xt.DereferenceDict(d["V"])
			if err != nil || v == nil {
				continue // an empty signature field
			}
			fields = append(fields, readSigDict(xt, v, name))
		}
	}
	walk(kids, "", "", 0)
	return fields, nil
}

func readSigDict(xt *model.XRefTable, v types.Dict, name string) field {
	f := field{name: name}
	if n, ok := v["SubFilter"].(types.Name); ok {
		f.subFilter = string(n)
	}
	if br, err := xt.DereferenceArray(v["ByteRange"]); err == nil {
		for _, o := range br {
			if n, err := xt.DereferenceInteger(o); err == nil && n != nil {
				f.byteRange = append(f.byteRange, int64(n.Value()))
			}
		}
	}
	switch c := v["Contents"].(type) {
	case types.HexLiteral:
		f.contents, _ = c.Bytes()
	case types.StringLiteral:
		f.contents, _ = types.Unescape(c.Value())
	}
	text := func(k string) string {
		s, _ := xt.DereferenceStringOrHexLiteral(v[k], model.V10, nil)
		return s
	}
	f.m, f.reason, f.location, f.sigName = text("M"), text("Reason"), text("Location"), text("Name")
	return f
}

// hole returns the /Contents bytes between the two signed ranges, decoded.
func hole(r io.ReaderAt, br []int64) ([]byte, error) {
	raw := make([]byte, br[2]-(br[0]+br[1]))
	if _, err := r.ReadAt(raw, br[0]+br[1]); err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) < 2 || raw[0] != '<' || raw[len(raw)-1] != '>' {
		return nil, errors.New("the gap between the signed ranges is not a hex string")
	}
	out := make([]byte, hex.DecodedLen(len(raw)-2))
	if _, err := hex.Decode(out, raw[1:len(raw)-1]); err != nil {
		return nil, fmt.Errorf("the gap between the signed ranges is not a hex string: %w", err)
	}
	return out, nil
}

func containsAny(r io.ReaderAt, size int64, needle string) (bool, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk+len(needle))
	for off := int64(0); off < size; off += chunk {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
		if err != nil && !errors.Is(err, io.EOF) {
			return false, err
		}
		if bytes.Contains(buf[:n], []byte(needle)) {
			return true, nil
		}
	}
	return false, nil
}

// signedDigest hashes the two signed ranges with the signature's algorithm.
func signedDigest(r io.ReaderAt, br []int64, sig *cms.Signature) ([]byte, error) {
	h := sig.DigestAlgorithm.New()
	for i := 0; i < 4; i += 2 {
		if _, err := io.Copy(h, io.NewSectionReader(r, br[i], br[i+1])); err != nil {
			return nil, err
		}
	}
	return h.Sum(nil), nil
}
