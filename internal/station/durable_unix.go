//go:build !windows

package station

import "os"

// renameDurable renames from to to, replacing it, and returns once the rename is on disk: both
// folders are synced.
func renameDurable(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		return err
	}
	if err := syncDir(dirOf(to)); err != nil {
		return err
	}
	if dirOf(from) != dirOf(to) {
		return syncDir(dirOf(from))
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
