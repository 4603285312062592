// Command sohoa digitizes the paper dossiers of one-stop public-service counters: it takes scans in
// through its HTTP API and an S3 inbox, runs them through OCR, PDF assembly, coding and signing on
// Asynq workers, and keeps the signed, searchable records in PostgreSQL and object storage.
//
// Usage:
//
//	sohoa all        HTTP API, web pages and workers in one process (the default)
//	sohoa serve      HTTP API and web pages only
//	sohoa worker     stage workers, inbox watcher and reconciler only
//	sohoa migrate    apply database migrations and create buckets, then exit
//	sohoa fixity     re-hash every signed file in the archive by its recorded version; fails on any mismatch
//	sohoa export eark -o FILE.zip DOSSIER_CODE…  an E-ARK CSIP 2.2 package of the dossiers, for the historical archive
//	sohoa s3 setup   make the buckets and the service and station users (object store administrator's keys)
//	sohoa s3 station NAME  an S3 user for one station: it may only put under stations/NAME/ in the inbox
//	sohoa keys dev   write development signing keys into $SOHOA_DATA_DIR/keys
//	sohoa upload F…  send files to a running sohoa and wait for them (a client of the API; SOHOA_TOKEN)
//	sohoa import DIR send a backlog of scans under DIR in the bulk lane, behind the counter (-h for options)
//	sohoa users add NAME --role ROLE [--agency ID] [--password-stdin] | users list | users disable NAME | users passwd NAME
//	sohoa tokens add NAME | tokens list | tokens revoke ID   API tokens (add prints the token last)
//	sohoa agencies add ID NAME [--parent ID] | agencies import FILE.csv
//	sohoa procedures import FILE.csv   the province's procedures (code, name, field, level, papers)
//	sohoa audit verify  recompute the access trail's hash chain; non-zero naming the first broken event
//	sohoa healthcheck  exit 0 when the local server's /healthz answers 200, else 1 (Docker's check)
//	sohoa verify F…  check the signatures of signed PDFs (-roots PEM for the trust roots)
//	sohoa check pdfa F…  check PDF/A-2 rules on files (-h lists them)
//	sohoa bench ocr DIR… OCR speed, accuracy and memory against raw tesseract (-h for options)
//	sohoa bench search  each kind of search on a store of a million realistic papers (-h for options)
//	sohoa env        list the environment variables and their defaults
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/internal/scan/cage"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/storage"
)

func main() {
	singleThreadedOCR()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], log); err != nil {
		log.Error("sohoa", "error", err)
		os.Exit(1)
	}
}

// singleThreadedOCR makes sure Tesseract reads one page on one core: sohoa runs pages in parallel
// itself, and OpenMP threads on top oversubscribe the machine (a peer's 14 pages took 4 hours until
// OMP_THREAD_LIMIT=1 was set). libgomp reads the variable when it is loaded, before main, so the
// process starts itself again with it set.
func singleThreadedOCR() {
	if os.Getenv("OMP_THREAD_LIMIT") != "" {
		return
	}
	exe, err := os.Executable()
	if err == nil {
		err = syscall.Exec(exe, os.Args, append(os.Environ(), "OMP_THREAD_LIMIT=1"))
	}
	fmt.Fprintln(os.Stderr, "sohoa: could not restart with OMP_THREAD_LIMIT=1; Tesseract may oversubscribe the cores:", err)
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	cmd := "all"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd { // commands that need no configuration
	case child.Command:
		return child.Main()
	case cage.Command:
		return cage.Main()
	case "verify":
		return verifyCommand(ctx, args[1:])
	case "check":
		return checkCommand(args[1:])
	case "bench":
		return benchCommand(ctx, args[1:])
	}
	if cmd == "env" || cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Println("sohoa [all|serve|worker|migrate|fixity|export eark|s3 setup|s3 station NAME|keys dev|upload FILE...|import DIR|healthcheck|users …|tokens …|agencies …|procedures import FILE|audit verify|verify FILE...|check pdfa FILE...|bench ocr|access|report|search …|env]\n\n" +
			accountUsage + "\n\nEnvironment:")
		for _, v := range config.Variables() {
			fmt.Printf("  %-26s %-28s %s\n", v.Name, v.Default, v.Meaning)
		}
		return nil
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	switch cmd {
	case "upload":
		return upload(ctx, cfg.LocalURL(), cfg.Token, args[1:])
	case "import":
		return importBacklog(ctx, cfg.LocalURL(), cfg.Token, args[1:], os.Stdout, log)
	case "healthcheck":
		return healthcheck(ctx, cfg.LocalURL())
	case "users", "tokens", "agencies", "procedures", "audit":
		return runAccountCommand(ctx, func(ctx context.Context) (*storage.Postgres, error) { return openRecords(ctx, cfg, log) }, cfg.Agency, args)
	case "fixity":
		return fixityCommand(ctx, cfg, log, os.Stdout)
	case "export":
		return exportCommand(ctx, cfg, log, args[1:], os.Stdout)
	case "s3":
		return s3Command(ctx, cfg, log, args[1:], os.Stdout)
	case "keys":
		if len(args) < 2 || args[1] != "dev" {
			return fmt.Errorf("usage: sohoa keys dev")
		}
		files, err := sign.DevKeys(cfg.DevKeyDir(), cfg.AgencyName, false)
		if err != nil {
			return err
		}
		log.Warn("development keys: never use them for real records", "agency_cert", files.AgencyCert, "root", files.RootCert)
		return nil
	case "all", "serve", "worker", "migrate":
		app, err := open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer app.Close()
		if cmd == "migrate" {
			return nil
		}
		return app.Run(ctx, cmd != "worker", cmd != "serve")
	}
	return fmt.Errorf("unknown command %q; try sohoa help", cmd)
}
