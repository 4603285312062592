package workers

import (
	"context"
	"errors"
	"fmt"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// Stable codes of the failures that are not the input's fault. Those of bad inputs come from the
// package that found them (scan.Code…); these complete the list a person, a program or a metric sees.
const (
	CodeUnavailable = "unavailable"      // a dependency stayed away longer than the retry budget
	CodeTimeout     = "timeout"          // the stage ran out of its time
	CodeConflict    = "archive_conflict" // the archive holds another file where this one goes
	CodeInternal    = "internal"         // anything else: details in the operators' log
)

// failureOf is what a person reads about err at stage s: the error's own Vietnamese reason where it
// has one, else a sentence for its kind. Internals never reach the person; they are in the log.
func failureOf(s pipeline.Stage, err error) storage.Failure {
	kind := fault.KindOf(err)
	if code, reason, ok := fault.Reason(err); ok {
		return storage.Failure{Code: code, Reason: reason, Retryable: kind.Retryable()}
	}
	f := storage.Failure{Retryable: kind.Retryable()}
	switch {
	case kind == fault.Unavailable:
		f.Code = CodeUnavailable
		f.Reason = fmt.Sprintf("Bước %s chưa thực hiện được vì một dịch vụ của hệ thống (kho tệp, cơ sở dữ liệu, hàng đợi hoặc máy chủ dấu thời gian) không phản hồi; hệ thống đã tự thử lại nhiều lần. Hãy bấm \"Làm lại\" khi dịch vụ hoạt động trở lại.", s.Label())
	case errors.Is(err, context.DeadlineExceeded):
		f.Code, f.Retryable = CodeTimeout, true
		f.Reason = fmt.Sprintf("Bước %s vượt quá thời gian cho phép.", s.Label())
	case kind == fault.Conflict:
		f.Code = CodeConflict
		f.Reason = fmt.Sprintf("Bước %s dừng lại: kho lưu trữ đã có một tệp khác ở vị trí dành cho tài liệu này; tệp đó được giữ nguyên. Cần quản trị viên kiểm tra.", s.Label())
	default:
		f.Code = CodeInternal
		f.Reason = fmt.Sprintf("Lỗi hệ thống ở bước %s; chi tiết đã được ghi vào nhật ký vận hành.", s.Label())
	}
	return f
}
