package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
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
}

// open connects to PostgreSQL (applying migrations), the object store (creating buckets) and Redis.
func open(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	signer, roots, err := loadKeys(cfg, log) // first: a certificate that cannot sign stops sohoa before it connects
	if err != nil {
		return nil, err
	}
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
	a := &app{cfg: cfg, log: log, records: records, objects: objects, redis: opt, queue: queue, signer: signer, roots: roots}
	a.intake = &workers.Intake{Objects: objects, Records: records, Queue: queue, Limits: limits, Log: log}
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
	return &workers.Handlers{
		Records: a.records, Dossiers: a.records, Objects: a.objects, Queue: a.queue, Log: a.log,
		Limits: a.intake.Limits, Agency: a.cfg.Agency, AgencyName: a.cfg.AgencyName, Signer: a.signer, Roots: a.roots,
		// Tesseract runs in child processes: a crash in it costs one page, not the worker.
		OCR: child.New(a.cfg.Concurrency, ocr.Options{Languages: strings.Split(a.cfg.OCRLanguages, "+")}),
	}, nil
}

func schemasMigrations() (fs.FS, error) {
	sub, err := fs.Sub(schemas.Migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return sub, nil
}
