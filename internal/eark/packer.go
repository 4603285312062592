package eark

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// entry is one file written into a package, as METS and PREMIS describe it.
type entry struct {
	Path    string // relative to the package's root folder
	Size    int64
	SHA256  string
	MIME    string
	Created time.Time
}

// packer writes a package's files into its ZIP under the root folder, hashing each as it goes.
type packer struct {
	zw      *zip.Writer
	root    string
	entries []entry
}

// add streams r into the ZIP at name (relative to the root folder). Files already compressed
// (PDF, JPEG, PNG) are stored as they are; deflate compresses the others.
func (p *packer) add(name, mime string, created time.Time, r io.Reader, deflate bool) (entry, error) {
	method := zip.Store
	if deflate {
		method = zip.Deflate
	}
	w, err := p.zw.CreateHeader(&zip.FileHeader{Name: p.root + "/" + name, Method: method, Modified: created})
	if err != nil {
		return entry{}, fmt.Errorf("package: %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), r)
	if err != nil {
		return entry{}, fmt.Errorf("package: %s: %w", name, err)
	}
	e := entry{Path: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), MIME: mime, Created: created}
	p.entries = append(p.entries, e)
	return e, nil
}

// addBytes adds b, compressed.
func (p *packer) addBytes(name, mime string, created time.Time, b []byte) (entry, error) {
	return p.add(name, mime, created, bytes.NewReader(b), true)
}
