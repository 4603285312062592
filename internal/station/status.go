package station

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Health is what the station last heard from the server, kept in station.json in each state folder
// for `sohoa-station status`.
type Health struct {
	mu          sync.Mutex
	dirty       bool
	Server      string    `json:"server"`
	Version     string    `json:"version"`
	PID         int       `json:"pid"`
	LastAnswer  time.Time `json:"last_answer,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Updated     time.Time `json:"updated,omitzero"`
}

const healthFile = "station.json"

// Answered records that the server answered at t.
func (h *Health) Answered(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.LastAnswer, h.dirty = t, true
}

// Failed records the last error.
func (h *Health) Failed(t time.Time, msg string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.LastError, h.LastErrorAt, h.dirty = msg, t, true
}

func (h *Health) lastError() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.LastError
}

// keepHealth writes station.json every 2 s when something changed.
func (a *Agent) keepHealth(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.clock.After(2 * time.Second):
			a.flushHealth()
		}
	}
}

func (a *Agent) flushHealth() {
	h := a.health
	h.mu.Lock()
	if !h.dirty && !h.Updated.IsZero() {
		h.mu.Unlock()
		return
	}
	h.dirty, h.Updated, h.PID = false, a.clock.Now(), os.Getpid()
	b, err := json.Marshal(h)
	h.mu.Unlock()
	if err != nil {
		return
	}
	for _, j := range a.journals() {
		if err := writeAtomic(filepath.Join(j.Dir, healthFile), b); err != nil {
			a.log.Warn("cannot write the station's state", "err", err)
		}
	}
}

// FolderStatus is what lies in one watched folder.
type FolderStatus struct {
	Dir       string   `json:"dir"`
	Waiting   []string `json:"waiting"` // files not sent yet, by name
	Sending   int      `json:"sending"`
	SentToday int      `json:"sent_today"` // receipts in today's done/ folder
	Failed    int      `json:"failed"`     // files in failed/
}

// Status is what `sohoa-station status` tells.
type Status struct {
	Server      string         `json:"server"`
	LastAnswer  time.Time      `json:"last_answer,omitzero"`
	LastError   string         `json:"last_error,omitempty"`
	LastErrorAt time.Time      `json:"last_error_at,omitzero"`
	Updated     time.Time      `json:"updated,omitzero"` // when the agent last wrote its state
	Folders     []FolderStatus `json:"folders"`
}

// ReadStatus reads the state of the watched folders from the folders and the state folders (state:
// as Config.State), as of now.
func ReadStatus(dirs []string, state string, now time.Time) (Status, error) {
	var st Status
	for _, d := range dirs {
		dir, err := filepath.Abs(d)
		if err != nil {
			return st, err
		}
		sdir := cmp.Or(state, filepath.Join(dir, StateDir))
		if sdir, err = filepath.Abs(sdir); err != nil {
			return st, err
		}
		fs, err := folderStatus(dir, &Journal{Dir: sdir}, now)
		if err != nil {
			return st, err
		}
		st.Folders = append(st.Folders, fs)
		var h Health
		if b, err := os.ReadFile(filepath.Join(sdir, healthFile)); err == nil && json.Unmarshal(b, &h) == nil && h.Updated.After(st.Updated) {
			st.Server, st.LastAnswer, st.LastError, st.LastErrorAt, st.Updated = h.Server, h.LastAnswer, h.LastError, h.LastErrorAt, h.Updated
		}
	}
	return st, nil
}

func folderStatus(dir string, j *Journal, now time.Time) (FolderStatus, error) {
	fs := FolderStatus{Dir: dir, Waiting: []string{}}
	seen, err := List(dir)
	if err != nil {
		return fs, fmt.Errorf("status of %s: %w", dir, err)
	}
	entries, err := j.Entries()
	if err != nil {
		return fs, err
	}
	inFlight := map[string]bool{}
	for _, e := range entries {
		if filepath.Dir(e.Path) == dir {
			inFlight[e.Path] = true
			fs.Sending++
		}
	}
	for _, s := range seen {
		if !inFlight[s.Path] {
			fs.Waiting = append(fs.Waiting, filepath.Base(s.Path))
		}
	}
	fs.SentToday = countFiles(filepath.Join(dir, DoneDir, now.Local().Format("2006-01-02")), func(n string) bool {
		return strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".")
	})
	fs.Failed = countFiles(filepath.Join(dir, FailDir), func(n string) bool {
		return !strings.HasSuffix(n, ".txt") && !strings.HasPrefix(n, ".")
	})
	return fs, nil
}

func countFiles(dir string, keep func(string) bool) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		if e.Type().IsRegular() && keep(e.Name()) {
			n++
		}
	}
	return n
}

// Text is the status in Vietnamese, for the staff at the station.
func (s Status) Text(now time.Time) string {
	var b strings.Builder
	when := func(t time.Time) string {
		if t.IsZero() {
			return "chưa có"
		}
		return fmt.Sprintf("%s (%s trước)", t.Local().Format("15:04:05 02/01/2006"), ago(now.Sub(t)))
	}
	fmt.Fprintf(&b, "Máy chủ: %s\n", cmp.Or(s.Server, "(trạm chưa chạy lần nào)"))
	fmt.Fprintf(&b, "Máy chủ trả lời lần cuối: %s\n", when(s.LastAnswer))
	if !s.Updated.IsZero() && now.Sub(s.Updated) > time.Minute {
		fmt.Fprintf(&b, "Chú ý: trạm không cập nhật trạng thái từ %s: có thể trạm đã dừng.\n", when(s.Updated))
	}
	if s.LastError != "" {
		fmt.Fprintf(&b, "Lỗi gần nhất: %s\n  lúc %s\n", s.LastError, when(s.LastErrorAt))
	}
	for _, f := range s.Folders {
		fmt.Fprintf(&b, "\nThư mục %s\n", f.Dir)
		fmt.Fprintf(&b, "  Đang chờ gửi:        %d", len(f.Waiting))
		if n := len(f.Waiting); n > 0 {
			shown := f.Waiting[:min(n, 10)]
			fmt.Fprintf(&b, " (%s%s)", strings.Join(shown, ", "), map[bool]string{true: ", …", false: ""}[n > 10])
		}
		fmt.Fprintf(&b, "\n  Đang gửi:            %d\n", f.Sending)
		fmt.Fprintf(&b, "  Đã gửi hôm nay:      %d (trong %s)\n", f.SentToday, filepath.Join(DoneDir, now.Local().Format("2006-01-02")))
		fmt.Fprintf(&b, "  Bị từ chối:          %d (trong %s, lý do trong tệp .txt cạnh mỗi tệp)\n", f.Failed, FailDir)
	}
	return b.String()
}

// ago says a duration in Vietnamese words.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d giây", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d phút", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d giờ", int(d.Hours()))
	}
	return fmt.Sprintf("%d ngày", int(d.Hours()/24))
}

// heartbeat is the report of the station's counts now.
func (a *Agent) heartbeat() Heartbeat {
	hb := Heartbeat{Version: a.cfg.Version, Host: a.cfg.Host, Dirs: a.Dirs(), LastError: a.health.lastError()}
	now := a.clock.Now()
	for _, f := range a.folders {
		fs, err := folderStatus(f.dir, f.journal, now)
		if err != nil {
			continue
		}
		hb.Waiting += len(fs.Waiting)
		hb.Sending += fs.Sending
		hb.SentToday += fs.SentToday
		hb.Failed += fs.Failed
	}
	return hb
}

// report posts a heartbeat at start, every Config.Report, and 2 s after counts change. A server
// without the endpoint is passed over silently (it is reported once, at debug level).
func (a *Agent) report(ctx context.Context) {
	tooOld := false
	for {
		err := a.api.Report(ctx, a.heartbeat())
		switch {
		case errors.Is(err, ErrServerTooOld):
			if !tooOld {
				a.log.Debug("the server takes no station reports (older sohoa); going on without")
			}
			tooOld = true
		case err != nil && ctx.Err() == nil:
			a.log.Debug("station report not delivered", "err", err)
		case err == nil:
			tooOld = false
		}
		select {
		case <-ctx.Done():
			return
		case <-a.clock.After(a.cfg.Report):
		case <-a.changed:
			select {
			case <-ctx.Done():
				return
			case <-a.clock.After(2 * time.Second):
			}
		}
	}
}
