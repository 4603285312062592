package fault

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

type explained struct{ code, reason string }

func (e explained) Error() string                  { return e.code }
func (e explained) Explain() (code, reason string) { return e.code, e.reason }

func TestKindsAreFoundThroughWrapping(t *testing.T) {
	base := E("s3 get work/x", Unavailable, io.ErrUnexpectedEOF)
	cases := []struct {
		name string
		err  error
		kind Kind
	}{
		{"direct", base, Unavailable},
		{"wrapped by fmt", fmt.Errorf("ocr page 3: %w", base), Unavailable},
		{"joined", errors.Join(errors.New("x"), E("sign", Refused, errors.New("expired"))), Refused},
		{"unclassified", errors.New("boom"), Other},
		{"nil", nil, Other},
		{"other kind never matches", E("op", Other, errors.New("x")), Other},
	}
	for _, c := range cases {
		if got := KindOf(c.err); got != c.kind {
			t.Errorf("%s: KindOf = %v, want %v", c.name, got, c.kind)
		}
		if c.kind != Other && !errors.Is(c.err, c.kind) {
			t.Errorf("%s: errors.Is(err, %v) is false", c.name, c.kind)
		}
	}
	if errors.Is(base, Input) {
		t.Error("an Unavailable error matched Input")
	}
	if !errors.Is(base, io.ErrUnexpectedEOF) {
		t.Error("the wrapped cause is lost")
	}
	if E("op", Input, nil) != nil {
		t.Error("E(nil) is not nil")
	}
}

func TestReasonIsTheFirstWrittenForAPerson(t *testing.T) {
	inner := Tell("ingest", Input, "too_many_pixels", "Trang 1 quá lớn.", nil)
	cases := []struct {
		name         string
		err          error
		code, reason string
		ok           bool
	}{
		{"told", inner, "too_many_pixels", "Trang 1 quá lớn.", true},
		{"wrapped without a reason", E("stage ingest", Other, inner), "too_many_pixels", "Trang 1 quá lớn.", true},
		{"other explained type", fmt.Errorf("x: %w", explained{"truncated", "Tệp bị cắt cụt."}), "truncated", "Tệp bị cắt cụt.", true},
		{"joined", errors.Join(errors.New("a"), inner), "too_many_pixels", "Trang 1 quá lớn.", true},
		{"none", E("s3", Unavailable, errors.New("refused")), "", "", false},
	}
	for _, c := range cases {
		code, reason, ok := Reason(c.err)
		if code != c.code || reason != c.reason || ok != c.ok {
			t.Errorf("%s: Reason = %q, %q, %v; want %q, %q, %v", c.name, code, reason, ok, c.code, c.reason, c.ok)
		}
	}
}

func TestRetryable(t *testing.T) {
	for k, want := range map[Kind]bool{Other: true, Unavailable: true, Interrupted: true,
		Input: false, Refused: false, Conflict: false, NotFound: false} {
		if k.Retryable() != want {
			t.Errorf("%v.Retryable() = %v", k, !want)
		}
	}
}
