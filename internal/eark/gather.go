package eark

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// dossierPart is one dossier of a package: its representation and what sohoa recorded of it.
type dossierPart struct {
	dossier storage.Dossier
	rep     string // the representation's folder name
	papers  []*paperPart
	history []storage.Event // the dossier's own
}

// paperPart is one signed paper of a dossier and its files once written.
type paperPart struct {
	att      storage.Attachment
	paper    storage.Paper
	stages   []storage.StageRun
	history  []storage.Event // the document's own
	signed   entry
	original entry
}

// gather reads what the package will hold of each dossier: its signed papers (the others are
// returned as skipped: they are no archive records yet), their stages and histories.
func (b *Builder) gather(ctx context.Context, dossiers []storage.Dossier) ([]*dossierPart, []string, error) {
	var parts []*dossierPart
	var skipped []string
	seen := map[string]bool{}
	for _, d := range dossiers {
		part := &dossierPart{dossier: d, rep: folderName(d.Code)}
		if seen[part.rep] {
			return nil, nil, fmt.Errorf("package: dossier %s given twice", d.Code)
		}
		seen[part.rep] = true
		atts, err := b.Papers.Attachments(ctx, d.ID)
		if err != nil {
			return nil, nil, fmt.Errorf("papers of dossier %s: %w", d.Code, err)
		}
		if part.history, err = b.Papers.History(ctx, d.ID, ""); err != nil {
			return nil, nil, fmt.Errorf("history of dossier %s: %w", d.Code, err)
		}
		for _, a := range atts {
			if a.Document.SignedKey == "" {
				if a.Document.Status != storage.StatusSplit { // a stack is no paper: its parts are
					skipped = append(skipped, a.DocumentID)
				}
				continue
			}
			pp, err := b.paper(ctx, a)
			if err != nil {
				return nil, nil, err
			}
			part.papers = append(part.papers, pp)
		}
		parts = append(parts, part)
	}
	return parts, skipped, nil
}

func (b *Builder) paper(ctx context.Context, a storage.Attachment) (*paperPart, error) {
	pp := &paperPart{att: a}
	var err error
	if pp.paper, err = b.Papers.Paper(ctx, a.DocumentID); err != nil {
		return nil, fmt.Errorf("paper %s: %w", a.DocumentID, err)
	}
	if pp.stages, err = b.Stages.Stages(ctx, a.DocumentID); err != nil {
		return nil, fmt.Errorf("stages of %s: %w", a.DocumentID, err)
	}
	if pp.history, err = b.Papers.History(ctx, "", a.DocumentID); err != nil {
		return nil, fmt.Errorf("history of %s: %w", a.DocumentID, err)
	}
	return pp, nil
}

// writeData writes the dossier's signed files and originals into its representation's data/.
func (b *Builder) writeData(ctx context.Context, pk *packer, d *dossierPart) error {
	for _, pp := range d.papers {
		doc := pp.paper.Document
		data := "representations/" + d.rep + "/data/"
		signedName := folderName(path.Base(doc.SignedKey))
		f, err := storage.ReadVerified(ctx, b.Objects, storage.Archive, doc.SignedKey, doc.SignedVersion, doc.SignedSHA256)
		if err == nil {
			pp.signed, err = pk.add(data+signedName, "application/pdf", signedAt(pp), f, false)
			f.Close()
		}
		if err != nil {
			return &ReadError{Document: doc, Err: err}
		}
		o, err := storage.ReadVerified(ctx, b.Objects, storage.Work, doc.OriginalKey, "", doc.SHA256)
		if err == nil {
			name := strings.TrimSuffix(signedName, ".01.pdf") + ".original" + extension(doc.MediaType)
			pp.original, err = pk.add(data+name, doc.MediaType, doc.CreatedAt, o, doc.MediaType == "image/tiff")
			o.Close()
		}
		if err != nil {
			return &ReadError{Document: doc, Original: true, Err: err}
		}
	}
	return nil
}

// ReadError is a file of a paper that could not be put into a package; Err wraps storage.ErrFixity
// when its bytes are not those recorded.
type ReadError struct {
	Document storage.Document
	Original bool // the original as received, else the signed file
	Err      error
}

func (e *ReadError) Error() string {
	what := "signed file"
	if e.Original {
		what = "original"
	}
	return fmt.Sprintf("package: %s of %s: %v", what, e.Document.ID, e.Err)
}

func (e *ReadError) Unwrap() error { return e.Err }

// signedAt is when the paper's signed file was archived: the last archive write its history
// records for it, else when the document last changed.
func signedAt(pp *paperPart) (at time.Time) {
	at = pp.paper.UpdatedAt
	for _, e := range pp.history {
		if e.Action == actionArchiveWriting && e.Detail["sha256"] == pp.paper.SignedSHA256 {
			at = e.At
		}
	}
	return at
}

var unsafe = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// folderName is s as a file or folder name every system takes: codes are made of digits,
// letters, dots and dashes already.
func folderName(s string) string { return unsafe.ReplaceAllString(s, "_") }

// extension is the file name extension of a media type sohoa takes in.
func extension(mediaType string) string {
	switch mediaType {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/tiff":
		return ".tif"
	}
	return ".bin"
}
