//go:build !linux && !windows

package station

import (
	"fmt"
	"os"
)

// settled returns nil when path can be opened for reading; on this system the stable time is the
// only other guard.
func settled(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s for reading: %w", path, err)
	}
	return f.Close()
}
