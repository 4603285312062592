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
// do, and refuses one whose length is not the size given. The archive keeps only the newest version of
// a key: the interface has no way to read older ones.
type Objects struct {
	mu       sync.Mutex
	buckets  map[storage.Bucket]map[string]object
	versions int // last version given in the archive
	uploads  []upload
}

type object struct {
	data        []byte // never changed once stored
	contentType string
	modified    time.Time
	version     string // archive only
}

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
func NewObjects() *Objects { return &Objects{buckets: map[storage.Bucket]map[string]object{}} }

func (o *Objects) Ensure(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, b := range storage.Buckets() {
		if o.buckets[b] == nil {
			o.buckets[b] = map[string]object{}
		}
	}
	return nil
}

// bucket returns b's objects; the caller holds the lock.
func (o *Objects) bucket(b storage.Bucket) (map[string]object, error) {
	m, ok := o.buckets[b]
	if !ok {
		return nil, fmt.Errorf("bucket %s: %w (Ensure has not created it)", b, storage.ErrNotFound)
	}
	return m, nil
}

func (o *Objects) Put(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, contentType string) (storage.ObjectInfo, error) {
	return o.put(ctx, b, key, r, size, contentType, false)
}

func (o *Objects) PutNew(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, contentType string) (storage.ObjectInfo, error) {
	return o.put(ctx, b, key, r, size, contentType, true)
}

func (o *Objects) put(ctx context.Context, b storage.Bucket, key string, r io.Reader, size int64, contentType string, onlyNew bool) (storage.ObjectInfo, error) {
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
	if _, ok := m[key]; ok && onlyNew {
		return storage.ObjectInfo{}, fmt.Errorf("put new %s/%s: %w", b, key, storage.ErrExists)
	}
	obj := object{data: data, contentType: contentType, modified: time.Now()}
	if b == storage.Archive {
		o.versions++
		obj.version = fmt.Sprint(o.versions)
	}
	m[key] = obj
	return info(key, obj), nil
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
		LastModified: obj.modified}
}

func (o *Objects) object(ctx context.Context, b storage.Bucket, key string) (object, error) {
	if err := ctx.Err(); err != nil {
		return object{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.bucket(b)
	if err != nil {
		return object{}, fmt.Errorf("%s: %w", key, err)
	}
	obj, ok := m[key]
	if !ok {
		return object{}, fmt.Errorf("%s/%s: %w", b, key, storage.ErrNotFound)
	}
	return obj, nil
}

func (o *Objects) Get(ctx context.Context, b storage.Bucket, key string) (io.ReadCloser, error) {
	obj, err := o.object(ctx, b, key)
	if err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	return io.NopCloser(bytes.NewReader(obj.data)), nil
}

func (o *Objects) Stat(ctx context.Context, b storage.Bucket, key string) (storage.ObjectInfo, error) {
	obj, err := o.object(ctx, b, key)
	if err != nil {
		return storage.ObjectInfo{}, fmt.Errorf("stat: %w", err)
	}
	return info(key, obj), nil
}

func (o *Objects) Copy(ctx context.Context, from storage.Bucket, fromKey string, to storage.Bucket, toKey string) error {
	obj, err := o.object(ctx, from, fromKey)
	if err != nil {
		return fmt.Errorf("copy to %s/%s: %w", to, toKey, err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	m, err := o.bucket(to)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", toKey, err)
	}
	obj.modified = time.Now()
	m[toKey] = obj
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
	delete(m, key)
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
		for k, obj := range m {
			if strings.HasPrefix(k, prefix) {
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
