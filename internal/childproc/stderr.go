package childproc

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
)

const (
	tailLines = 8    // lines of stderr a CrashError carries
	maxLine   = 4096 // a longer "line" is cut, so a child writing binary junk cannot grow memory
	tailWidth = 300  // characters kept of each tail line
)

// lineWriter copies a child's stderr to dst line by line with a prefix naming the child, and keeps
// what a crash report needs: the last lines before the Go runtime's fatal report, the signal that
// report names, and whether it said memory ran out.
type lineWriter struct {
	mu     sync.Mutex
	dst    io.Writer
	prefix string
	part   []byte
	tail   []string
	frozen bool   // a fatal report was seen: the tail keeps what led to it, not the stack dump
	signal string // from the report, e.g. "SIGSEGV"
	oom    bool
	fault  goFault
}

// goFault follows the Go runtime's report of a segmentation fault far enough to tell where it
// happened: in C code (a decoder's crash), or in the runtime itself, which under a memory limit
// means the runtime failed to map memory it needed (Go 1.26's garbage collector then dereferences
// nil rather than reporting "out of memory").
type goFault struct {
	sigcode    string // "1" or "2" for a real fault; "0" for a SIGSEGV sent with kill
	cgo        bool   // "signal arrived during cgo execution"
	afterHead  bool   // the last line was a goroutine header
	firstFrame string // the function the first goroutine shown was in
}

func (f *goFault) see(line string) {
	switch {
	case strings.HasPrefix(line, "PC=") && f.sigcode == "":
		if _, code, ok := strings.Cut(line, " sigcode="); ok {
			f.sigcode, _, _ = strings.Cut(code, " ")
		}
	case line == "signal arrived during cgo execution":
		f.cgo = true
	case strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(line, ":"):
		f.afterHead = f.firstFrame == ""
		return
	case f.afterHead:
		f.firstFrame = line
	}
	f.afterHead = false
}

// inRuntime reports a fault of the Go runtime's own code.
func (f *goFault) inRuntime() bool {
	return (f.sigcode == "1" || f.sigcode == "2") && !f.cgo && strings.HasPrefix(f.firstFrame, "runtime.")
}

func (w *lineWriter) setPrefix(p string) {
	w.mu.Lock()
	w.prefix = p
	w.mu.Unlock()
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.part = append(w.part, b...)
	for {
		i := bytes.IndexByte(w.part, '\n')
		if i < 0 {
			break
		}
		w.emit(string(w.part[:i]))
		w.part = w.part[:copy(w.part, w.part[i+1:])]
	}
	if len(w.part) > maxLine {
		w.emit(string(w.part))
		w.part = w.part[:0]
	}
	return len(b), nil
}

// flush emits a last line that had no newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.part) > 0 {
		w.emit(string(w.part))
		w.part = nil
	}
}

func (w *lineWriter) emit(line string) {
	// The log is best effort: a failing destination must not stop the child's stderr being drained.
	fmt.Fprintf(w.dst, "%s%s\n", w.prefix, line)
	if w.signal == "" {
		w.signal = reportedSignal(line)
	}
	if !w.frozen && outOfMemory(line) {
		w.oom = true
	}
	if w.frozen {
		if w.signal == "SIGSEGV" {
			w.fault.see(line)
		}
		return
	}
	if len(line) > tailWidth {
		line = line[:tailWidth] + "…"
	}
	w.tail = append(w.tail, line)
	if len(w.tail) > tailLines {
		w.tail = w.tail[1:]
	}
	w.frozen = fatalReport(line)
}

func (w *lineWriter) report() (tail []string, signal string, oom, runtimeFault bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.tail...), w.signal, w.oom, w.signal == "SIGSEGV" && w.fault.inRuntime()
}

// fatalReport tells the first line of the Go runtime's report of a dying process.
func fatalReport(line string) bool {
	return strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") || reportedSignal(line) != ""
}

// outOfMemory tells the last words of a process whose allocation failed: the Go runtime's fatal
// report ("fatal error: out of memory allocating heap arena metadata", "fatal error: runtime: out of
// memory", "fatal error: runtime: cannot allocate memory"), a thread whose stack could not be mapped,
// C++'s bad_alloc, and poppler's "Out of memory".
func outOfMemory(line string) bool {
	l := strings.ToLower(line)
	return (strings.HasPrefix(l, "fatal error: ") && (strings.Contains(l, "out of memory") || strings.Contains(l, "cannot allocate memory"))) ||
		strings.Contains(l, "failed to create new os thread") || strings.Contains(l, "pthread_create failed") ||
		strings.Contains(l, "std::bad_alloc") || strings.HasPrefix(l, "out of memory")
}

// reportedSignal returns the signal the Go runtime names in a crash report line: "SIGSEGV:
// segmentation violation" for a fault in C code, "[signal SIGSEGV: segmentation violation …]" after a
// Go panic.
func reportedSignal(line string) string {
	name, _, ok := strings.Cut(strings.TrimPrefix(line, "[signal "), ":")
	if !ok || len(name) < 5 || len(name) > 10 || !strings.HasPrefix(name, "SIG") {
		return ""
	}
	for _, c := range name {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return ""
		}
	}
	return name
}
