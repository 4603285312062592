// Package s3users sets a test MinIO up with sohoa's buckets and S3 users, as scripts/services does
// (s3setup.Apply). It stands apart from testenv so that the many test binaries that need no MinIO
// administration do not link its client (and run its packages' init) into the children they start.
package s3users

import (
	"context"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/s3setup"
	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// Users are the S3 users a deployment's buckets are set up with.
type Users struct {
	Service, Station s3setup.Credentials
}

// Provision sets m up for buckets of prefix: versioning and object lock, a service user and a
// write-only station user of their own. Calling it again for the same prefix gives the same users.
func Provision(t testing.TB, m *testenv.MinIO, prefix string) Users {
	t.Helper()
	u := Users{Service: s3setup.Credentials{AccessKey: prefix + "svc", SecretKey: "svc-" + m.SecretKey},
		Station: s3setup.Credentials{AccessKey: prefix + "station", SecretKey: "station-" + m.SecretKey}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p := s3setup.Plan{Endpoint: m.Endpoint, Admin: s3setup.Credentials{AccessKey: m.AccessKey, SecretKey: m.SecretKey},
		BucketPrefix: prefix, Service: u.Service, Station: u.Station}
	// A server just started may still be loading its IAM subsystem: wait that out, briefly.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s3setup.Apply(ctx, p)
		if err == nil {
			return u
		}
		if time.Now().After(deadline) {
			t.Fatalf("set up minio for %s: %v", prefix, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
