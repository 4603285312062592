// Package eark writes E-ARK CSIP 2.2 information packages of sohoa's dossiers, as the ZIP handed
// to the historical archive under Thông tư 05/2025: one representation per dossier holding each
// signed PDF/A (read by its recorded version, its SHA-256 checked) and the original as received,
// the Thông tư 05 record of every paper as descriptive metadata, and PREMIS 3 preservation
// metadata with the files' fixity and the events sohoa recorded (ingest, OCR, code, signing,
// archive writes, reuse), each with its agent. METS and PREMIS are built with encoding/xml and
// written against the schemas in schemas/, which every package carries.
//
// The package depends on small interfaces of the e-data store and the object store, not on the
// HTTP API: sohoa's API and its export command both use it.
package eark

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// Profile is the METS profile the packages follow.
const Profile = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"

// Papers is what a package reads from the e-data store (storage.Dossiers).
type Papers interface {
	Attachments(ctx context.Context, dossierID string) ([]storage.Attachment, error)
	Paper(ctx context.Context, documentID string) (storage.Paper, error)
	History(ctx context.Context, dossierID, documentID string) ([]storage.Event, error)
}

// Stages gives a document's pipeline stages (storage.Records).
type Stages interface {
	Stages(ctx context.Context, id string) ([]storage.StageRun, error)
}

// Builder writes packages.
type Builder struct {
	Papers  Papers
	Stages  Stages
	Objects storage.VersionReader
	// Software and Version name the program that makes the packages, for METS and PREMIS.
	Software, Version string
}

// Package is what one package holds.
type Package struct {
	ID       string // its OBJID, also its root folder's name: a name without slashes
	Created  time.Time
	Dossiers []storage.Dossier
}

// Summary says what went into a package.
type Summary struct {
	Files   int      // files written, metadata and schemas included
	Skipped []string // IDs of papers left out: not signed yet, so not archive records
}

// Write writes p to w as a ZIP that unpacks to one folder named p.ID. It reads every file before
// the METS that lists it, so a failure (a signed file that is not what was recorded: an error
// wrapping storage.ErrFixity) leaves w without a ZIP's end: never a package that looks whole.
func (b *Builder) Write(ctx context.Context, w io.Writer, p Package) (Summary, error) {
	zw := zip.NewWriter(w)
	pk := &packer{zw: zw, root: p.ID}
	parts, skipped, err := b.gather(ctx, p.Dossiers)
	if err != nil {
		return Summary{}, err
	}
	if err := b.writePackage(ctx, pk, p, parts); err != nil {
		return Summary{}, err
	}
	if err := zw.Close(); err != nil {
		return Summary{}, fmt.Errorf("package %s: %w", p.ID, err)
	}
	return Summary{Files: len(pk.entries), Skipped: skipped}, nil
}

// writePackage writes the data files, then what describes them, ending with the root METS.
func (b *Builder) writePackage(ctx context.Context, pk *packer, p Package, parts []*dossierPart) error {
	for _, d := range parts {
		if err := b.writeData(ctx, pk, d); err != nil {
			return err
		}
		if err := writeRepresentation(pk, p, d, b.creator()); err != nil {
			return err
		}
		if err := writeDescription(pk, p.Created, d); err != nil {
			return err
		}
	}
	if err := writePREMIS(pk, p, parts, b.software()); err != nil {
		return err
	}
	if err := writeFixed(pk, p); err != nil {
		return err
	}
	return writeRoot(pk, p, parts, b.creator())
}

func (b *Builder) creator() agent {
	return agent{name: b.software().name, version: b.software().version}
}

func (b *Builder) software() agentRef {
	name := b.Software
	if name == "" {
		name = "sohoa"
	}
	version := b.Version
	if info, ok := debug.ReadBuildInfo(); ok && version == "" {
		version = info.Main.Version // "(devel)" for a build from a work tree
	}
	return agentRef{id: "agent-software", name: name, kind: "software", version: version}
}
