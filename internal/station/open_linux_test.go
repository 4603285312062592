package station

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSettledWaitsForTheWriterToClose(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.jpg")
	w, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w.WriteString("half")
	if err := settled(p); !errors.Is(err, errStillWritten) {
		t.Errorf("a file open for writing: %v", err)
	}
	w.Close()
	if err := settled(p); err != nil {
		t.Errorf("a closed file: %v", err)
	}
}
