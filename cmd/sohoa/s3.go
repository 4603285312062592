package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/internal/s3setup"
	"github.com/sohoa-vn/sohoa/storage"
)

const s3Usage = "usage: sohoa s3 setup | sohoa s3 station NAME"

// s3Command runs `sohoa s3 setup` and `sohoa s3 station NAME`.
func s3Command(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, out io.Writer) error {
	switch {
	case len(args) == 1 && args[0] == "setup":
		return s3SetupCommand(ctx, cfg, log)
	case len(args) == 2 && args[0] == "station":
		return s3StationCommand(ctx, cfg, log, args[1], out)
	}
	return errors.New(s3Usage)
}

func s3Plan(cfg config.Config) s3setup.Plan {
	return s3setup.Plan{Endpoint: cfg.S3Endpoint, Region: cfg.S3Region, BucketPrefix: cfg.BucketPrefix,
		Admin:   s3setup.Credentials{AccessKey: cfg.S3AdminKey, SecretKey: cfg.S3AdminSecret},
		Service: s3setup.Credentials{AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey},
		Station: s3setup.Credentials{AccessKey: cfg.S3StationKey, SecretKey: cfg.S3StationSecret}}
}

// s3SetupCommand makes the buckets and the users of this deployment with the object store
// administrator's credentials (scripts/services runs it).
func s3SetupCommand(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if err := s3setup.Apply(ctx, s3Plan(cfg)); err != nil {
		return err
	}
	log.Info("s3 set up", "endpoint", cfg.S3Endpoint, "buckets", cfg.BucketPrefix+"{inbox,work,archive}",
		"service_user", cfg.S3AccessKey, "station_user", cfg.S3StationKey)
	return nil
}

// stationName is what an S3 station's key prefix may be made of: one path segment, plain letters.
var stationName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// s3StationCommand makes the S3 user of the station account called name, which may only put into
// the inbox under its own prefix, and prints its keys. Run again, it gives the user a new secret.
func s3StationCommand(ctx context.Context, cfg config.Config, log *slog.Logger, name string, out io.Writer) error {
	if !stationName.MatchString(name) {
		return fmt.Errorf("s3 station: %q: a station's name for S3 must be lowercase letters, digits, '.', '_' or '-'", name)
	}
	records, err := openRecords(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer records.Close()
	acc, err := records.Account(ctx, name)
	if err != nil {
		return fmt.Errorf("s3 station %s: %w (make it first: sohoa users add %s --role station)", name, err, name)
	}
	if acc.Role != string(account.Station) {
		return fmt.Errorf("s3 station %s: the account's role is %s, not station", name, acc.Role)
	}
	c := s3setup.Credentials{AccessKey: cfg.BucketPrefix + "station-" + name, SecretKey: rand.Text()}
	if err := s3setup.Station(ctx, s3Plan(cfg), name, c); err != nil {
		return err
	}
	fmt.Fprintf(out, "bucket\t%s\nprefix\t%s\naccess key\t%s\nsecret key\t%s\n",
		cfg.BucketPrefix+string(storage.Inbox), s3setup.StationPrefix(name), c.AccessKey, c.SecretKey)
	return nil
}
