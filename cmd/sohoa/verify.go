package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/sohoa-vn/sohoa/internal/sign/verify"
)

// verifyCommand is `sohoa verify [-roots PEM] FILE...`: it prints, for each
// signature of each file, who signed, when (claimed and timestamped), and
// every check, and fails if any check of any file fails.
func verifyCommand(ctx context.Context, args []string) error {
	return verifyTo(ctx, os.Stdout, args)
}

func verifyTo(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	rootsFile := fs.String("roots", "", "PEM file of trusted root certificates (default: the system's)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: sohoa verify [-roots PEM] FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return errors.New("verify: no file given")
	}
	var roots *x509.CertPool
	if *rootsFile != "" {
		var err error
		if roots, err = loadRoots(*rootsFile); err != nil {
			return err
		}
	}
	failed := 0
	for _, name := range fs.Args() {
		if err := verifyFile(ctx, w, name, roots); err != nil {
			fmt.Fprintf(w, "%s: INVALID: %v\n\n", name, err)
			failed++
			continue
		}
		fmt.Fprintf(w, "%s: VALID\n\n", name)
	}
	if failed > 0 {
		return fmt.Errorf("verify: %d of %d files failed", failed, fs.NArg())
	}
	return nil
}

func verifyFile(ctx context.Context, w io.Writer, name string, roots *x509.CertPool) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	rep, err := verify.File(ctx, f, st.Size(), roots)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %d bytes, %d signature(s)\n", name, rep.Size, len(rep.Signatures))
	for i, s := range rep.Signatures {
		fmt.Fprintf(w, "  signature %d (field %s, %s)\n", i+1, s.Field, s.SubFilter)
		fmt.Fprintf(w, "    signer:            %s\n", s.Signer)
		if s.Claimed != nil {
			fmt.Fprintf(w, "    signing time:      %s (claimed by the signer)\n", s.Claimed.Format(time.RFC3339))
		}
		if s.Timestamp != nil {
			fmt.Fprintf(w, "    timestamp:         %s by %s\n", s.Timestamp.Time.Format(time.RFC3339), s.Timestamp.TSA)
		} else {
			fmt.Fprintf(w, "    timestamp:         none\n")
		}
		fmt.Fprintf(w, "    byte range:        %v (whole file: %v)\n", s.ByteRange, s.CoversWholeFile)
		for _, c := range []struct {
			name string
			verify.Check
		}{
			{"byte range", s.ByteRangeCheck}, {"integrity", s.Integrity}, {"signature", s.SignatureCheck},
			{"chain to roots", s.Chain}, {"cert at sign time", s.CertValidity}, {"timestamp check", s.TimestampCheck},
		} {
			verdict := "ok"
			if !c.OK {
				verdict = "FAILED"
			}
			fmt.Fprintf(w, "    %-18s %s %s\n", c.name+":", verdict, c.Detail)
		}
	}
	if rep.ModifiedAfterSigning {
		fmt.Fprintln(w, "  modified after signing: YES (bytes appended after the last signature)")
	} else {
		fmt.Fprintln(w, "  modified after signing: no")
	}
	return rep.Err()
}

func loadRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("verify: read roots: %w", err)
	}
	pool := x509.NewCertPool()
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("verify: roots %s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("verify: roots %s: no CERTIFICATE block", path)
	}
	return pool, nil
}
