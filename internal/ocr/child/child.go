// Package child runs Tesseract in child processes (internal/childproc), so that a crash inside
// Tesseract or Leptonica (a segfault, an abort, the kernel's OOM killer) takes down one page instead
// of the worker process and every task it was running.
//
// A Pool keeps up to size long-lived children, each holding one ocr.Engine, so the language model is
// loaded once per child rather than once per page. A child is the running binary started again as
// `<executable> ocr-child` (Command), which must call Main. A child that dies mid-page fails that
// page with a *CrashError (errors.Is ErrCrashed) and is replaced on the pool's next page; pages in
// other children go on. Tesseract cannot be interrupted everywhere (layout analysis ignores its
// cancel callback), so a cancelled context or a page running past the engine's PageTimeout kills the
// child.
package child

import (
	"github.com/sohoa-vn/sohoa/internal/childproc"
	"github.com/sohoa-vn/sohoa/internal/ocr"
)

// Command is the subcommand that makes the binary an OCR child: `case child.Command: return child.Main()`.
const Command = "ocr-child"

// CrashError describes a child that died mid-page.
type CrashError = childproc.CrashError

var (
	// ErrCrashed is wrapped by the *CrashError of a child that died while reading a page.
	ErrCrashed = childproc.ErrCrashed
	// ErrClosed is returned for pages asked of, or cut short by, a closed Pool.
	ErrClosed = childproc.ErrClosed
)

// remoteError is an error the child returned for a page; it matches ocr.ErrTimeout when it was one.
type remoteError struct {
	msg     string
	timeout bool
}

func (e *remoteError) Error() string { return e.msg }

func (e *remoteError) Is(target error) bool { return e.timeout && target == ocr.ErrTimeout }
