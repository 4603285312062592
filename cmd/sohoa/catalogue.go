package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/sohoa-vn/sohoa/internal/catalogue"
)

// importAgencies and importProcedures read a catalogue file and store it, saying how many rows.
func importAgencies(ctx context.Context, s accountStore, r io.Reader) (int, error) {
	list, err := catalogue.ReadAgencies(r)
	if err != nil {
		return 0, err
	}
	return len(list), s.ImportAgencies(ctx, list)
}

func importProcedures(ctx context.Context, s accountStore, r io.Reader) (int, error) {
	list, err := catalogue.ReadProcedures(r)
	if err != nil {
		return 0, err
	}
	return len(list), s.ImportProcedures(ctx, list)
}

// importFile runs an import of the file at path, all or nothing.
func (c accountCmd) importFile(ctx context.Context, path string, load func(context.Context, accountStore, io.Reader) (int, error)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := load(ctx, c.s, f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(c.out, "đã nhập %d dòng từ %s\n", n, path)
	return nil
}
