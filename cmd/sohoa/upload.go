package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
)

// upload is a small client of the HTTP API, for scanner stations and for trying sohoa out: it sends
// files, waits for each to be done or failed, and prints what became of them.
func upload(ctx context.Context, base, token string, args []string) error {
	fs := flag.NewFlagSet("upload", flag.ContinueOnError)
	server := fs.String("server", base, "sohoa's address")
	fs.StringVar(&token, "token", token, "API token (default $SOHOA_TOKEN; sohoa tokens add NAME makes one)")
	wait := fs.Duration("wait", 10*time.Minute, "how long to wait for the documents (0: do not wait)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: sohoa upload [-server URL] [-token T] [-wait 10m] FILE...")
	}
	if token == "" {
		return fmt.Errorf("sohoa upload needs an API token: set SOHOA_TOKEN (sohoa tokens add NAME prints one)")
	}
	type sent struct {
		file  string
		doc   api.Document
		start time.Time
	}
	var docs []sent
	for _, file := range fs.Args() {
		start := time.Now()
		d, err := send(ctx, *server, token, file)
		if err != nil {
			return err
		}
		docs = append(docs, sent{file, d, start})
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tSTATUS\tCODE\tPAGES\tSECONDS\tSIGNED PDF / REASON")
	deadline := time.Now().Add(*wait)
	for _, s := range docs {
		d := s.doc
		for *wait > 0 && d.Status != "done" && d.Status != "failed" && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
			var err error
			if d, err = fetch(ctx, *server, token, d.ID); err != nil {
				return err
			}
		}
		where := *server + "/api/v1/documents/" + d.ID + "/file"
		if d.Status == "failed" {
			where = d.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%.1f\t%s\n", filepath.Base(s.file), d.Status, d.Code, d.Pages, time.Since(s.start).Seconds(), where)
	}
	return tw.Flush()
}

// send streams one file as a multipart upload, without reading it into memory.
func send(ctx context.Context, server, token, file string) (api.Document, error) {
	f, err := os.Open(file)
	if err != nil {
		return api.Document{}, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", filepath.Base(file))
		if err == nil {
			_, err = io.Copy(part, f)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+"/api/v1/documents", pr)
	if err != nil {
		return api.Document{}, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return decodeDocument(http.DefaultClient.Do(req))
}

func fetch(ctx context.Context, server, token, id string) (api.Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/api/v1/documents/"+id, nil)
	if err != nil {
		return api.Document{}, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return decodeDocument(http.DefaultClient.Do(req))
}

func decodeDocument(resp *http.Response, err error) (api.Document, error) {
	if err != nil {
		return api.Document{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		json.NewDecoder(resp.Body).Decode(&e)
		return api.Document{}, fmt.Errorf("%s: %s", resp.Status, e.Error)
	}
	var d api.Document
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		return api.Document{}, fmt.Errorf("decode document: %w", err)
	}
	return d, nil
}
