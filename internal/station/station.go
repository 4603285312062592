// Package station is the scanner-station agent of sohoa: it watches the folders a scanner saves
// into, takes each file once it has stopped changing, uploads it to sohoa with the station's token,
// and files it away in done/ (with a receipt) or failed/ (with the reason in Vietnamese). A journal
// in a state folder, written with fsync and rename, makes it survive a kill at any instant without
// losing a file or marking an unsent one as sent.
//
// The pieces, each on a small interface so that tests drive them without sleeping:
//   - Tracker: which files have been stable for long enough (size and modification time), and
//     when a file may be tried again;
//   - Client: the HTTP API (streamed upload checked against its own SHA-256, a document's state,
//     the heartbeat);
//   - Journal: what is being sent, what was accepted and where it goes, which receipts are followed;
//   - Mover: done/YYYY-MM-DD/<name> with <name>.json, failed/<name> with <name>.txt;
//   - Agent: the loops that tie them together, one per watched folder, with bounded parallelism.
package station

import (
	"os"
	"path/filepath"
	"strings"
)

// The folders inside each watched folder. They, and every other subfolder, are never taken as input.
const (
	DoneDir  = "done"
	FailDir  = "failed"
	StateDir = ".sohoa-station"
)

// Candidate reports whether a file named name, lying directly in a watched folder, is one to upload:
// not a scanner's temporary file (~*, *.tmp, *.part), not hidden, not Windows Explorer's own files,
// not a receipt.
func Candidate(name string) bool {
	l := strings.ToLower(name)
	if name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") {
		return false
	}
	for _, suffix := range []string{".tmp", ".part", ".partial", ".crdownload", ".json"} {
		if strings.HasSuffix(l, suffix) {
			return false
		}
	}
	return l != "thumbs.db" && l != "desktop.ini"
}

// Seen is a file a scan found.
type Seen struct {
	Path    string
	Size    int64
	ModTime int64 // UnixNano
}

// List returns the candidate regular files directly in dir (symbolic links and subfolders are
// left alone).
func List(dir string) ([]Seen, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Seen
	for _, e := range entries {
		if !e.Type().IsRegular() || !Candidate(e.Name()) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone since the listing
		}
		out = append(out, Seen{Path: filepath.Join(dir, e.Name()), Size: info.Size(), ModTime: info.ModTime().UnixNano()})
	}
	return out, nil
}
