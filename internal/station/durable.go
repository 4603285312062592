package station

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// errStillWritten says a file is still open for writing by another program.
var errStillWritten = errors.New("still open for writing by another program")

func dirOf(p string) string { return filepath.Dir(p) }

// writeAtomic replaces path with data: written to a temporary file in the same folder, synced, and
// renamed over path, so a reader (or a restart after a kill) sees the old content or the new, never
// a part.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = renameDurable(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
