// Package s3setup prepares a MinIO server for sohoa with its administrator's credentials: the three
// buckets with the settings the archive's guarantees rest on, and the users sohoa's services and
// scanner stations work with, each with a policy that grants what it needs and nothing that could
// rewrite the archive. It is idempotent: `sohoa s3 setup` (run by scripts/services) and the tests'
// MinIO (internal/testenv) apply it at every start.
//
// What the policies leave out is the point:
//   - the service user (sohoa) can read and write the inbox and the work bucket, and in the archive
//     only read and add new, locked versions: no s3:DeleteObject or s3:DeleteObjectVersion there, no
//     s3:BypassGovernanceRetention, and no bucket settings (versioning, object lock, policies,
//     lifecycle) anywhere — except the inbox's notifications, which sohoa subscribes at start;
//   - a station user can only put into the inbox: it cannot read, list or delete anything.
package s3setup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/minio/madmin-go/v3"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"github.com/sohoa-vn/sohoa/storage"
)

// Credentials are an S3 access key and its secret.
type Credentials struct{ AccessKey, SecretKey string }

// Plan is what to set up.
type Plan struct {
	Endpoint     string      // host:port or http(s)://host:port
	Region       string      // "" for us-east-1
	Admin        Credentials // the server's root (or an admin) user: used here only
	BucketPrefix string      // buckets are BucketPrefix + inbox, work, archive
	Service      Credentials // the user sohoa's services run as
	Station      Credentials // a write-only inbox user for scanner stations; empty: none
}

// NoncurrentDays is how long the work bucket keeps a version once another replaced it: the work
// bucket is versioned so that nothing put there is lost at once, not to grow forever (every run of
// a stage puts its outputs again).
const NoncurrentDays = 30

// Apply creates what is missing and sets the rest again, so running it twice changes nothing.
func Apply(ctx context.Context, p Plan) error {
	if p.Service.AccessKey == "" || p.Service.AccessKey == p.Admin.AccessKey {
		return fmt.Errorf("s3 setup: the service user %q must be a user of its own, not the administrator", p.Service.AccessKey)
	}
	host, secure, err := hostOf(p.Endpoint)
	if err != nil {
		return err
	}
	c, err := minio.New(host, &minio.Options{Creds: credentials.NewStaticV4(p.Admin.AccessKey, p.Admin.SecretKey, ""), Secure: secure, Region: p.Region})
	if err != nil {
		return fmt.Errorf("s3 setup: client for %s: %w", p.Endpoint, err)
	}
	if err := buckets(ctx, c, p); err != nil {
		return err
	}
	adm, err := madmin.New(host, p.Admin.AccessKey, p.Admin.SecretKey, secure)
	if err != nil {
		return fmt.Errorf("s3 setup: admin client for %s: %w", p.Endpoint, err)
	}
	if err := user(ctx, adm, p.BucketPrefix+"service", servicePolicy(p.BucketPrefix), p.Service); err != nil {
		return err
	}
	if p.Station.AccessKey != "" {
		return user(ctx, adm, p.BucketPrefix+"station", stationPolicy(p.BucketPrefix), p.Station)
	}
	return nil
}

func hostOf(endpoint string) (host string, secure bool, err error) {
	if !strings.Contains(endpoint, "://") {
		return endpoint, false, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("s3 endpoint %q: %w", endpoint, err)
	}
	return u.Host, u.Scheme == "https", nil
}

// buckets creates the buckets and sets what sohoa's own credentials may only read: versioning of the
// work bucket (with its lifecycle), object lock of the archive.
func buckets(ctx context.Context, c *minio.Client, p Plan) error {
	for _, b := range storage.Buckets() {
		name := p.BucketPrefix + string(b)
		ok, err := c.BucketExists(ctx, name)
		if err != nil {
			return fmt.Errorf("s3 setup: bucket %s: %w", name, err)
		}
		if !ok {
			if err := c.MakeBucket(ctx, name, minio.MakeBucketOptions{Region: p.Region, ObjectLocking: b == storage.Archive}); err != nil {
				return fmt.Errorf("s3 setup: create bucket %s: %w", name, err)
			}
		}
	}
	work, archive := p.BucketPrefix+string(storage.Work), p.BucketPrefix+string(storage.Archive)
	if err := c.EnableVersioning(ctx, work); err != nil {
		return fmt.Errorf("s3 setup: versioning of %s: %w", work, err)
	}
	rules := lifecycle.NewConfiguration()
	rules.Rules = []lifecycle.Rule{{ID: "sohoa-noncurrent", Status: "Enabled",
		RuleFilter:                  lifecycle.Filter{Prefix: ""},
		NoncurrentVersionExpiration: lifecycle.NoncurrentVersionExpiration{NoncurrentDays: NoncurrentDays}}}
	if err := c.SetBucketLifecycle(ctx, work, rules); err != nil {
		return fmt.Errorf("s3 setup: lifecycle of %s: %w", work, err)
	}
	lock, _, _, _, err := c.GetObjectLockConfig(ctx, archive)
	if err != nil || lock != "Enabled" {
		// Object lock can only be turned on when a bucket is made: an archive made without it must be
		// replaced (copied into a new bucket) by a person; sohoa refuses it in production.
		return fmt.Errorf("s3 setup: bucket %s has no object lock (%q, %v); it can only be turned on when the bucket is created", archive, lock, err)
	}
	return nil
}

