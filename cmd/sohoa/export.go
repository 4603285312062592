package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/eark"
	"github.com/sohoa-vn/sohoa/storage"
)

const exportUsage = "usage: sohoa export eark -o FILE.zip DOSSIER_CODE..."

// exportCommand runs `sohoa export eark -o FILE.zip DOSSIER_CODE…` on the deployment's stores.
func exportCommand(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] != "eark" {
		return errors.New(exportUsage)
	}
	records, objects, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer records.Close()
	return exportEARK(ctx, records, objects, args[1:], out)
}

// openStores connects to PostgreSQL and the object store, for a command; the caller closes records.
func openStores(ctx context.Context, cfg config.Config, log *slog.Logger) (*storage.Postgres, *storage.S3, error) {
	records, err := openRecords(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	objects, err := storage.NewS3(s3Config(cfg))
	if err != nil {
		records.Close()
		return nil, nil, err
	}
	return records, objects, nil
}

// exportEARK writes one E-ARK package of the dossiers named by code into the file -o names: into a
// temporary file beside it first, renamed when the package is whole, so that a failure leaves no
// file that looks like a package. Each dossier's export is in the trail, as the API's is.
func exportEARK(ctx context.Context, records *storage.Postgres, objects storage.VersionReader, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("export eark", flag.ContinueOnError)
	fs.SetOutput(out)
	file := fs.String("o", "", "the ZIP file to write")
	if err := fs.Parse(args); err != nil || *file == "" || fs.NArg() == 0 {
		return errors.New(exportUsage)
	}
	p := eark.Package{ID: "uuid-" + uuid.NewString(), Created: time.Now()}
	for _, c := range fs.Args() {
		d, err := records.DossierByCode(ctx, c)
		if err != nil {
			return fmt.Errorf("dossier %s: %w", c, err)
		}
		p.Dossiers = append(p.Dossiers, d)
	}
	for _, d := range p.Dossiers {
		if err := records.Log(ctx, storage.Event{Actor: "sohoa export", Action: "dossier.eark", DossierID: d.ID, OwnerID: d.Owner.ID,
			Agencies: []string{d.Agency}, Detail: map[string]any{"package": p.ID}}); err != nil {
			return err
		}
	}
	sum, err := writeFileAtomically(*file, func(w io.Writer) (eark.Summary, error) {
		b := &eark.Builder{Papers: records, Stages: records, Objects: objects, Software: "sohoa"}
		return b.Write(ctx, w, p)
	})
	if err != nil {
		return err
	}
	for _, id := range sum.Skipped {
		fmt.Fprintf(out, "left out (not signed yet): document %s\n", id)
	}
	fmt.Fprintf(out, "%s: package %s, %d dossiers, %d files\n", *file, p.ID, len(p.Dossiers), sum.Files)
	return nil
}

func writeFileAtomically(name string, write func(io.Writer) (eark.Summary, error)) (eark.Summary, error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return eark.Summary{}, err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	sum, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		return eark.Summary{}, fmt.Errorf("export to %s: %w", name, err)
	}
	return sum, nil
}
