package station

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// settled returns nil when path can be opened for reading while denying others the right to write:
// Windows refuses that (a sharing violation) while the scanner still holds the file open for
// writing.
func settled(path string) error {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ, windows.FILE_SHARE_READ, nil, windows.OPEN_EXISTING,
		windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
			return fmt.Errorf("%s: %w", path, errStillWritten)
		}
		return fmt.Errorf("open %s for reading: %w", path, err)
	}
	windows.CloseHandle(h)
	return nil
}

// renameDurable renames from to to, replacing it, and returns once the rename is on disk.
func renameDurable(from, to string) error {
	f, err := windows.UTF16PtrFromString(from)
	if err != nil {
		return err
	}
	t, err := windows.UTF16PtrFromString(to)
	if err != nil {
		return err
	}
	if err := windows.MoveFileEx(f, t, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}
