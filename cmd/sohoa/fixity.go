package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/internal/config"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// fixityCommand re-hashes every signed file in the archive once, each read by the version recorded
// when it was archived, and prints those that are not as recorded. It fails when one is, and when a
// file could not be checked: a report that skipped files would read as a clean one.
func fixityCommand(ctx context.Context, cfg config.Config, log *slog.Logger, out io.Writer) error {
	records, objects, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer records.Close()
	f := &workers.Fixity{Records: records, Objects: objects, Events: records, Clock: clock.Real{}, Log: log}
	checked, found, err := f.Once(ctx)
	for _, fd := range found {
		fmt.Fprintf(out, "%s\t%s\t%s\tversion %s\t%v\n", fd.DocumentID, fd.Problem, fd.Key, fd.Version, fd.Err)
	}
	fmt.Fprintf(out, "fixity: %d signed files checked, %d not as recorded\n", checked, len(found))
	if err != nil {
		return fmt.Errorf("fixity: stopped after %d files: %w", checked, err)
	}
	if len(found) > 0 {
		return fmt.Errorf("fixity: %d signed files are not as recorded", len(found))
	}
	return nil
}

func s3Config(cfg config.Config) storage.S3Config {
	return storage.S3Config{Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey,
		SecretKey: cfg.S3SecretKey, Region: cfg.S3Region, BucketPrefix: cfg.BucketPrefix}
}
