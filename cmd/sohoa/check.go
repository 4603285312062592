package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/sohoa-vn/sohoa/internal/pdfa"
)

// checkCommand implements `sohoa check pdfa FILE...`; args are the words
// after "check". It prints "FILE: ok" or each broken PDF/A-2 rule with its
// ISO 19005-2 clause, and returns an error if any file fails, so scripts
// and the exit status see it. It needs no configuration or services.
func checkCommand(args []string) error {
	return checkFiles(os.Stdout, args)
}

func checkFiles(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintln(w, "usage: sohoa check pdfa FILE...\n\nTests each file against the PDF/A-2 (B, and U where claimed) rules below,\nnumbered by their ISO 19005-2 clause as veraPDF's PDF_A/2b and 2u profiles do:")
		for _, r := range pdfa.Rules() {
			fmt.Fprintf(w, "  %-11s %s\n", r.Clause, r.Text)
		}
	}
	if len(args) == 0 || args[0] != "pdfa" {
		fs.Usage()
		return errors.New("usage: sohoa check pdfa FILE...")
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("usage: sohoa check pdfa FILE...")
	}
	failed := 0
	for _, file := range fs.Args() {
		if !checkFile(w, file) {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files are not PDF/A-2", failed, fs.NArg())
	}
	return nil
}

func checkFile(w io.Writer, file string) bool {
	data, err := os.ReadFile(file)
	if err == nil {
		err = pdfa.Check(data)
	}
	var nc *pdfa.NonConformingError
	switch {
	case err == nil:
		fmt.Fprintf(w, "%s: ok\n", file)
		return true
	case errors.As(err, &nc):
		for _, v := range nc.Violations {
			fmt.Fprintf(w, "%s: %s %s\n", file, v.Rule, v.Message)
		}
	default:
		fmt.Fprintf(w, "%s: %v\n", file, err)
	}
	return false
}
