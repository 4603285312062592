package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/scan/cage"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/schemas"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// app is sohoa wired together: the stores, the queue, and the components that run on them.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	records *storage.Postgres
	objects *storage.S3
	redis   asynq.RedisClientOpt
	queue   *workers.Queue
	intake  *workers.Intake
	signer  *sign.Signer
	roots   *x509.CertPool // what signatures are verified against; nil: the system's
	scan    *cage.Pool     // the workers' parsers of uploads, in child processes
}

// open connects to PostgreSQL (applying migrations), the object store (creating buckets) and Redis.
func open(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	migrations, err := schemasMigrations()
	if err != nil {
		return nil, err
	}
	records, err := storage.OpenPostgres(ctx, cfg.DatabaseURL, migrations)
	if err != nil {
		return nil, err
	}
	objects, err := storage.NewS3(storage.S3Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Region: cfg.S3Region, BucketPrefix: cfg.BucketPrefix})
	if err != nil {
		records.Close()
		return nil, err
	}
	if err := objects.Ensure(ctx); err != nil {
		records.Close()
		return nil, err
	}
	opt := asynq.RedisClientOpt{Addr: cfg.RedisAddr, DB: cfg.RedisDB}
	queue := workers.NewQueue(opt)
	limits := scan.DefaultLimits()
	limits.MaxBytes = cfg.MaxUploadMB << 20
	a := &app{cfg: cfg, log: log, records: records, objects: objects, redis: opt, queue: queue}
	a.intake = &workers.Intake{Objects: objects, Records: records, Queue: queue, Limits: limits, Log: log}
	if err := a.loadKeys(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) Close() {
	a.queue.Close()
	a.records.Close()
}

// Run runs the HTTP server, the workers, or both, until ctx ends.
func (a *app) Run(ctx context.Context, serve, work bool) error {
	g, ctx := errgroup.WithContext(ctx)
	if serve {
		srv := &http.Server{Addr: a.cfg.HTTPAddr, Handler: a.api().Handler(), ReadHeaderTimeout: 10 * time.Second}
		g.Go(func() error {
			a.log.Info("http listening", "addr", a.cfg.HTTPAddr)
			if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("http on %s: %w", a.cfg.HTTPAddr, err)
			}
			return nil
		})
		g.Go(func() error {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return srv.Shutdown(sctx)
		})
	}
	if work {
		h, err := a.handlers()
		if err != nil {
			return err
		}
		defer h.OCR.Close()
		defer a.scan.Close()
		server := workers.NewServer(a.redis, a.cfg.Concurrency, h)
		watcher := &workers.Watcher{Intake: a.intake, Notifier: a.objects, TargetARN: a.cfg.NotifyARN, Interval: a.cfg.SweepInterval,
			Orphan: 10 * time.Minute, Log: a.log.With("component", "inbox")}
		rec := &workers.Reconciler{Records: a.records, Queue: a.queue, Interval: a.cfg.ReconcileEvery,
			Idle: a.cfg.ReconcileIdle, Log: a.log.With("component", "reconciler")}
		g.Go(func() error { return server.Run(ctx) })
		g.Go(func() error { return watcher.Run(ctx) })
		g.Go(func() error { return rec.Run(ctx) })
	}
	return g.Wait()
}

func (a *app) api() *api.Server {
	rdb := redis.NewClient(&redis.Options{Addr: a.cfg.RedisAddr, DB: a.cfg.RedisDB})
	return &api.Server{
		Records: a.records, Dossiers: a.records, Objects: a.objects, Intake: a.intake, Queue: a.queue, Log: a.log,
		Agency: a.cfg.Agency, AgencyName: a.cfg.AgencyName,
		InboxBucket: a.objects.Name(storage.Inbox), EventsToken: a.cfg.EventsToken, MinConfidence: a.cfg.MinConfidence,
		Roots: a.roots,
		Checks: []api.Check{
			{Name: "postgres", Ping: a.records.Ping},
			{Name: "s3", Ping: a.objects.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
		},
	}
}

func (a *app) handlers() (*workers.Handlers, error) {
	// Uploads are parsed in child processes too: a decoder's crash or bomb costs one file.
	a.scan = cage.New(cage.Config{Size: a.cfg.Concurrency})
	return &workers.Handlers{
		Records: a.records, Dossiers: a.records, Objects: a.objects, Queue: a.queue, Log: a.log,
		Scan: a.scan, Limits: a.intake.Limits, Agency: a.cfg.Agency, AgencyName: a.cfg.AgencyName, Signer: a.signer, Roots: a.roots,
		// Tesseract runs in child processes: a crash in it costs one page, not the worker.
		OCR: child.New(a.cfg.Concurrency, ocr.Options{Languages: strings.Split(a.cfg.OCRLanguages, "+")}),
	}, nil
}

// loadKeys loads the agency's signing key, or in development the development keys, made on first
// use, and the trust roots. A development key is never used without a warning, and production
// refuses it.
func (a *app) loadKeys() error {
	certFile, keyFile, rootsFile := a.cfg.SignCert, a.cfg.SignKey, a.cfg.TrustRoots
	if certFile == "" {
		files, err := sign.DevKeys(a.cfg.DevKeyDir(), a.cfg.AgencyName, false)
		if err != nil {
			return err
		}
		certFile, keyFile = files.AgencyCert, files.AgencyKey
		if rootsFile == "" {
			rootsFile = files.RootCert
		}
	}
	s, err := sign.LoadPEM(certFile, keyFile)
	if err != nil {
		return err
	}
	if sign.IsDevelopment(s.Chain) {
		if a.cfg.Env == "production" {
			return fmt.Errorf("%s is a development certificate; production signs only with a real one", certFile)
		}
		a.log.Warn("SIGNING WITH A DEVELOPMENT CERTIFICATE: signatures have no legal value", "cert", certFile)
	}
	s.Name, s.Reason, s.Location = a.cfg.AgencyName, "Bản sao điện tử từ bản chính", a.cfg.Agency
	s.TSAURL = a.cfg.TSAURL
	a.signer = s
	if rootsFile != "" {
		pem, err := os.ReadFile(rootsFile)
		if err != nil {
			return fmt.Errorf("trust roots: %w", err)
		}
		a.roots = x509.NewCertPool()
		if !a.roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("trust roots %s: no certificate in it", rootsFile)
		}
	}
	return nil
}

func schemasMigrations() (fs.FS, error) {
	sub, err := fs.Sub(schemas.Migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return sub, nil
}
