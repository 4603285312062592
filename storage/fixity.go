package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// ErrFixity is returned (wrapped) when stored bytes do not hash to the SHA-256 recorded for them:
// the object was changed, or is another one. It is a fault.Conflict with a stable code and a reason
// for people, so a reader that meets it says so and never passes the bytes on.
var ErrFixity error = &fault.Error{Kind: fault.Conflict, Code: "fixity_mismatch",
	Reason: "Tệp lưu trữ không khớp với mã băm SHA-256 đã ghi nhận: tệp có thể đã bị thay đổi. Hệ thống không trả tệp này; bộ phận kỹ thuật đã được cảnh báo.",
	Err:    errors.New("sha-256 mismatch")}

// VersionReader opens one version of an object: what ReadVerified needs of Objects.
type VersionReader interface {
	GetVersion(ctx context.Context, b Bucket, key, version string) (io.ReadCloser, error)
}

// ReadVerified opens version of key in b (version "" is the current one, for stores that keep no
// versions) and checks its bytes against want, the hex SHA-256 recorded for them, while the caller
// reads: the Read that reaches the end returns, instead of io.EOF, an error wrapping ErrFixity when
// they differ. A caller that must never act on wrong bytes reads to the end before using any.
func ReadVerified(ctx context.Context, o VersionReader, b Bucket, key, version, want string) (io.ReadCloser, error) {
	if want == "" {
		return nil, fmt.Errorf("read %s/%s: no SHA-256 recorded to check it against", b, key)
	}
	r, err := o.GetVersion(ctx, b, key, version)
	if err != nil {
		return nil, err
	}
	return &verifiedReader{ReadCloser: r, h: sha256.New(), want: want, what: fmt.Sprintf("%s/%s version %q", b, key, version)}, nil
}

type verifiedReader struct {
	io.ReadCloser
	h          hash.Hash
	want, what string
	err        error // sticky, once the end was reached
}

func (v *verifiedReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.ReadCloser.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			// The bytes already returned are not to be trusted either: callers buffer until here.
			err = fmt.Errorf("%s: sha-256 %s, recorded %s: %w", v.what, got, v.want, ErrFixity)
		}
		v.err = err
	}
	return n, err
}
