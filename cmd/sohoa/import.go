package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/backlog"
	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/station"
	"github.com/sohoa-vn/sohoa/pipeline"
)

// importBacklog is `sohoa import DIR`: a historical backlog sent to a running sohoa in the bulk lane
// (internal/backlog), one line per file as it goes, a CSV report with -o.
func importBacklog(ctx context.Context, base, token string, args []string, stdout io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	server := fs.String("server", base, "sohoa's address")
	fs.StringVar(&token, "token", token, "API token of a clerk or an administrator (default $SOHOA_TOKEN)")
	parallel := fs.Int("parallel", 2, "files sent at once")
	wait := fs.Duration("wait", 0, "after sending, wait this long for the documents to be done or failed (0: do not wait)")
	out := fs.String("o", "", "write a CSV report (file, document, status, code, reason) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: sohoa import [-server URL] [-token T] [-parallel 2] [-wait 0] [-o report.csv] DIR")
	}
	if token == "" {
		return fmt.Errorf("sohoa import needs an API token: set SOHOA_TOKEN (sohoa tokens add NAME prints one)")
	}
	client := &station.Client{Server: strings.TrimRight(*server, "/"), Token: token, Lane: string(pipeline.Bulk),
		UserAgent: "sohoa-import", HTTP: station.NewHTTP()}
	start := time.Now()
	results, err := backlog.Import(ctx, client, backlog.Config{Dir: fs.Arg(0), Parallel: *parallel, Follow: *wait,
		Clock: clock.Real{}, Log: log}, func(r backlog.Result) { fmt.Fprintln(stdout, line(r)) })
	sent, again, refused, failed := 0, 0, 0, 0
	for _, r := range results {
		switch {
		case r.Refused != nil:
			refused++
		case r.Err != nil:
			failed++
		case r.Created:
			sent++
		case r.Document.ID != "":
			again++
		}
	}
	fmt.Fprintf(stdout, "%d tệp trong %.0f s: %d gửi mới, %d đã có từ trước, %d bị từ chối, %d chưa gửi được\n",
		len(results), time.Since(start).Seconds(), sent, again, refused, failed)
	if *out != "" {
		if werr := writeReport(*out, results); werr != nil {
			return errors.Join(err, werr)
		}
	}
	if err == nil && failed > 0 {
		err = fmt.Errorf("%d files could not be sent; run the same import again to send them (nothing is sent twice)", failed)
	}
	return err
}

// line is what the import prints of one file as it is sent.
func line(r backlog.Result) string {
	switch {
	case r.Refused != nil:
		return fmt.Sprintf("từ chối\t%s\t%s (%s)", r.Path, r.Refused.Reason, r.Refused.Code)
	case r.Err != nil:
		return fmt.Sprintf("lỗi\t%s\t%v", r.Path, r.Err)
	case r.Created:
		return fmt.Sprintf("đã gửi\t%s\t%s", r.Path, r.Document.ID)
	}
	return fmt.Sprintf("đã có\t%s\t%s", r.Path, r.Document.ID)
}

func writeReport(path string, results []backlog.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("import report: %w", err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"file", "document", "status", "code", "reason"})
	for _, r := range results {
		status, reason := r.Document.Status, r.Document.Error
		switch {
		case r.Refused != nil:
			status, reason = "refused", r.Refused.Reason+" ("+r.Refused.Code+")"
		case r.Err != nil:
			status, reason = "not_sent", r.Err.Error()
		}
		w.Write([]string{r.Path, r.Document.ID, status, r.Document.Code, reason})
	}
	w.Flush()
	return errors.Join(w.Error(), f.Close())
}
