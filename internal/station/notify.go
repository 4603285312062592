package station

import (
	"context"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// notify nudges a folder's scan when the file system reports a change in it. It only hurries the
// polling, which finds every file by itself: events are lost on network shares, on a full queue,
// or when the watch cannot be set up.
func (a *Agent) notify(ctx context.Context) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		a.log.Warn("no file system events; polling only", "err", err)
		return
	}
	defer w.Close()
	byDir := map[string]*folder{}
	for _, f := range a.folders {
		if err := w.Add(f.dir); err != nil {
			a.log.Warn("no file system events for a folder; polling it only", "dir", f.dir, "err", err)
			continue
		}
		byDir[f.dir] = f
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if f := byDir[filepath.Dir(ev.Name)]; f != nil && Candidate(filepath.Base(ev.Name)) {
				poke(f.wake)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			a.log.Warn("file system events", "err", err)
		}
	}
}
