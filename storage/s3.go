package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/notification"

	"github.com/sohoa-vn/sohoa/internal/fault"
)

// S3Config says where the object store is.
type S3Config struct {
	Endpoint     string // host:port or a URL (http:// or https://)
	AccessKey    string
	SecretKey    string
	Region       string
	BucketPrefix string // bucket names are BucketPrefix + role, e.g. "sohoa-inbox"
}

// S3 is an Objects backed by any S3-compatible server through minio-go. Against a MinIO server it is
// also a Notifier.
type S3 struct {
	client *minio.Client
	prefix string
	region string
}

// NewS3 connects to the server in cfg. It does not contact the server; call Ping or Ensure for that.
func NewS3(cfg S3Config) (*S3, error) {
	endpoint, secure := cfg.Endpoint, false
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, fmt.Errorf("s3 endpoint %q: %w", cfg.Endpoint, err)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: secure,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", cfg.Endpoint, err)
	}
	return &S3{client: c, prefix: cfg.BucketPrefix, region: cfg.Region}, nil
}

// Name returns the real bucket name of role b.
func (s *S3) Name(b Bucket) string { return s.prefix + string(b) }

func (s *S3) Ensure(ctx context.Context) error {
	// A MinIO server answers "not initialized" for a moment after it reports ready, and sohoa is
	// often started with it: wait that out instead of failing the start. A longer absence is the
	// caller's to wait out (errors.Is(err, fault.Unavailable)).
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := s.ensure(ctx)
		if !errors.Is(err, fault.Unavailable) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *S3) ensure(ctx context.Context) error {
	for _, b := range Buckets() {
		name := s.Name(b)
		ok, err := s.client.BucketExists(ctx, name)
		if err != nil {
			return s3Err("check bucket "+name, err)
		}
		if ok {
			continue
		}
		opts := minio.MakeBucketOptions{Region: s.region, ObjectLocking: b == Archive}
		if err := s.client.MakeBucket(ctx, name, opts); err != nil {
			// Another sohoa process may have created it in the meantime.
			if code := minio.ToErrorResponse(err).Code; code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists" {
				continue
			}
			return s3Err("create bucket "+name, err)
		}
		// The work bucket keeps versions too, so an original under its SHA-256 is never lost to a
		// put over it (object lock turns versioning on in the archive by itself).
		if b == Work {
			if err := s.client.EnableVersioning(ctx, name); err != nil {
				return s3Err("turn on versioning of "+name, err)
			}
		}
	}
	return nil
}

// CheckLock checks the settings the archive's guarantees rest on: the archive bucket has object
// lock and keeps versions, and the work bucket keeps versions. sohoa's own credentials may read
// these settings but not change them (scripts/services and `sohoa s3 setup` make them).
func (s *S3) CheckLock(ctx context.Context) error {
	var errs []error
	for _, b := range []Bucket{Work, Archive} {
		name := s.Name(b)
		v, err := s.client.GetBucketVersioning(ctx, name)
		if err != nil {
			return s3Err("versioning of "+name, err)
		}
		if !v.Enabled() {
			errs = append(errs, fmt.Errorf("bucket %s does not keep versions (versioning %q)", name, v.Status))
		}
	}
	name := s.Name(Archive)
	lock, _, _, _, err := s.client.GetObjectLockConfig(ctx, name)
	if err != nil && minio.ToErrorResponse(err).Code != "ObjectLockConfigurationNotFoundError" {
		return s3Err("object lock of "+name, err)
	}
	if lock != "Enabled" {
		errs = append(errs, fmt.Errorf("bucket %s has no object lock: signed files could be deleted or replaced (it can only be turned on when the bucket is created)", name))
	}
	return errors.Join(errs...)
}

func (s *S3) Put(ctx context.Context, b Bucket, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error) {
	return s.put(ctx, "put", b, key, r, size, minio.PutObjectOptions{ContentType: contentType})
}

func (s *S3) PutNew(ctx context.Context, b Bucket, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error) {
	opts := minio.PutObjectOptions{ContentType: contentType}
	opts.SetMatchETagExcept("*") // If-None-Match: *, checked by the server atomically
	return s.put(ctx, "put new", b, key, r, size, opts)
}

func (s *S3) PutLocked(ctx context.Context, b Bucket, key string, r io.Reader, size int64, contentType string, l Lock) (ObjectInfo, error) {
	if l.IsZero() {
		return ObjectInfo{}, fmt.Errorf("put locked %s/%s: the lock locks nothing", s.Name(b), key)
	}
	opts := minio.PutObjectOptions{ContentType: contentType, SendContentMd5: true}
	opts.SetMatchETagExcept("*")
	if !l.Until.IsZero() {
		// COMPLIANCE, not GOVERNANCE: no credentials at all can shorten or bypass it.
		opts.Mode, opts.RetainUntilDate = minio.Compliance, l.Until
	}
	if l.Hold {
		opts.LegalHold = minio.LegalHoldEnabled
	}
	info, err := s.put(ctx, "put locked", b, key, r, size, opts)
	info.Lock = l
	return info, err
}

func (s *S3) put(ctx context.Context, op string, b Bucket, key string, r io.Reader, size int64, opts minio.PutObjectOptions) (ObjectInfo, error) {
	if size < 0 {
		// minio-go buffers one part at a time; 16 MiB parts bound the memory of an upload of unknown size.
		opts.PartSize = 16 << 20
	}
	info, err := s.client.PutObject(ctx, s.Name(b), key, r, size, opts)
	if err != nil {
		return ObjectInfo{}, s.wrap(op, b, key, err)
	}
	return ObjectInfo{Key: key, VersionID: info.VersionID, Size: info.Size, ContentType: opts.ContentType,
		LastModified: info.LastModified}, nil
}

