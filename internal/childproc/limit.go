package childproc

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"
)

// limitMemory caps a started child's writable private memory.
//
// RLIMIT_DATA rather than RLIMIT_AS: an idle Go child already maps about 1.9 GB of address space
// (the runtime reserves its page-summary and arena-hint regions PROT_NONE up front, glibc reserves
// 64 MB per malloc arena), and under RLIMIT_AS of a few hundred MB the runtime dies at start ("failed
// to reserve page summary memory"). Reservations without write permission do not count against
// RLIMIT_DATA (Linux ≥ 4.7); what a decoder writes (Go heap, malloc, thread stacks) does, so the
// limit measures what a bomb costs. Applying it from the parent, soft and hard alike, means the child
// cannot lift it; the child waits for its hello before touching any input, so it is in force before
// the first hostile byte is read, and processes the child starts inherit it.
//
// It is not airtight for a Go child: Linux checks a writable mapping laid over an existing mapping
// (MAP_FIXED) only for how much it grows the address space, and Go's runtime lays its heap over its
// own PROT_NONE reservations, so a single allocation can take the child past the limit. A child that
// decodes in Go must weigh what it decodes first (scan.Limits.Memory); malloc's fresh mappings, and
// so C decoders, are held to it.
func limitMemory(pid int, bytes int64) error {
	lim := unix.Rlimit{Cur: uint64(bytes), Max: uint64(bytes)}
	if err := unix.Prlimit(pid, unix.RLIMIT_DATA, &lim, nil); err != nil {
		return fmt.Errorf("limit memory of child %d to %d bytes: %w", pid, bytes, err)
	}
	return nil
}

// goMemLimit is the GOMEMLIMIT setting for a child under a hard limit of bytes.
func goMemLimit(bytes int64) string { return "GOMEMLIMIT=" + strconv.FormatInt(bytes/4*3, 10) }
