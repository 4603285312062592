package childproc

import (
	"io"
	"strings"
	"testing"
)

// Reports of dying Go processes, cut to what tells them apart.
const (
	// The garbage collector dereferencing nil after a failed mapping, under RLIMIT_DATA (Go 1.26).
	runtimeFaultReport = `SIGSEGV: segmentation violation
PC=0x432ffd m=3 sigcode=1 addr=0x0

goroutine 0 gp=0xbe7e126ef00 m=3 mp=0xbe7e12ab008 [idle]:
runtime.(*spanQueue).tryDrain(0xbe700000400?, 0x43b785?, 0x765228?)
	/usr/local/go/src/runtime/mgcmark_greenteagc.go:520 +0x5d fp=0xbe7e12c1ea0 sp=0xbe7e12c1e80 pc=0x432ffd
`
	// A decoder's segfault in C code.
	cgoFaultReport = `SIGSEGV: segmentation violation
PC=0x7f1c2d3e4f50 m=0 sigcode=1 addr=0x10
signal arrived during cgo execution

goroutine 1 gp=0xc000002380 m=0 mp=0x8d4f20 [syscall]:
runtime.cgocall(0x5b2c10, 0xc00011f8a8)
`
	// SIGSEGV sent with kill(2), landing while the runtime ran.
	killedReport = `SIGSEGV: segmentation violation
PC=0x47e8c1 m=0 sigcode=0

goroutine 0 gp=0x8d5340 m=0 mp=0x8d4f20 [idle]:
runtime.futex(0x8d5078, 0x80, 0x0, 0x0, 0x0, 0x0)
`
)

func TestRuntimeFault(t *testing.T) {
	for report, want := range map[string]bool{runtimeFaultReport: true, cgoFaultReport: false, killedReport: false} {
		w := &lineWriter{dst: io.Discard}
		w.Write([]byte(report))
		_, sig, oom, fault := w.report()
		if sig != "SIGSEGV" || oom || fault != want {
			t.Errorf("signal %q, oom %v, runtime fault %v, want %v, in:\n%s", sig, oom, fault, want, strings.SplitN(report, "\n", 3)[1])
		}
	}
}

func TestOutOfMemory(t *testing.T) {
	for line, want := range map[string]bool{
		"fatal error: out of memory allocating heap arena metadata":          true,
		"fatal error: runtime: out of memory":                                true,
		"fatal error: runtime: cannot allocate memory":                       true,
		"runtime: failed to create new OS thread (have 9 already; errno=11)": true,
		"terminate called after throwing an instance of 'std::bad_alloc'":    true,
		"Out of memory":                      true,
		"fatal error: concurrent map writes": false,
		"Syntax Error: out of memory?":       false,
	} {
		if got := outOfMemory(line); got != want {
			t.Errorf("outOfMemory(%q) = %v", line, got)
		}
	}
}