func (s *S3) AbortUploads(ctx context.Context, b Bucket, olderThan time.Duration) (int, error) {
	n := 0
	for u := range s.client.ListIncompleteUploads(ctx, s.Name(b), "", true) {
		if u.Err != nil {
			return n, s.wrap("list incomplete uploads", b, "", u.Err)
		}
		if time.Since(u.Initiated) < olderThan {
			continue
		}
		if err := s.client.RemoveIncompleteUpload(ctx, s.Name(b), u.Key); err != nil {
			return n, s.wrap("abort upload", b, u.Key, err)
		}
		n++
	}
	return n, nil
}

func (s *S3) Get(ctx context.Context, b Bucket, key string) (io.ReadCloser, error) {
	return s.GetVersion(ctx, b, key, "")
}

func (s *S3) GetVersion(ctx context.Context, b Bucket, key, version string) (io.ReadCloser, error) {
	// minio-go's GetObject is lazy; a Stat first makes a missing object an error of Get itself.
	if _, err := s.stat(ctx, b, key, version); err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.Name(b), key, minio.GetObjectOptions{VersionID: version})
	if err != nil {
		return nil, s.wrap("get", b, key, err)
	}
	return describedReader{obj, "read " + s.Name(b) + "/" + key}, nil
}

// describedReader describes the errors of a read cut off half-way, as those of the calls: a server
// that went away mid-object is fault.Unavailable.
type describedReader struct {
	io.ReadCloser
	what string
}

func (r describedReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = s3Err(r.what, err)
	}
	return n, err
}

func (s *S3) Stat(ctx context.Context, b Bucket, key string) (ObjectInfo, error) {
	return s.stat(ctx, b, key, "")
}

func (s *S3) stat(ctx context.Context, b Bucket, key, version string) (ObjectInfo, error) {
	info, err := s.client.StatObject(ctx, s.Name(b), key, minio.StatObjectOptions{VersionID: version})
	if err != nil {
		if version != "" && minio.ToErrorResponse(err).StatusCode == 400 {
			err = fmt.Errorf("%w (version %q)", ErrNotFound, version) // a version ID the server cannot parse names nothing
		}
		return ObjectInfo{}, s.wrap("stat", b, key, err)
	}
	lock := Lock{Hold: info.Metadata.Get("X-Amz-Object-Lock-Legal-Hold") == "ON"}
	if until := info.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"); until != "" {
		if lock.Until, err = time.Parse(time.RFC3339, until); err != nil {
			return ObjectInfo{}, fmt.Errorf("stat %s/%s: retention until %q: %w", s.Name(b), key, until, err)
		}
	}
	return ObjectInfo{Key: key, VersionID: info.VersionID, Size: info.Size, ContentType: info.ContentType,
		LastModified: info.LastModified, Lock: lock}, nil
}

func (s *S3) Copy(ctx context.Context, from Bucket, fromKey string, to Bucket, toKey string) error {
	_, err := s.client.CopyObject(ctx,
		minio.CopyDestOptions{Bucket: s.Name(to), Object: toKey},
		minio.CopySrcOptions{Bucket: s.Name(from), Object: fromKey})
	if err != nil {
		return s.wrap("copy to "+s.Name(to)+"/"+toKey+" from", from, fromKey, err)
	}
	return nil
}

func (s *S3) Delete(ctx context.Context, b Bucket, key string) error {
	if err := s.client.RemoveObject(ctx, s.Name(b), key, minio.RemoveObjectOptions{}); err != nil {
		if errors.Is(s.wrap("", b, key, err), ErrNotFound) {
			return nil
		}
		return s.wrap("delete", b, key, err)
	}
	return nil
}

func (s *S3) List(ctx context.Context, b Bucket, prefix string) iter.Seq2[ObjectInfo, error] {
	return func(yield func(ObjectInfo, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // stops minio-go's listing goroutine if the caller breaks early
		for o := range s.client.ListObjects(ctx, s.Name(b), minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
			if o.Err != nil {
				yield(ObjectInfo{}, s.wrap("list", b, prefix, o.Err))
				return
			}
			if !yield(ObjectInfo{Key: o.Key, Size: o.Size, ContentType: o.ContentType, LastModified: o.LastModified}, nil) {
				return
			}
		}
	}
}

func (s *S3) Ping(ctx context.Context) error {
	if _, err := s.client.BucketExists(ctx, s.Name(Inbox)); err != nil {
		return s3Err("s3 ping "+s.client.EndpointURL().Host, err)
	}
	return nil
}

// NotifyCreated sets the bucket's notification configuration. MinIO's own listen API would spare the
// operator the webhook target, but the server build sohoa installs never flushes that stream (its
// S3 middleware's response writer hides http.Flusher), so events arrive only in 4 KB batches.
func (s *S3) NotifyCreated(ctx context.Context, b Bucket, arn string) error {
	target, err := notification.NewArnFromString(arn)
	if err != nil {
		return fmt.Errorf("notification target %q: %w", arn, err)
	}
	q := notification.NewConfig(target)
	q.AddEvents(notification.ObjectCreatedAll)
	var cfg notification.Configuration
	cfg.AddQueue(q)
	if err := s.client.SetBucketNotification(ctx, s.Name(b), cfg); err != nil {
		return fmt.Errorf("notify %s of objects created in %s: %w", arn, s.Name(b), err)
	}
	return nil
}

func (s *S3) wrap(op string, b Bucket, key string, err error) error {
	return s3Err(op+" "+s.Name(b)+"/"+key, err)
}
