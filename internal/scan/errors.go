package scan

import (
	"errors"
	"fmt"
	"time"

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
	// CodeEncrypted: a PDF that needs a password to open, or whose encryption cannot be read.
	CodeEncrypted = "encrypted"
	// CodeDimensionTooLarge: a page side beyond what Tesseract reads (MaxSide).
	CodeDimensionTooLarge = "dimension_too_large"
	// CodeDecompressionBomb: a stream inflates far beyond what it declares or any budget allows.
	CodeDecompressionBomb = "decompression_bomb"
	// CodeMemoryLimit: decoding the file needed more memory than its parser may use.
	CodeMemoryLimit = "memory_limit"
	// CodeParserCrash: the parser died on the file (a crash in Leptonica, libtiff, poppler).
	CodeParserCrash = "parser_crash"
	// CodeTooSlow: the parser did not finish within its time limit.
	CodeTooSlow = "too_slow"
	// CodeParserKilled: the parser was killed from outside (the machine's OOM killer); not an
	// InputError but a retryable fault, see ParserKilled.
	CodeParserKilled = "parser_killed"
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
	if lim.MaxSide > 0 && (w > lim.MaxSide || h > lim.MaxSide) {
		return inputErr(CodeDimensionTooLarge, fmt.Sprintf(
			"Trang %d có kích thước %d×%d điểm ảnh; bộ nhận dạng chữ chỉ đọc được ảnh có mỗi chiều tối đa %d điểm ảnh. "+
				"Hãy quét lại với độ phân giải thấp hơn hoặc chia trang thành nhiều ảnh.", page+1, w, h, lim.MaxSide), nil)
	}
	return nil
}

func checkPageCount(n int, lim Limits) error {
	if lim.MaxPages > 0 && n > lim.MaxPages {
		return inputErr(CodeTooManyPages, fmt.Sprintf("Tệp có %d trang, vượt giới hạn %d trang.", n, lim.MaxPages), nil)
	}
	return nil
}

func encryptedErr(err error) *InputError {
	return inputErr(CodeEncrypted,
		"Tệp PDF được đặt mật khẩu (mã hóa) nên không đọc được; hãy gửi bản không đặt mật khẩu.", err)
}

func bombErr(what string, err error) *InputError {
	return inputErr(CodeDecompressionBomb, fmt.Sprintf(
		"Tệp PDF có %s bung ra lớn bất thường khi giải nén; tệp bị hỏng hoặc được tạo ra để làm tê liệt hệ thống.", what), err)
}

// decodeReserve is what the parser needs beside the page it decodes: the Go
// runtime with its garbage, and the pages already split.
const decodeReserve = 64 << 20

// checkDecode refuses page when decoding it takes need bytes that do not fit
// in lim.Memory beside the file (held twice: as received and in the answer
// sent back).
func checkDecode(page int, need int64, file int, lim Limits) error {
	room := lim.Memory - 2*int64(file) - decodeReserve
	if lim.Memory <= 0 || need <= room {
		return nil
	}
	return inputErr(CodeMemoryLimit, fmt.Sprintf(
		"Trang %d cần khoảng %d MB bộ nhớ để giải mã, bộ đọc ảnh chỉ dành được %d MB cho một trang (giới hạn %d MB); ảnh quá lớn hoặc tệp là bom giải nén.",
		page+1, mb(need), max(room, 0)>>20, mb(lim.Memory)),
		fmt.Errorf("page %d decodes to %d bytes; with the file's %d bytes twice and %d in reserve that is over the %d allowed",
			page+1, need, file, decodeReserve, lim.Memory))
}

// MemoryLimit is a file whose decoding needed more than limit bytes (0: a limit not known here, as
// when an allocation failed in process). Retrying the same bytes under the same limit cannot help.
func MemoryLimit(limit int64, err error) *InputError {
	msg := "Giải mã tệp cần nhiều bộ nhớ hơn mức cho phép; ảnh quá lớn hoặc tệp là bom giải nén."
	if limit > 0 {
		msg = fmt.Sprintf("Giải mã tệp cần hơn %d MB bộ nhớ, vượt giới hạn cho phép; ảnh quá lớn hoặc tệp là bom giải nén.", mb(limit))
	}
	return inputErr(CodeMemoryLimit, msg, err)
}

// ParserCrashed is a file the parser died on (status is "signal SIGSEGV" or the like). The same
// bytes crash the same code again, so it is an input problem, not worth retrying.
func ParserCrashed(status string, err error) *InputError {
	return inputErr(CodeParserCrash, fmt.Sprintf(
		"Tệp làm bộ đọc ảnh dừng đột ngột (%s); tệp bị hỏng hoặc được tạo ra để gây lỗi. Hãy xuất hoặc quét lại tệp.", status), err)
}

// TooSlow is a file the parser could not finish within limit.
func TooSlow(limit time.Duration, err error) *InputError {
	return inputErr(CodeTooSlow, fmt.Sprintf(
		"Đọc tệp mất quá %v; tệp quá phức tạp hoặc bị hỏng.", limit.Round(time.Second)), err)
}

// ParserKilled is a parser killed from outside mid-file: on a machine short of memory the kernel's
// OOM killer picks the largest process, which may be the parser of a perfectly good file, so unlike
// MemoryLimit this is retried (fault.Other) and fails the document only when the retries run out.
func ParserKilled(err error) error {
	return fault.Tell("scan", fault.Other, CodeParserKilled,
		"Bộ đọc tệp bị hệ thống dừng giữa chừng (thường do máy chủ thiếu bộ nhớ); hệ thống sẽ thử lại.", err)
}
