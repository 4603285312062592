package storage

import (
	"context"
	"io"
	"iter"
	"time"
)

// Bucket names the role of a bucket; the backend maps it to a real bucket name.
type Bucket string

const (
	// Inbox receives uploads: from the API and from scanner stations writing with any S3 client.
	// Objects leave it once they are ingested.
	Inbox Bucket = "inbox"
	// Work holds originals (by SHA-256), page images, OCR results and unsigned PDFs.
	Work Bucket = "work"
	// Archive holds signed files. It is versioned and has object lock enabled from creation: each
	// signed file is written locked (PutLocked), so its version can be neither changed nor deleted,
	// and it is read by that version (GetVersion, ReadVerified).
	Archive Bucket = "archive"
)

// Buckets lists every bucket role sohoa uses.
func Buckets() []Bucket { return []Bucket{Inbox, Work, Archive} }

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	VersionID    string // set by a store that keeps versions (the archive)
	Size         int64
	ContentType  string
	LastModified time.Time
	Lock         Lock // the version's lock, as the store reports it; zero when it has none
}

// Lock keeps one version of an object from being deleted or changed by anyone, the store's own
// administrators included, for as long as it holds.
type Lock struct {
	// Until ends a COMPLIANCE-mode retention: before then the version cannot be deleted and its
	// retention cannot be shortened. Zero: no retention.
	Until time.Time
	// Hold is a legal hold: the version is kept until the hold is lifted, whatever Until says.
	Hold bool
}

// IsZero reports whether l locks nothing.
func (l Lock) IsZero() bool { return l.Until.IsZero() && !l.Hold }

// Objects stores bytes under keys in the three buckets. Implementations are safe for concurrent use.
// Every method returns an error for which errors.Is(err, fault.Unavailable) holds when the store does
// not answer, or answers that it cannot now (the caller waits and tries again).
type Objects interface {
	// Ensure creates the buckets that do not exist yet (the archive with versioning and object lock).
	// It is safe to call at every start.
	Ensure(ctx context.Context) error

	// Put stores r under key, streaming it: size may be -1 when unknown, and the object is never held
	// whole in memory. An existing object with the same key is replaced (in the archive, a new version
	// is added). It returns the stored object's information.
	Put(ctx context.Context, b Bucket, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error)

	// PutNew stores r under key only if no object is there; otherwise it stores nothing and returns
	// ErrExists (wrapped). Of concurrent calls for one key, at most one succeeds.
	PutNew(ctx context.Context, b Bucket, key string, r io.Reader, size int64, contentType string) (ObjectInfo, error)

	// PutLocked is PutNew with the version it stores locked by l, which must lock something. b must
	// have object lock (the archive); elsewhere it stores nothing and returns an error.
	PutLocked(ctx context.Context, b Bucket, key string, r io.Reader, size int64, contentType string, l Lock) (ObjectInfo, error)

	// Get opens the object for reading; the caller closes it. A missing object gives ErrNotFound,
	// reported by Get itself, not by the first Read.
	Get(ctx context.Context, b Bucket, key string) (io.ReadCloser, error)

	// GetVersion opens one version of the object, whatever versions were stored after it; version ""
	// is the current one, as Get. A missing object or version gives ErrNotFound, from GetVersion
	// itself. Reads of signed files go through ReadVerified, which calls it.
	GetVersion(ctx context.Context, b Bucket, key, version string) (io.ReadCloser, error)

	// Stat describes the object's current version, or returns ErrNotFound (also when its current
	// version is a deletion in a versioned bucket).
	Stat(ctx context.Context, b Bucket, key string) (ObjectInfo, error)

	// Copy copies an object server-side, without the bytes passing through sohoa. A missing source
	// gives ErrNotFound.
	Copy(ctx context.Context, from Bucket, fromKey string, to Bucket, toKey string) error

	// Delete removes the object; in a versioned bucket (work, archive) it adds a deletion on top and
	// the versions under it stay. Deleting a missing object is not an error.
	Delete(ctx context.Context, b Bucket, key string) error

	// AbortUploads abandons the multipart uploads into b begun more than olderThan ago and never
	// completed (their writer died), freeing what they hold, and returns how many it abandoned.
	AbortUploads(ctx context.Context, b Bucket, olderThan time.Duration) (int, error)

	// List yields the objects whose keys start with prefix, in key order. An error ends the sequence.
	List(ctx context.Context, b Bucket, prefix string) iter.Seq2[ObjectInfo, error]

	// Ping checks that the store answers.
	Ping(ctx context.Context) error
}

// Notifier is an optional capability of an object store: it asks the store to report objects created
// in a bucket to a notification target the store's operator configured (for MinIO, a webhook target
// that calls sohoa's /api/v1/inbox/events). It is an optimisation only: a periodic List of the inbox
// finds whatever notifications miss, so a store without them still works.
type Notifier interface {
	// NotifyCreated subscribes the target named arn to every object created in b. Subscribing again
	// replaces the bucket's notification configuration with the same one.
	NotifyCreated(ctx context.Context, b Bucket, arn string) error
}
