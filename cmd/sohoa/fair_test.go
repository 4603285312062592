package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/backlog"
	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/station"
	"github.com/sohoa-vn/sohoa/internal/testenv"
	"github.com/sohoa-vn/sohoa/pipeline"
)

// BenchmarkFairQueues measures what a backlog import costs a person at the counter: the time from
// upload to done of a 1-page counter scan (dkdn.jpg, made unique per run) on an idle system, then
// while a 300-page import (30 ten-page scanned PDFs) runs in the bulk lane, then — the reference,
// what one lane for all did before — while another 300-page import runs in the counter lane. Each
// figure is the median of the probes, sent one after another while the import still has work left;
// 2 workers per lane, in one sohoa:
//
//	go test ./cmd/sohoa -run '^$' -bench FairQueues -benchtime 1x -timeout 60m
func BenchmarkFairQueues(b *testing.B) {
	testenv.Need(b, "tesseract")
	testenv.Need(b, "qpdf")
	const probes = 5
	sys := startSystem(b, "SOHOA_CONCURRENCY", "2")
	scan := sample(b, "dkdn.jpg")
	n := 0
	probe := func(under string) []float64 {
		var secs []float64
		for range probes {
			n++
			data := jpegWithComment(scan, fmt.Sprintf("probe %d", n))
			start := time.Now()
			code, body := sys.upload(b, fmt.Sprintf("quay-%d.jpg", n), data)
			if code != http.StatusCreated {
				b.Fatalf("probe upload: %d %s", code, body)
			}
			if d := sys.wait(b, decode[api.Document](b, body).ID, 30*time.Minute); d.Status != "done" {
				b.Fatalf("probe: %s %s", d.Status, d.Error)
			}
			secs = append(secs, time.Since(start).Seconds())
			if under != "" && backlogLeft(b, sys, under) == 0 {
				b.Logf("the %s import was done before probe %d ended: %d probes under load", under, len(secs), len(secs))
				break
			}
		}
		return secs
	}
	for range b.N {
		idle := median(probe(""))
		importDir(b, sys, pipeline.Bulk, "bulk")
		fair := median(probe("bulk"))
		waitBacklog(b, sys, "bulk")
		importDir(b, sys, pipeline.Counter, "counter")
		oneLane := median(probe("counter"))
		b.ReportMetric(idle, "idle-s")
		b.ReportMetric(fair, "bulk-import-s")
		b.ReportMetric(fair/idle, "x-idle")
		b.ReportMetric(oneLane, "one-lane-s")
		b.ReportMetric(oneLane/idle, "one-lane-x-idle")
		waitBacklog(b, sys, "counter")
	}
}

// importDir sends 30 ten-page scanned PDFs, other bytes for each tag, through backlog.Import in
// lane, and returns once all are sent.
func importDir(b *testing.B, sys system, lane pipeline.Lane, tag string) {
	dir := b.TempDir()
	tenPagePDFs(b, dir, tag, 30)
	client := &station.Client{Server: sys.base, Token: sys.token, Lane: string(lane), HTTP: station.NewHTTP()}
	results, err := backlog.Import(b.Context(), client, backlog.Config{Dir: dir, Parallel: 2, Clock: clock.Real{},
		Log: slog.New(slog.DiscardHandler)}, func(backlog.Result) {})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range results {
		if !r.Created {
			b.Fatalf("%s: not a new document (%+v)", r.Path, r)
		}
	}
}

// backlogLeft counts the documents of an import (by its files' names) that are not done yet.
func backlogLeft(b *testing.B, sys system, tag string) int {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, sys.db)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM documents WHERE filename LIKE $1 AND status NOT IN ('done', 'failed')`,
		tag+"-%").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

func waitBacklog(b *testing.B, sys system, tag string) {
	for backlogLeft(b, sys, tag) > 0 {
		time.Sleep(time.Second)
	}
}

// tenPagePDFs writes n ten-page scanned PDFs named TAG-NN.pdf into dir: page 1 or 2 of the 2-page
// sample at each of 10 places, by the bits of the file's number and the tag's length, so that files
// of one tag, and of tags of other lengths, all differ.
func tenPagePDFs(t testing.TB, dir, tag string, n int) []string {
	src := filepath.Join(testenv.Samples(t), "scans", "ke-hoach.pdf")
	var files []string
	for i := range n {
		args := []string{"--empty", "--pages"}
		for bit := range 10 {
			page := "1"
			if (i+len(tag)*31)>>bit&1 == 1 {
				page = "2"
			}
			args = append(args, src, page)
		}
		file := filepath.Join(dir, fmt.Sprintf("%s-%02d.pdf", tag, i))
		testenv.Run(t, "qpdf", append(args, "--", file)...)
		files = append(files, file)
	}
	return files
}
