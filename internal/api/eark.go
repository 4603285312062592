package api

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/eark"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// dossierEARK streams the dossier's E-ARK package (a ZIP) for the historical archive. Its files
// are a few MB each and read one at a time, never the package whole. A failure before the first
// byte is answered as usual; after it, the connection is cut, and the ZIP, whose directory comes
// last, does not open: a package is never taken for whole without all its files.
func (s *Server) dossierEARK(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDossier(w, r)
	if !ok {
		return
	}
	id := "uuid-" + uuid.NewString()
	if !s.record(w, r, storage.Event{Action: "dossier.eark", DossierID: d.ID, OwnerID: d.Owner.ID, Detail: map[string]any{"package": id}}) {
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": id + ".zip"}))
	out := &countingWriter{w: w}
	b := &eark.Builder{Papers: s.Dossiers, Stages: s.Records, Objects: s.Objects, Software: "sohoa"}
	_, err := b.Write(r.Context(), out, eark.Package{ID: id, Created: s.now(), Dossiers: []storage.Dossier{d}})
	if err == nil {
		return
	}
	var re *eark.ReadError
	if errors.As(err, &re) && !re.Original && (errors.Is(err, storage.ErrFixity) || errors.Is(err, storage.ErrNotFound)) {
		if out.n == 0 {
			w.Header().Del("Content-Disposition")
			s.fixityError(w, r, re.Document, re.Err)
			return
		}
		s.reportFixity(r, re)
	}
	if out.n == 0 {
		w.Header().Del("Content-Disposition")
		s.storeError(w, r, err)
		return
	}
	s.abort(r, err)
}

// reportFixity raises a signed file found wrong while a package was being written.
func (s *Server) reportFixity(r *http.Request, re *eark.ReadError) {
	problem := workers.ProblemMismatch
	if errors.Is(re.Err, storage.ErrNotFound) {
		problem = workers.ProblemMissing
	}
	doc := re.Document
	workers.ReportFixity(r.Context(), s.Dossiers, s.Log, workers.Finding{DocumentID: doc.ID, Key: doc.SignedKey,
		Version: doc.SignedVersion, SHA256: doc.SignedSHA256, Problem: problem, Err: re.Err})
}

// countingWriter tells whether an answer's body has begun.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
