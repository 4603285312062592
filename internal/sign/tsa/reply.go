package tsa

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/digitorus/timestamp"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// Stable codes of the failures a person may read about.
const (
	CodeUnavailable = "tsa_unavailable" // no answer, a timeout, a 5xx, "waiting", "system failure"
	CodeRejected    = "tsa_rejected"    // the authority refused the request
	CodeBadToken    = "tsa_bad_token"   // it answered with something that is not a valid token over the request
)

const (
	reasonUnavailable = "Máy chủ cấp dấu thời gian (TSA) không trả lời; hệ thống sẽ thử ký lại sau."
	reasonRejected    = "Máy chủ cấp dấu thời gian (TSA) từ chối yêu cầu; cần kiểm tra cấu hình SOHOA_TSA_URL."
	reasonBadToken    = "Máy chủ cấp dấu thời gian (TSA) trả về dấu thời gian không hợp lệ; cần kiểm tra máy chủ TSA."
)

func unavailable(op string, err error) error {
	return fault.Tell(op, fault.Unavailable, CodeUnavailable, reasonUnavailable, err)
}

func rejected(op string, err error) error {
	return fault.Tell(op, fault.Refused, CodeRejected, reasonRejected, err)
}

func badToken(op string, err error) error {
	return fault.Tell(op, fault.Refused, CodeBadToken, reasonBadToken, err)
}

// newQuery encodes a TimeStampReq for a SHA-256 imprint with a fresh nonce,
// asking for the TSA's certificate so that the token can be checked here and
// by any verifier.
func newQuery(imprint []byte) ([]byte, *big.Int, error) {
	if len(imprint) != crypto.SHA256.Size() {
		return nil, nil, fmt.Errorf("tsa: imprint is %d bytes, want a SHA-256 digest", len(imprint))
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, nil, fmt.Errorf("tsa: nonce: %w", err)
	}
	req := timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: imprint, Certificates: true, Nonce: nonce}
	der, err := req.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("tsa: encode query: %w", err)
	}
	return der, nonce, nil
}

// pkiStatus is RFC 3161 §2.4.2's PKIStatusInfo, read before the token so that
// a refusal is told apart from a TSA that cannot answer just now.
type pkiStatus struct {
	Status       int
	StatusString []string       `asn1:"optional"`
	FailInfo     asn1.BitString `asn1:"optional"`
}

// The PKIStatus values and PKIFailureInfo bits that say "ask again later".
const (
	statusGrantedWithMods = 1
	statusWaiting         = 3
	failTimeNotAvailable  = 14
	failSystemFailure     = 25
)

// readReply checks a DER TimeStampResp answering the query for imprint with
// nonce, and returns its token. A refusal or a token that does not verify is
// fault.Refused; "waiting", timeNotAvailable and systemFailure are
// fault.Unavailable.
func readReply(op string, reply, imprint []byte, nonce *big.Int) ([]byte, error) {
	var resp struct {
		Status pkiStatus
		Token  asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(reply, &resp); err != nil {
		return nil, badToken(op, fmt.Errorf("reply is not an RFC 3161 TimeStampResp: %w", err))
	}
	if st := resp.Status; st.Status > statusGrantedWithMods {
		err := fmt.Errorf("TSA answered status %d %q, failure bits %x", st.Status, st.StatusString, st.FailInfo.Bytes)
		if st.Status == statusWaiting || st.FailInfo.At(failTimeNotAvailable) == 1 || st.FailInfo.At(failSystemFailure) == 1 {
			return nil, unavailable(op, err)
		}
		return nil, rejected(op, err)
	}
	// ParseResponse verifies the token's signature when it carries the
	// TSA certificate, which the query asked for.
	ts, err := timestamp.ParseResponse(reply)
	if err != nil {
		return nil, badToken(op, fmt.Errorf("token: %w", err))
	}
	switch {
	case len(ts.Certificates) == 0:
		err = errors.New("token carries no TSA certificate although the query asked for it")
	case ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, imprint):
		err = errors.New("token does not cover the imprint sent")
	case ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0:
		err = errors.New("token nonce differs from the query's (a replayed answer?)")
	}
	if err != nil {
		return nil, badToken(op, err)
	}
	return ts.RawToken, nil
}

func isUnavailable(err error) bool { return errors.Is(err, fault.Unavailable) }