// user sets the policy named name and the user c with it attached.
func user(ctx context.Context, adm *madmin.AdminClient, name string, policy []byte, c Credentials) error {
	if err := adm.AddCannedPolicy(ctx, name, policy); err != nil {
		return fmt.Errorf("s3 setup: policy %s: %w", name, err)
	}
	if err := adm.AddUser(ctx, c.AccessKey, c.SecretKey); err != nil { // sets the secret of a user that exists
		return fmt.Errorf("s3 setup: user %s: %w", c.AccessKey, err)
	}
	_, err := adm.AttachPolicy(ctx, madmin.PolicyAssociationReq{Policies: []string{name}, User: c.AccessKey})
	if err != nil && !alreadyAttached(err) {
		return fmt.Errorf("s3 setup: attach policy %s to %s: %w", name, c.AccessKey, err)
	}
	return nil
}

type statement struct {
	Effect   string
	Action   []string
	Resource []string
}

func policy(st ...statement) []byte {
	b, err := json.Marshal(struct {
		Version   string
		Statement []statement
	}{"2012-10-17", st})
	if err != nil {
		panic(err) // a fixed structure of strings always marshals
	}
	return b
}

func arn(bucket string, objects bool) string {
	if objects {
		return "arn:aws:s3:::" + bucket + "/*"
	}
	return "arn:aws:s3:::" + bucket
}

func servicePolicy(prefix string) []byte {
	inbox, work, archive := prefix+string(storage.Inbox), prefix+string(storage.Work), prefix+string(storage.Archive)
	return policy(
		statement{"Allow", []string{"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads", "s3:GetBucketLocation",
			"s3:GetBucketVersioning", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketNotification"},
			[]string{arn(inbox, false), arn(work, false), arn(archive, false)}},
		// The inbox's notifications are the one bucket setting sohoa makes (its webhook subscription).
		statement{"Allow", []string{"s3:PutBucketNotification"}, []string{arn(inbox, false)}},
		// Deletes in the versioned work bucket add a deletion on top; its versions stay.
		statement{"Allow", []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
			[]string{arn(inbox, true), arn(work, true)}},
		// Retention and legal hold are set with the put that creates the version (MinIO checks both
		// actions then). COMPLIANCE retention cannot be shortened by anyone; lifting a legal hold
		// still leaves nothing sohoa could delete with.
		statement{"Allow", []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetObjectRetention", "s3:PutObjectRetention",
			"s3:GetObjectLegalHold", "s3:PutObjectLegalHold", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
			[]string{arn(archive, true)}},
	)
}

func stationPolicy(prefix string) []byte {
	inbox := prefix + string(storage.Inbox)
	return policy(
		statement{"Allow", []string{"s3:GetBucketLocation"}, []string{arn(inbox, false)}},
		statement{"Allow", []string{"s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}, []string{arn(inbox, true)}},
	)
}

// alreadyAttached reports the server's answer to attaching a policy the user has: nothing to do.
func alreadyAttached(err error) bool {
	code := madmin.ToErrorResponse(err).Code
	return code == "XMinioAdminPolicyChangeAlreadyApplied" || code == "XMinioPolicyAlreadyAttached"
}

// StationPrefix is where in the inbox the station called name puts its files: sohoa records the
// uploads found under it as that station's.
func StationPrefix(name string) string { return "stations/" + name + "/" }

// Station makes (or gives a new secret to) the S3 user of one scanner station: it may only put
// into the inbox under StationPrefix(name), so no station can pass its files off as another's.
func Station(ctx context.Context, p Plan, name string, c Credentials) error {
	host, secure, err := hostOf(p.Endpoint)
	if err != nil {
		return err
	}
	adm, err := madmin.New(host, p.Admin.AccessKey, p.Admin.SecretKey, secure)
	if err != nil {
		return fmt.Errorf("s3 setup: admin client for %s: %w", p.Endpoint, err)
	}
	inbox := p.BucketPrefix + string(storage.Inbox)
	return user(ctx, adm, p.BucketPrefix+"station-"+name, policy(
		statement{"Allow", []string{"s3:GetBucketLocation"}, []string{arn(inbox, false)}},
		statement{"Allow", []string{"s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"},
			[]string{"arn:aws:s3:::" + inbox + "/" + StationPrefix(name) + "*"}},
	), c)
}
