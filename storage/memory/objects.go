package memory

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// Objects keeps objects in memory. Buckets exist once Ensure made them, as on a real server, so a
// test that forgets Ensure fails here too. Put reads the whole object, which streaming stores never
// do, and refuses one whose length is not the size given. The work and archive buckets keep every
// version, as on the real server; a delete there adds a deletion on top, as S3 does.
type Objects struct {
	mu       sync.Mutex
	buckets  map[storage.Bucket]map[string][]object // versions of a key, oldest first
	versions int                                    // last version given
	uploads  []upload
}

type object struct {
	data        []byte // never changed once stored
	contentType string
	modified    time.Time
	version     string // versioned buckets only
	lock        storage.Lock
	deleted     bool // a deletion in a versioned bucket: the key has no current object
}

// versioned reports whether b keeps versions.
func versioned(b storage.Bucket) bool { return b != storage.Inbox }

// upload is a multipart upload begun and never completed.
type upload struct {
	bucket  storage.Bucket
	key     string
	started time.Time
}

// BeginUpload records a multipart upload into b that its writer never completes, as one a crash
// leaves; AbortUploads abandons it.
func (o *Objects) BeginUpload(b storage.Bucket, key string, started time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.uploads = append(o.uploads, upload{b, key, started})
}

var _ storage.Objects = (*Objects)(nil)

// NewObjects returns a store without buckets; call Ensure.
func NewObjects() *Objects { return &Objects{buckets: map[storage.Bucket]map[string][]object{}} }

func (o *Objects) Ensure(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, b := range storage.Buckets() {
		if o.buckets[b] == nil {
			o.buckets[b] = map[string][]object{}
		}
	}
	return nil
}

// bucket returns b's objects; the caller holds the lock.
func (o *Objects) bucket(b storage.Bucket) (map[string][]object, error) {
	m, ok := o.buckets[b]
	if !ok {
		return nil, fmt.Errorf("bucket %s: %w (Ensure has not created it)", b, storage.ErrNotFound)
	}
	return m, nil
}

func (o *Objects) Put(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, contentType string) (storage.ObjectInfo, error) {
	return o.put(ctx, b, key, r, size, contentType, false, storage.Lock{})
}

func (o *Objects) PutNew(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, contentType string) (storage.ObjectInfo, error) {
	return o.put(ctx, b, key, r, size, contentType, true, storage.Lock{})
}

func (o *Objects) PutLocked(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, contentType string, l storage.Lock) (storage.ObjectInfo, error) {
	if l.IsZero() {
		return storage.ObjectInfo{}, fmt.Errorf("put locked %s/%s: the lock locks nothing", b, key)
	}
	if b != storage.Archive {
		return storage.ObjectInfo{}, fmt.Errorf("put locked %s/%s: the bucket has no object lock", b, key)
	}
	return o.put(ctx, b, key, r, size, contentType, true, l)
}

func (o *Objects) put(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, contentType string, onlyNew bool, l storage.Lock) (storage.ObjectInfo, error) {
	if err := ctx.Err(); err != nil {
		return storage.ObjectInfo{}, err
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("put %s/%s: %w", b, key, err)
	}
	if size >= 0 && int64(len(data)) != size {
		return storage.ObjectInfo{}, fmt.Errorf("put %s/%s: read %d bytes, size says %d", b, key, len(data), size)
	}
	if contentType == "" {
		contentType = "application/octet-stream" // what minio-go sends
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.bucket(b)
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("put %s: %w", key, err)
	}
	if _, ok := current(m, key); ok && onlyNew {
		return storage.ObjectInfo{}, fmt.Errorf("put new %s/%s: %w", b, key, storage.ErrExists)
	}
	obj := o.add(m, b, key, object{data: data, contentType: contentType, modified: time.Now(), lock: l})
	return info(key, obj), nil
}

// add stores obj as the current version of key, giving it a version ID in a versioned bucket; the
// caller holds the lock.
func (o *Objects) add(m map[string][]object, b storage.Bucket, key string, obj object) object {
	if !versioned(b) {
		m[key] = []object{obj}
		return obj
	}
	o.versions++
	obj.version = fmt.Sprint(o.versions)
	m[key] = append(m[key], obj)
	return obj
}

