package station

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// settled returns nil when path can be opened for reading and no process has it open for writing.
// The check is a read lease, which Linux grants only on a file nobody has open for writing; where a
// lease cannot be had (a file of another user, a network file system) it falls back to a shared
// flock, which a scanner that locks its file while writing holds. Neither blocks.
func settled(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("open %s for reading: %w", path, err)
	}
	defer unix.Close(fd)
	_, err = unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_RDLCK)
	if err == nil {
		unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, unix.F_UNLCK)
		return nil
	}
	if errors.Is(err, unix.EAGAIN) {
		return fmt.Errorf("%s: %w", path, errStillWritten)
	}
	if err := unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return fmt.Errorf("%s: locked: %w", path, errStillWritten)
		}
		return nil // no locking here: the stable time is the only guard
	}
	unix.Flock(fd, unix.LOCK_UN)
	return nil
}
