package scan

import (
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// Stable codes of InputError, for callers that branch on them and for
// metrics; the Vietnamese message is for people and may be reworded.
const (
	CodeEmpty           = "empty"
	CodeUnsupportedType = "unsupported_type"
	CodeTruncated       = "truncated"
	CodeCorrupt         = "corrupt"
	CodeTooManyPixels   = "too_many_pixels"
	CodeTooLarge        = "too_large"
	CodeTooManyPages    = "too_many_pages"
	CodeBadPDF          = "bad_pdf"
	CodeNoPages         = "no_pages"
)

// InputError is a permanent problem with the input: retrying cannot help.
// Code is a stable English identifier; Message is a sentence in Vietnamese
// for the person who sent the file.
type InputError struct {
	Code, Message string
	Err           error
}

func (e *InputError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *InputError) Unwrap() error { return e.Err }

// Is makes every InputError a fault.Input: retrying the same bytes cannot help.
func (e *InputError) Is(target error) bool { return target == fault.Input }

// Explain gives the stable code and the Vietnamese message (fault.Reason).
func (e *InputError) Explain() (code, reason string) { return e.Code, e.Message }

func inputErr(code, msg string, err error) *InputError {
	return &InputError{Code: code, Message: msg, Err: err}
}

// IsInputError reports whether err (or anything it wraps) is an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

func tooManyPixels(page, w, h int, lim Limits) *InputError {
	return inputErr(CodeTooManyPixels, fmt.Sprintf(
		"Trang %d có kích thước %d×%d điểm ảnh (%.0f megapixel), vượt giới hạn %.0f megapixel.",
		page+1, w, h, float64(w)*float64(h)/1e6, float64(lim.MaxPixels)/1e6), nil)
}

// checkPixels is called with dimensions read from headers, before decoding,
// so a decompression bomb is refused without allocating its pixels.
func checkPixels(page, w, h int, lim Limits) error {
	if w <= 0 || h <= 0 {
		return inputErr(CodeCorrupt, fmt.Sprintf("Trang %d có kích thước ảnh không hợp lệ (%d×%d).", page+1, w, h), nil)
	}
	if lim.MaxPixels > 0 && int64(w)*int64(h) > lim.MaxPixels {
		return tooManyPixels(page, w, h, lim)
	}
	return nil
}

func checkPageCount(n int, lim Limits) error {
	if lim.MaxPages > 0 && n > lim.MaxPages {
		return inputErr(CodeTooManyPages, fmt.Sprintf("Tệp có %d trang, vượt giới hạn %d trang.", n, lim.MaxPages), nil)
	}
	return nil
}