// current returns key's current version unless there is none or it is a deletion.
func current(m map[string][]object, key string) (object, bool) {
	vs := m[key]
	if len(vs) == 0 || vs[len(vs)-1].deleted {
		return object{}, false
	}
	return vs[len(vs)-1], true
}

func (o *Objects) AbortUploads(ctx context.Context, b storage.Bucket, olderThan time.Duration) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	kept, n := o.uploads[:0], 0
	for _, u := range o.uploads {
		if u.bucket == b && time.Since(u.started) >= olderThan {
			n++
			continue
		}
		kept = append(kept, u)
	}
	o.uploads = kept
	return n, nil
}

func info(key string, obj object) storage.ObjectInfo {
	return storage.ObjectInfo{Key: key, VersionID: obj.version, Size: int64(len(obj.data)), ContentType: obj.contentType,
		LastModified: obj.modified, Lock: obj.lock}
}

// object returns version of key ("" for the current one).
func (o *Objects) object(ctx context.Context, b storage.Bucket, key, version string) (object, error) {
	if err := ctx.Err(); err != nil {
		return object{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.bucket(b)
	if err != nil {
		return object{}, fmt.Errorf("%s: %w", key, err)
	}
	if version == "" {
		obj, ok := current(m, key)
		if !ok {
			return object{}, fmt.Errorf("%s/%s: %w", b, key, storage.ErrNotFound)
		}
		return obj, nil
	}
	for _, obj := range m[key] {
		if obj.version == version && !obj.deleted {
			return obj, nil
		}
	}
	return object{}, fmt.Errorf("%s/%s version %q: %w", b, key, version, storage.ErrNotFound)
}

func (o *Objects) Get(ctx context.Context, b storage.Bucket, key string) (io.ReadCloser, error) {
	return o.GetVersion(ctx, b, key, "")
}

func (o *Objects) GetVersion(ctx context.Context, b storage.Bucket, key, version string) (io.ReadCloser, error) {
	obj, err := o.object(ctx, b, key, version)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	return io.NopCloser(bytes.NewReader(obj.data)), nil
}

func (o *Objects) Stat(ctx context.Context, b storage.Bucket, key string) (storage.ObjectInfo, error) {
	obj, err := o.object(ctx, b, key, "")
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("stat: %w", err)
	}
	return info(key, obj), nil
}

func (o *Objects) Copy(ctx context.Context, from storage.Bucket, fromKey string, to storage.Bucket, toKey string) error {
	obj, err := o.object(ctx, from, fromKey, "")
	if err != nil {
		return fmt.Errorf("copy to %s/%s: %w", to, toKey, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.bucket(to)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", toKey, err)
	}
	obj.modified, obj.lock = time.Now(), storage.Lock{}
	o.add(m, to, toKey, obj)
	return nil
}

func (o *Objects) Delete(ctx context.Context, b storage.Bucket, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.bucket(b)
	if err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if !versioned(b) {
		delete(m, key)
	} else if _, ok := current(m, key); ok {
		// As in S3: a deletion on top; the versions under it, locked or not, stay.
		o.add(m, b, key, object{deleted: true, modified: time.Now()})
	}
	return nil
}

// List yields a snapshot taken when the listing starts, so the caller may write to the store while
// it ranges.
func (o *Objects) List(ctx context.Context, b storage.Bucket, prefix string) iter.Seq2[storage.ObjectInfo, error] {
	return func(yield func(storage.ObjectInfo, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(storage.ObjectInfo{}, fmt.Errorf("list %s/%s: %w", b, prefix, err))
			return
		}
		o.mu.Lock()
		m, err := o.bucket(b)
		var infos []storage.ObjectInfo
		for k := range m {
			if obj, ok := current(m, k); ok && strings.HasPrefix(k, prefix) {
				infos = append(infos, info(k, obj))
			}
		}
		o.mu.Unlock()
		if err != nil {
			yield(storage.ObjectInfo{}, fmt.Errorf("list %s: %w", prefix, err))
			return
		}
		slices.SortFunc(infos, func(a, b storage.ObjectInfo) int { return strings.Compare(a.Key, b.Key) })
		for _, i := range infos {
			if err := ctx.Err(); err != nil {
				yield(storage.ObjectInfo{}, fmt.Errorf("list %s/%s: %w", b, prefix, err))
				return
			}
			if !yield(i, nil) {
				return
			}
		}
	}
}

func (o *Objects) Ping(ctx context.Context) error { return ctx.Err() }
