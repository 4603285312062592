package sign

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// inProcessKit is the agency signer with the visible block and the development TSA in-process,
// and the roots both chain to.
func inProcessKit(t testing.TB) (*Signer, *x509.CertPool) {
	t.Helper()
	f, s, root := devKeys(t)
	s.TSA, s.Block = tsaServer(t, f), &Block{}
	return s, rootPool(root)
}

// changeAfter returns b with the first hex digit after the first occurrence of marker at or
// after from changed: the file still parses, its signed bytes do not match.
func changeAfter(t *testing.T, b []byte, from int, marker string) []byte {
	t.Helper()
	i := bytes.Index(b[from:], []byte(marker))
	if i < 0 {
		t.Fatalf("%q not found after byte %d", marker, from)
	}
	out := bytes.Clone(b)
	j := from + i + len(marker)
	if out[j] == '0' {
		out[j] = '1'
	} else {
		out[j] = '0'
	}
	return out
}

func TestCheckOwn(t *testing.T) {
	s, roots := inProcessKit(t)
	ctx := context.Background()
	unsigned := testPDF(0)
	own := sign(t, s, unsigned)
	otherDoc := testPDF(1000)
	otherDocSigned := sign(t, s, otherDoc)

	stranger, _ := devSigner(t) // another agency's key and certificate
	byStranger := sign(t, stranger, unsigned)
	strangerOnTop := sign(t, stranger, own)
	twice := sign(t, s, own)
	noTSA := *s
	noTSA.TSA = nil
	untimestamped := sign(t, &noTSA, unsigned)
	// A signed original: the agency's signature goes on top of the other agency's.
	onOriginal := sign(t, s, byStranger)

	for _, c := range []struct {
		name             string
		signed, unsigned []byte
		kind             fault.Kind // 0: CheckOwn holds
		code             string
	}{
		{name: "own good file", signed: own, unsigned: unsigned},
		{name: "own signature on a signed original", signed: onOriginal, unsigned: byStranger},
		{name: "another document's signed file", signed: otherDocSigned, unsigned: unsigned, kind: fault.Conflict, code: CodeOtherDocument},
		{name: "signed by another key", signed: byStranger, unsigned: unsigned, kind: fault.Conflict, code: CodeOtherSigner},
		{name: "another signature on top of ours", signed: strangerOnTop, unsigned: unsigned, kind: fault.Conflict, code: CodeOtherSigner},
		{name: "two new signatures, both ours", signed: twice, unsigned: unsigned, kind: fault.Refused, code: CodeOwnInvalid},
		{name: "truncated in the update", signed: own[:len(own)-200], unsigned: unsigned, kind: fault.Refused, code: CodeOwnInvalid},
		{name: "truncated into the unsigned bytes", signed: own[:len(unsigned)-10], unsigned: unsigned, kind: fault.Refused, code: CodeOwnInvalid},
		{name: "nothing appended", signed: unsigned, unsigned: unsigned, kind: fault.Refused, code: CodeOwnInvalid},
		{name: "modified in the update", signed: changeAfter(t, own, len(unsigned), "/Name <FEFF"), unsigned: unsigned, kind: fault.Refused, code: CodeOwnInvalid},
		{name: "modified in the unsigned bytes", signed: changeAfter(t, own, 0, "/MediaBox [0 0 5"), unsigned: unsigned, kind: fault.Conflict, code: CodeOtherDocument},
		{name: "bytes appended after the signature", signed: append(bytes.Clone(own), "\n% later\n"...), unsigned: unsigned, kind: fault.Refused, code: CodeOwnInvalid},
		{name: "no timestamp although the signer has a TSA", signed: untimestamped, unsigned: unsigned, kind: fault.Refused, code: CodeOwnInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := s.CheckOwn(ctx, c.signed, c.unsigned, roots)
			t.Log(err)
			if c.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, c.kind) {
				t.Fatalf("want kind %v, got %v (kind %v)", c.kind, err, fault.KindOf(err))
			}
			if code, reason, _ := fault.Reason(err); code != c.code || reason == "" {
				t.Errorf("code %q reason %q, want %s", code, reason, c.code)
			}
		})
	}

	// Our own file, but the roots do not reach our certificate: ours, invalid.
	_, strangerRoot := devSigner(t)
	if err := s.CheckOwn(ctx, own, unsigned, rootPool(strangerRoot)); !errors.Is(err, fault.Refused) {
		t.Errorf("untrusted root: %v", err)
	}
	// The signer without a TSA accepts a file without a timestamp.
	if err := noTSA.CheckOwn(ctx, untimestamped, unsigned, roots); err != nil {
		t.Errorf("no TSA, no timestamp: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.CheckOwn(cancelled, own, unsigned, roots); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// BenchmarkSignAndCheck is what the sign stage does per document: sign with the block and the
// in-process development TSA, then CheckOwn the result.
func BenchmarkSignAndCheck(b *testing.B) {
	s, roots := inProcessKit(b)
	benchSign(b, s, func(in, out []byte) error { return s.CheckOwn(context.Background(), out, in, roots) })
}

// BenchmarkSignInProcessTSA signs with the block and the in-process development TSA, without
// the check: against BenchmarkSignTSA (over loopback HTTP) and BenchmarkSignAndCheck.
func BenchmarkSignInProcessTSA(b *testing.B) {
	s, _ := inProcessKit(b)
	benchSign(b, s, nil)
}
