package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/metrics"
	"github.com/sohoa-vn/sohoa/internal/ocr"
	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/internal/scan/cage"
	"github.com/sohoa-vn/sohoa/internal/sign"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/schemas"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
	"github.com/sohoa-vn/sohoa/workers/queue"
)

// app is sohoa wired together: the stores, the queue, and the components that run on them.
type app struct {
	cfg     config.Config
	log     *slog.Logger
	records *storage.Postgres
	objects *storage.S3
	redis   asynq.RedisConnOpt
	queue   *queue.Queue
	intake  *workers.Intake
	signer  *sign.Signer
	roots   *x509.CertPool // what signatures are verified against; nil: the system's
	scan    *cage.Pool     // the workers' parsers of uploads, in child processes
	metrics *metrics.Metrics
	closers []func() error // what Run opened for the API: the queue view's and the queue metrics' Redis
}

// open connects to PostgreSQL (applying migrations), the object store (creating buckets) and Redis,
// waiting for each that is not up yet until ctx ends: sohoa is often started before, or together
// with, the services it needs.
func open(ctx context.Context, cfg config.Config, log *slog.Logger) (*app, error) {
	signer, roots, err := loadKeys(cfg, log) // first: a certificate that cannot sign stops sohoa before it connects
	if err != nil {
		return nil, err
	}
	records, err := openRecords(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	objects, err := storage.NewS3(s3Config(cfg))
	if err == nil {
		err = waitFor(ctx, log, "s3", func() error { return objects.Ensure(ctx) })
	}
	if err == nil {
		err = checkArchive(ctx, cfg, objects, log)
	}
	if err != nil {
		records.Close()
		return nil, err
	}
	opt := redisOpt(cfg)
	a := &app{cfg: cfg, log: log, records: records, objects: objects, redis: opt,
		queue: queue.New(opt, cfg.Deployment, pipeline.Retries(cfg.RetryBudget)), signer: signer, roots: roots}
	if err := waitFor(ctx, log, "redis", func() error { return a.claimQueues(ctx) }); err != nil {
		a.Close()
		return nil, err
	}
	limits := scan.DefaultLimits()
	limits.MaxBytes = cfg.MaxUploadMB << 20
	a.metrics = newMetrics(log)
	a.intake = &workers.Intake{Objects: objects, Records: records, Queue: a.queue, Limits: limits, Log: log, Agency: cfg.Agency,
		Stations: records, Observe: a.metrics}
	return a, nil
}

// openRecords connects to PostgreSQL, waiting for it, and brings the database up to date: the
// migrations run as the tables' owner (SOHOA_MIGRATE_DATABASE_URL, or the services' own role in
// development), which then grants the services' role its rights; the deployment's agency is
// recorded, and documents from before accounts are given to it.
func openRecords(ctx context.Context, cfg config.Config, log *slog.Logger) (*storage.Postgres, error) {
	migrations, err := schemasMigrations()
	if err != nil {
		return nil, err
	}
	// The services' role first, once: a superuser must not run the migrations that make the tables.
	if err := waitFor(ctx, log, "postgres", func() error { return checkRole(ctx, cfg, log) }); err != nil {
		return nil, err
	}
	connect := func(url string, migrations fs.FS) (p *storage.Postgres, err error) {
		err = waitFor(ctx, log, "postgres", func() (err error) {
			p, err = storage.OpenPostgres(ctx, url, migrations)
			return err
		})
		return p, err
	}
	if cfg.MigrateDatabaseURL != "" {
		owner, err := connect(cfg.MigrateDatabaseURL, migrations)
		if err != nil {
			return nil, err
		}
		role, _, err := storage.PostgresRole(ctx, cfg.DatabaseURL)
		if err == nil {
			err = owner.GrantService(ctx, role)
		}
		owner.Close()
		if err != nil {
			return nil, err
		}
		migrations = nil
	}
	records, err := connect(cfg.DatabaseURL, migrations)
	if err != nil {
		return nil, err
	}
	if err := records.EnsureAgency(ctx, cfg.Agency, cfg.AgencyName, ""); err != nil {
		records.Close()
		return nil, err
	}
	if n, err := records.ClaimUnowned(ctx, cfg.Agency); err != nil {
		records.Close()
		return nil, err
	} else if n > 0 {
		log.Info("documents from before accounts given to the deployment's agency", "agency", cfg.Agency, "documents", n)
	}
	return records, nil
}

// checkArchive checks the bucket settings the archive's guarantees rest on (storage.S3.CheckLock).
// Production refuses to run without them; development warns at every start.
func checkArchive(ctx context.Context, cfg config.Config, objects *storage.S3, log *slog.Logger) error {
	err := objects.CheckLock(ctx)
	switch {
	case err == nil:
		return nil
	case cfg.Env == "production":
		return fmt.Errorf("SOHOA_ENV=production: the archive is not protected, run sohoa s3 setup with the administrator's keys: %w", err)
	}
	log.Warn("the archive is not protected: signed files could be deleted or replaced (run sohoa s3 setup)", "error", err)
	return nil
}

// waitFor calls connect until it succeeds or fails for a reason other than the service being away.
func waitFor(ctx context.Context, log *slog.Logger, service string, connect func() error) error {
	for delay := time.Second; ; delay = min(2*delay, 30*time.Second) {
		err := connect()
		if err == nil || !errors.Is(err, fault.Unavailable) {
			return err
		}
		log.Warn("waiting for a service", "service", service, "retry_in", delay.String(), "error", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer before the stop: %w", service, err)
		case <-time.After(delay):
		}
	}
}

// claimQueues records in Redis that this deployment's queues belong to this database, and warns
// when they belonged to another one: the tasks left by it are for documents this database does not
// know, and the workers will refuse them loudly.
func (a *app) claimQueues(ctx context.Context) error {
	id, err := a.records.Identity(ctx)
	if err != nil {
		return err
	}
	rdb := a.redisClient()
	defer rdb.Close()
	prev, err := queue.Claim(ctx, rdb, a.cfg.Deployment, id)
	if err != nil {
		return fault.E("redis", fault.Unavailable, err)
	}
	if prev != "" {
		a.log.Warn("these queues were another database's: another deployment with the same SOHOA_DEPLOYMENT shares this Redis, "+
			"or the database was made afresh; tasks for documents this database does not know will be refused",
			"deployment", a.cfg.Deployment, "queues", fmt.Sprint(a.queue.Names()), "database", id, "previous_database", prev)
	}
	return nil
}

// redisOpt is how Asynq reaches the queues' Redis: one server, or the master that Sentinels name,
// which Asynq's failover client follows when they promote another.
func redisOpt(cfg config.Config) asynq.RedisConnOpt {
	if len(cfg.RedisSentinels) > 0 {
		return asynq.RedisFailoverClientOpt{MasterName: cfg.RedisMaster, SentinelAddrs: cfg.RedisSentinels,
			Password: cfg.RedisPassword, DB: cfg.RedisDB}
	}
	return asynq.RedisClientOpt{Addr: cfg.RedisAddr, Password: cfg.RedisPassword, DB: cfg.RedisDB}
}

// redisClient is a client of the queues' Redis, for what Asynq does not do, reached as Asynq does.
func (a *app) redisClient() redis.UniversalClient {
	return a.redis.MakeRedisClient().(redis.UniversalClient)
}

func (a *app) Close() {
	for _, c := range a.closers {
		c()
	}
	a.queue.Close()
	a.records.Close()
}

// Run runs the HTTP server, the workers, or both, until ctx ends; and the metrics' own listener
// when there is one.
func (a *app) Run(ctx context.Context, serve, work bool) error {
	g, ctx := errgroup.WithContext(ctx)
	var srv *api.Server
	if serve || a.cfg.MetricsAddr != "" {
		srv = a.api()
	}
	if serve {
		if err := a.serveOperators(srv); err != nil {
			return err
		}
		h := srv.Handler()
		g.Go(func() error { return serveHTTP(ctx, a.cfg, a.log, h) })
	}
	if a.cfg.MetricsAddr != "" {
		cfg := a.cfg
		cfg.HTTPAddr = a.cfg.MetricsAddr
		h := srv.MetricsHandler()
		g.Go(func() error { return serveHTTP(ctx, cfg, a.log.With("listener", "metrics"), h) })
	}
	if work {
		if err := a.runWorkers(ctx, g); err != nil {
			return err
		}
	}
	return g.Wait()
}

// runWorkers starts the stage handlers and the components around them in g.
func (a *app) runWorkers(ctx context.Context, g *errgroup.Group) error {
	host, _ := os.Hostname()
	me := storage.Worker{ID: fmt.Sprintf("%s:%d:%s", host, os.Getpid(), uuid.NewString()[:8]), Host: host, PID: os.Getpid()}
	clk := clock.Real{}
	live := &workers.Liveness{Records: a.records, Queue: a.queue, Worker: me, Interval: workers.BeatInterval,
		DeadAfter: workers.DeadAfter, Clock: clk, Log: a.log.With("component", "liveness")}
	if err := waitFor(ctx, a.log, "postgres", func() error { return live.Beat(ctx) }); err != nil {
		return err
	}
	pool := child.New(a.cfg.Concurrency, ocr.Options{Languages: strings.Split(a.cfg.OCRLanguages, "+")})
	// Uploads are parsed in child processes too: a decoder's crash or bomb costs one file.
	parsers := cage.New(cage.Config{Size: a.cfg.Concurrency})
	a.scan = parsers
	h := &workers.Handlers{
		Records: a.records, Dossiers: a.records, Objects: a.objects, Agencies: a.records, Queue: a.queue, Clock: clk, Worker: me.ID,
		Log: a.log, Limits: a.intake.Limits, Scan: parsers, Agency: a.cfg.Agency, AgencyName: a.cfg.AgencyName,
		Signer: agencySigner{signer: a.signer, roots: a.roots}, Roots: a.roots, MaxRetry: pipeline.Retries(a.cfg.RetryBudget),
		Retention: a.cfg.Retention, Observe: a.metrics, MinConfidence: a.cfg.MinConfidence,
		// Tesseract runs in child processes: a crash in it costs one page, not the worker.
		OCR: pool,
	}
	server := queue.NewServer(a.redis, queue.Config{Deployment: a.cfg.Deployment, Concurrency: a.cfg.Concurrency,
		Log: a.log}, h.Tasks())
	// The bulk lane has workers and children of its own, the children niced: a person at the counter
	// never waits for a free slot or for the CPU behind a backlog.
	bulkOCR := child.New(a.cfg.BulkConcurrency, ocr.Options{Languages: strings.Split(a.cfg.OCRLanguages, "+")})
	bulkOCR.Nice = a.cfg.BulkNice
	bulkParsers := cage.New(cage.Config{Size: a.cfg.BulkConcurrency, Nice: a.cfg.BulkNice})
	bh := *h
	bh.OCR, bh.Scan = bulkOCR, bulkParsers
	inspector := asynq.NewInspector(a.redis)
	bulk := &queue.BulkServer{Redis: a.redis, Config: queue.Config{Deployment: a.cfg.Deployment, Concurrency: a.cfg.BulkConcurrency,
		Log: a.log}, Handlers: bh.Tasks(), Queues: inspector, Interval: 5 * time.Second, Clock: clk}
	watcher := &workers.Watcher{Intake: a.intake, Notifier: a.objects, TargetARN: a.cfg.NotifyARN, Interval: a.cfg.SweepInterval,
		Orphan: 10 * time.Minute, Clock: clk, Log: a.log.With("component", "inbox")}
	rec := &workers.Reconciler{Records: a.records, Queue: a.queue, Interval: a.cfg.ReconcileEvery,
		Idle: a.cfg.ReconcileIdle, Clock: clk, Log: a.log.With("component", "reconciler")}
	fixity := &workers.Fixity{Records: a.records, Objects: a.objects, Events: a.records, Interval: a.cfg.FixityEvery,
		Clock: clk, Log: a.log.With("component", "fixity")}
	g.Go(func() error {
		defer pool.Close() // after the server has stopped: pages still running finish first
		defer parsers.Close()
		return server.Run(ctx)
	})
	g.Go(func() error {
		defer inspector.Close()
		defer bulkOCR.Close()
		defer bulkParsers.Close()
		return bulk.Run(ctx)
	})
	g.Go(func() error { return live.Run(ctx) })
	g.Go(func() error { return watcher.Run(ctx) })
	g.Go(func() error { return rec.Run(ctx) })
	g.Go(func() error { return fixity.Run(ctx) })
	return nil
}

func (a *app) api() *api.Server {
	rdb := a.redisClient()
	return &api.Server{
		Records: a.records, Dossiers: a.records, Accounts: a.records, Trail: a.records, Stations: a.records, Reports: a.records, Objects: a.objects,
		Intake: a.intake,
		Queue:  a.queue, Log: a.log,
		Agency: a.cfg.Agency, AgencyName: a.cfg.AgencyName,
		InboxBucket: a.objects.Name(storage.Inbox), EventsToken: a.cfg.EventsToken,
		Roots: a.roots, Guard: guardOf(a.cfg), Metrics: a.metrics.Handler(), MetricsToken: a.cfg.MetricsToken,
		Checks: []api.Check{
			{Name: "postgres", Ping: a.records.Ping},
			{Name: "s3", Ping: a.objects.Ping},
			{Name: "redis", Ping: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }},
		},
	}
}

func schemasMigrations() (fs.FS, error) {
	sub, err := fs.Sub(schemas.Migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return sub, nil
}
