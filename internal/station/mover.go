package station

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Receipt is the JSON file written beside a sent file in done/, <name>.json. The station rewrites it
// while it follows the document (code, status, and on failure the reason).
type Receipt struct {
	File          string    `json:"file"`
	DocumentID    string    `json:"document_id"`
	Code          string    `json:"code"`
	SHA256        string    `json:"sha256"`
	Size          int64     `json:"size"`
	UploadedAt    time.Time `json:"uploaded_at"`
	Server        string    `json:"server"`
	Status        string    `json:"status"`
	Dossier       string    `json:"dossier,omitempty"`
	ComponentCode string    `json:"component_code,omitempty"`
	Error         string    `json:"error,omitempty"`
	ErrorCode     string    `json:"error_code,omitempty"`
	Deleted       bool      `json:"deleted,omitempty"` // -delete: the file itself was removed
}

// Mover files a sent file in done/YYYY-MM-DD/ (or deletes it, keeping the receipt) and a refused one
// in failed/ with the reason beside it.
type Mover struct {
	Delete bool
}

// DoneDest chooses and claims the place of a sent file: done/<day>/<name>, or <stem>-2<ext>… when
// that is taken. The claim is the receipt's name, created exclusively, so two files never get the
// same place.
func (m Mover) DoneDest(watched, name string, day time.Time) (string, error) {
	return claim(filepath.Join(watched, DoneDir, day.Format("2006-01-02")), name, ".json")
}

// FailedDest chooses and claims the place of a refused file in failed/.
func (m Mover) FailedDest(watched, name string) (string, error) {
	return claim(filepath.Join(watched, FailDir), name, ".txt")
}

func claim(dir, name, suffix string) (string, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("make %s: %w", dir, err)
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		dest := filepath.Join(dir, name)
		if i > 1 {
			dest = filepath.Join(dir, stem+"-"+strconv.Itoa(i)+ext)
		}
		if _, err := os.Lstat(dest); err == nil {
			continue
		}
		f, err := os.OpenFile(dest+suffix, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o640)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("claim %s: %w", dest, err)
		}
		f.Close()
		return dest, nil
	}
}

// Done writes e's receipt at e.Dest.json and moves e.Path to e.Dest (or deletes it). It may be
// called again after a crash: a file already moved is left where it is.
func (m Mover) Done(e Entry, dossier string) error {
	r := Receipt{File: filepath.Base(e.Path), DocumentID: e.DocumentID, Code: e.Code, SHA256: e.SHA256, Size: e.Size,
		UploadedAt: e.UploadedAt, Server: e.Server, Status: e.Status, Dossier: dossier, ComponentCode: e.Component, Deleted: m.Delete}
	if err := WriteReceipt(e.Dest+".json", r); err != nil {
		return err
	}
	if m.Delete {
		if err := os.Remove(e.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete %s: %w", e.Path, err)
		}
		return nil
	}
	return moveOnce(e.Path, e.Dest)
}

// Failed writes the reason beside e.Dest (e.Dest.txt, in Vietnamese) and moves e.Path there.
func (m Mover) Failed(e Entry, at time.Time) error {
	text := fmt.Sprintf("Tệp: %s\r\nThời điểm: %s\r\nMáy chủ từ chối tệp này (HTTP %d, mã %s):\r\n\r\n    %s\r\n\r\n"+
		"Tệp sẽ không được gửi lại tự động. Hãy kiểm tra tệp (quét lại nếu cần), rồi đặt tệp đúng vào thư mục\r\n"+
		"%s\r\nđể gửi lại.\r\n", filepath.Base(e.Path), at.Format("15:04:05 02/01/2006"), e.HTTPStatus, e.ReasonCode,
		e.Reason, filepath.Dir(e.Path))
	if err := writeAtomic(e.Dest+".txt", []byte(norm.NFC.String(text))); err != nil {
		return err
	}
	return moveOnce(e.Path, e.Dest)
}

// moveOnce renames from to to; when from is gone and to is there, the move was done already.
func moveOnce(from, to string) error {
	if _, err := os.Lstat(from); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Lstat(to); err == nil {
			return nil
		}
		return fmt.Errorf("move %s: the file is gone", from)
	}
	if _, err := os.Lstat(to); err == nil {
		return fmt.Errorf("move %s: %s exists", from, to)
	}
	if err := renameDurable(from, to); err != nil {
		return fmt.Errorf("move %s: %w", from, err)
	}
	return nil
}

// WriteReceipt replaces the receipt at path.
func WriteReceipt(path string, r Receipt) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(b, '\n'))
}

// ReadReceipt reads the receipt at path.
func ReadReceipt(path string) (Receipt, error) {
	var r Receipt
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("receipt %s: %w", path, err)
	}
	return r, nil
}
