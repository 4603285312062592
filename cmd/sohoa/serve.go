package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/sohoa-vn/sohoa/internal/api"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/storage"
)

// guardOf is the HTTP guard the configuration asks for.
func guardOf(cfg config.Config) api.Guard {
	return api.Guard{PublicURL: cfg.HTTP.PublicURL, Hosts: cfg.Hosts(), TLS: cfg.HTTP.TLS(),
		MaxUploads: cfg.HTTP.MaxConcurrentUploads, MinRate: cfg.HTTP.MinRate, MinRateWindow: cfg.HTTP.MinRateWindow}
}

// httpServer is the HTTP server of h, with timeouts that drop clients holding connections open.
// There is no WriteTimeout: a signed PDF may take long to reach a counter on a slow link.
func httpServer(cfg config.Config, h http.Handler) *http.Server {
	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	if cfg.HTTP.MinRate > 0 {
		// The guard's rate floor moves a body's deadline while it keeps up; this is the backstop, the
		// time the largest upload takes at the minimum rate.
		srv.ReadTimeout = time.Duration((cfg.MaxUploadMB<<20)/cfg.HTTP.MinRate)*time.Second + cfg.HTTP.MinRateWindow
	}
	return srv
}

// serveHTTP serves h, over TLS when the configuration has a certificate, until ctx ends.
func serveHTTP(ctx context.Context, cfg config.Config, log *slog.Logger, h http.Handler) error {
	srv := httpServer(cfg, h)
	done := make(chan error, 1)
	go func() {
		log.Info("http listening", "addr", cfg.HTTPAddr, "tls", cfg.HTTP.TLS())
		if cfg.HTTP.TLS() {
			done <- srv.ListenAndServeTLS(cfg.HTTP.TLSCert, cfg.HTTP.TLSKey)
		} else {
			done <- srv.ListenAndServe()
		}
	}()
	select {
	case err := <-done:
		return fmt.Errorf("http on %s: %w", cfg.HTTPAddr, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if lerr := <-done; !errors.Is(lerr, http.ErrServerClosed) {
		return fmt.Errorf("http on %s: %w", cfg.HTTPAddr, lerr)
	}
	return err
}

// healthcheck asks the local server's /healthz, for Docker's HEALTHCHECK (the image has no curl, and
// its /bin/sh no /dev/tcp).
func healthcheck(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// The certificate names the public host, not the loopback address asked here; the check sends
	// nothing secret and reads only the status, so it does not verify it.
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s/healthz answered %s", base, resp.Status)
	}
	return nil
}

// checkRole refuses, in production, to connect to PostgreSQL as a superuser, and warns in
// development, where the local postgres role is the usual one.
func checkRole(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	name, super, err := storage.PostgresRole(ctx, cfg.DatabaseURL)
	if err != nil || !super {
		return err
	}
	if cfg.Env == "production" {
		return fmt.Errorf("SOHOA_ENV=production: the database role %q is a superuser; connect as a role that owns only sohoa's database", name)
	}
	log.Warn("the database role is a superuser; production refuses it", "role", name)
	return nil
}
