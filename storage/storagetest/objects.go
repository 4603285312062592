package storagetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/storage"
)

// ObjectsBackend is how the Objects suite reaches a backend.
type ObjectsBackend struct {
	// Open returns, for each subtest, a new store whose buckets do not exist yet, and arranges its
	// closing with t.Cleanup.
	Open func(t *testing.T) storage.Objects
	// BeginUpload starts a multipart upload of key into b that is never completed, as a writer that
	// crashed half-way leaves one.
	BeginUpload func(t *testing.T, o storage.Objects, b storage.Bucket, key string)
}

// Objects runs the conformance suite of storage.Objects on be.
func Objects(t *testing.T, be ObjectsBackend) {
	for _, c := range []struct {
		name string
		test func(*testing.T, storage.Objects)
	}{
		{"put new creates only", objectsPutNew},
		{"concurrent puts of a new key: at most one wins", objectsPutNewConcurrent},
		{"archive versions", objectsVersions},
		{"versions are read by their ID, whatever came after", objectsGetVersion},
		{"put locked", objectsPutLocked},
		{"verified reads", objectsReadVerified},
		{"abandoned uploads are aborted", func(t *testing.T, o storage.Objects) { objectsAbortUploads(t, o, be.BeginUpload) }},
		{"ensure and ping", objectsEnsure},
		{"put streams an object of unknown size", objectsPutStream},
		{"put replaces", objectsPutReplaces},
		{"a failed put stores nothing", objectsPutFails},
		{"missing objects", objectsMissing},
		{"copy", objectsCopy},
		{"delete", objectsDelete},
		{"list in key order", objectsList},
		{"concurrent puts", objectsConcurrent},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := be.Open(t)
			must(t, o.Ensure(t.Context()))
			c.test(t, o)
		})
	}
}

func put(t *testing.T, o storage.Objects, b storage.Bucket, key, body, contentType string) storage.ObjectInfo {
	t.Helper()
	info, err := o.Put(t.Context(), b, key, strings.NewReader(body), int64(len(body)), contentType)
	must(t, err)
	return info
}

func read(t *testing.T, o storage.Objects, b storage.Bucket, key string) string {
	t.Helper()
	r, err := o.Get(t.Context(), b, key)
	must(t, err)
	defer r.Close()
	got, err := io.ReadAll(r)
	must(t, err)
	return string(got)
}

func keys(t *testing.T, o storage.Objects, b storage.Bucket, prefix string) []string {
	t.Helper()
	var ks []string
	for oi, err := range o.List(t.Context(), b, prefix) {
		must(t, err)
		ks = append(ks, oi.Key)
	}
	return ks
}

func objectsEnsure(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	if err := o.Ensure(ctx); err != nil {
		t.Fatalf("second Ensure: %v", err)
	}
	if err := o.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	for _, b := range storage.Buckets() {
		put(t, o, b, "k", "x", "text/plain")
		if got := read(t, o, b, "k"); got != "x" {
			t.Errorf("bucket %s holds %q", b, got)
		}
	}
	if err := o.Ensure(ctx); err != nil {
		t.Fatalf("Ensure with objects in the buckets: %v", err)
	}
	if got := read(t, o, storage.Work, "k"); got != "x" {
		t.Errorf("Ensure lost an object: %q", got)
	}
}

func objectsPutStream(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	body := strings.Repeat("số hóa ", 1000)
	// A reader that is no strings.Reader hides its length, as a network body does.
	info, err := o.Put(ctx, storage.Work, "a/b.txt", io.MultiReader(strings.NewReader(body)), -1, "text/plain")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(body)) || info.Key != "a/b.txt" {
		t.Errorf("Put = %+v, want size %d", info, len(body))
	}
	st, err := o.Stat(ctx, storage.Work, "a/b.txt")
	if err != nil || st.Size != int64(len(body)) || st.ContentType != "text/plain" || st.Key != "a/b.txt" || st.LastModified.IsZero() {
		t.Errorf("Stat = %+v, %v", st, err)
	}
	if got := read(t, o, storage.Work, "a/b.txt"); got != body {
		t.Error("Get returned other bytes than were put")
	}
}

func objectsPutReplaces(t *testing.T, o storage.Objects) {
	for _, b := range []storage.Bucket{storage.Work, storage.Archive} {
		put(t, o, b, "x.pdf", "bản một", "application/pdf")
		put(t, o, b, "x.pdf", "bản hai, dài hơn", "application/pdf")
		if got := read(t, o, b, "x.pdf"); got != "bản hai, dài hơn" {
			t.Errorf("%s: Get after a second Put = %q, want the second", b, got)
		}
		if st, err := o.Stat(t.Context(), b, "x.pdf"); err != nil || st.Size != int64(len("bản hai, dài hơn")) {
			t.Errorf("%s: Stat after a second Put = %+v, %v", b, st, err)
		}
		if ks := keys(t, o, b, ""); fmt.Sprint(ks) != "[x.pdf]" {
			t.Errorf("%s: List after a second Put = %v, want one key", b, ks)
		}
	}
}

type failingReader struct{ n int }

var errRead = errors.New("connection reset by the scanner")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errRead
	}
	n := min(len(p), f.n)
	for i := range n {
		p[i] = 'x'
	}
	f.n -= n
	return n, nil
}

func objectsPutFails(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	for _, size := range []int64{-1, 4096} {
		key := fmt.Sprint("broken", size)
		if _, err := o.Put(ctx, storage.Inbox, key, &failingReader{n: 1000}, size, ""); err == nil {
			t.Errorf("Put (size %d) of a reader that fails succeeded", size)
		}
		if _, err := o.Stat(ctx, storage.Inbox, key); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("after a failed Put (size %d), Stat = %v; want ErrNotFound", size, err)
		}
	}
}

func objectsMissing(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	r, err := o.Get(ctx, storage.Work, "missing")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get(missing) = %v, want ErrNotFound", err)
	}
	if r != nil {
		t.Error("Get(missing) returned a reader")
	}
	if _, err := o.Stat(ctx, storage.Work, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat(missing) = %v, want ErrNotFound", err)
	}
	if err := o.Copy(ctx, storage.Work, "missing", storage.Archive, "x"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Copy(missing) = %v, want ErrNotFound", err)
	}
	if _, err := o.Stat(ctx, storage.Archive, "x"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a failed Copy made its target: %v", err)
	}
	// A key in one bucket is not in another.
	put(t, o, storage.Inbox, "only-inbox", "x", "")
	if _, err := o.Get(ctx, storage.Work, "only-inbox"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get from another bucket = %v, want ErrNotFound", err)
	}
}

func objectsCopy(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	body := strings.Repeat("số hóa ", 1000)
	put(t, o, storage.Work, "a/b.txt", body, "text/plain")
	if err := o.Copy(ctx, storage.Work, "a/b.txt", storage.Archive, "c.txt"); err != nil {
		t.Fatal(err)
	}
	if st, err := o.Stat(ctx, storage.Archive, "c.txt"); err != nil || st.Size != int64(len(body)) || st.ContentType != "text/plain" {
		t.Errorf("Stat of copy = %+v, %v", st, err)
	}
	if got := read(t, o, storage.Archive, "c.txt"); got != body {
		t.Error("the copy holds other bytes")
	}
	if got := read(t, o, storage.Work, "a/b.txt"); got != body {
		t.Error("the source changed with its copy")
	}
	// Copying onto an existing key replaces it; copying within a bucket works too.
	put(t, o, storage.Work, "d.txt", "khác", "text/plain")
	if err := o.Copy(ctx, storage.Work, "d.txt", storage.Work, "a/b.txt"); err != nil {
		t.Fatal(err)
	}
	if got := read(t, o, storage.Work, "a/b.txt"); got != "khác" {
		t.Errorf("a copy onto an existing key left %q", got)
	}
}

func objectsDelete(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	for _, k := range []string{"l/1", "l/2"} {
		put(t, o, storage.Inbox, k, k, "")
	}
	if err := o.Delete(ctx, storage.Inbox, "l/1"); err != nil {
		t.Fatal(err)
	}
	if err := o.Delete(ctx, storage.Inbox, "l/1"); err != nil {
		t.Errorf("deleting a missing object: %v", err)
	}
	if err := o.Delete(ctx, storage.Work, "never-there"); err != nil {
		t.Errorf("deleting an object that never was: %v", err)
	}
	if _, err := o.Stat(ctx, storage.Inbox, "l/1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat after Delete = %v", err)
	}
	if _, err := o.Get(ctx, storage.Inbox, "l/1"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get after Delete = %v", err)
	}
	if ks := keys(t, o, storage.Inbox, ""); fmt.Sprint(ks) != "[l/2]" {
		t.Errorf("List after Delete = %v", ks)
	}
}

func objectsList(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	for _, k := range []string{"l/3", "m/1", "l/1", "l/10", "l/2", "l/a/b", "lx", "l/ả"} {
		if _, err := o.Put(ctx, storage.Inbox, k, bytes.NewReader([]byte(k)), int64(len(k)), ""); err != nil {
			t.Fatal(err)
		}
	}
	var ks []string
	for oi, err := range o.List(ctx, storage.Inbox, "l/") {
		if err != nil {
			t.Fatal(err)
		}
		if oi.Size != int64(len(oi.Key)) {
			t.Errorf("List gives %s size %d, want %d", oi.Key, oi.Size, len(oi.Key))
		}
		ks = append(ks, oi.Key)
	}
	if got := strings.Join(ks, ","); got != "l/1,l/10,l/2,l/3,l/a/b,l/ả" {
		t.Errorf("List(l/) = %v", got)
	}
	if got := strings.Join(keys(t, o, storage.Inbox, ""), ","); got != "l/1,l/10,l/2,l/3,l/a/b,l/ả,lx,m/1" {
		t.Errorf("List() = %v", got)
	}
	if ks := keys(t, o, storage.Inbox, "z/"); len(ks) != 0 {
		t.Errorf("List(z/) = %v, want nothing", ks)
	}
	if ks := keys(t, o, storage.Work, ""); len(ks) != 0 {
		t.Errorf("List of the empty work bucket = %v", ks)
	}
	for range o.List(ctx, storage.Inbox, "") {
		break // an early break must not leak or block
	}

	// A cancelled listing ends with an error, not with a silently short list.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var last error
	n := 0
	for _, err := range o.List(cancelled, storage.Inbox, "") {
		n++
		last = err
	}
	if last == nil {
		t.Errorf("List with a cancelled context yielded %d objects and no error", n)
	}
}

func objectsConcurrent(t *testing.T, o storage.Objects) {
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k := fmt.Sprintf("p/%02d", i)
			if _, err := o.Put(t.Context(), storage.Work, k, strings.NewReader(k), -1, ""); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ks := keys(t, o, storage.Work, "p/")
	if len(ks) != n {
		t.Fatalf("%d objects after %d concurrent puts: %v", len(ks), n, ks)
	}
	for i, k := range ks {
		if want := fmt.Sprintf("p/%02d", i); k != want || read(t, o, storage.Work, k) != want {
			t.Errorf("object %d is %s", i, k)
		}
	}
}

func objectsPutNew(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	if _, err := o.PutNew(ctx, storage.Archive, "a/1.pdf", strings.NewReader("first"), 5, "application/pdf"); err != nil {
		t.Fatal(err)
	}
	_, err := o.PutNew(ctx, storage.Archive, "a/1.pdf", strings.NewReader("second"), 6, "application/pdf")
	if !errors.Is(err, storage.ErrExists) || !errors.Is(err, fault.Conflict) {
		t.Errorf("PutNew over an object = %v, want ErrExists, a fault.Conflict", err)
	}
	if got := read(t, o, storage.Archive, "a/1.pdf"); got != "first" {
		t.Errorf("the object was replaced: %q", got)
	}
	if _, err := o.PutNew(ctx, storage.Work, "w", strings.NewReader("x"), -1, ""); err != nil {
		t.Errorf("PutNew of unknown size: %v", err)
	}
}

func objectsPutNewConcurrent(t *testing.T, o storage.Objects) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		won  []string
		errs []error
	)
	for i := range 6 {
		wg.Go(func() {
			body := fmt.Sprint("bản ", i)
			_, err := o.PutNew(t.Context(), storage.Archive, "race.pdf", strings.NewReader(body), int64(len(body)), "application/pdf")
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				won = append(won, body)
			} else if !errors.Is(err, storage.ErrExists) {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("PutNew failed otherwise than ErrExists: %v", errs)
	}
	if len(won) != 1 {
		t.Fatalf("%d concurrent PutNew calls won, want exactly 1: %v", len(won), won)
	}
	if got := read(t, o, storage.Archive, "race.pdf"); got != won[0] {
		t.Errorf("the object holds %q, the winner wrote %q", got, won[0])
	}
}

func objectsVersions(t *testing.T, o storage.Objects) {
	first := put(t, o, storage.Archive, "v.pdf", "một", "application/pdf")
	second := put(t, o, storage.Archive, "v.pdf", "hai", "application/pdf")
	if first.VersionID == "" || second.VersionID == "" || first.VersionID == second.VersionID {
		t.Errorf("archive versions %q then %q, want two distinct ones", first.VersionID, second.VersionID)
	}
	info, err := o.Stat(t.Context(), storage.Archive, "v.pdf")
	must(t, err)
	if info.VersionID != second.VersionID {
		t.Errorf("Stat gives version %q, the latest is %q", info.VersionID, second.VersionID)
	}
	// The work bucket keeps versions too: an original put over is not lost.
	w1, w2 := put(t, o, storage.Work, "originals/x", "một", ""), put(t, o, storage.Work, "originals/x", "hai", "")
	if w1.VersionID == "" || w1.VersionID == w2.VersionID {
		t.Errorf("work versions %q then %q, want two distinct ones", w1.VersionID, w2.VersionID)
	}
}

func readVersion(t *testing.T, o storage.Objects, b storage.Bucket, key, version string) (string, error) {
	t.Helper()
	r, err := o.GetVersion(t.Context(), b, key, version)
	if err != nil {
		return "", err
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	return string(got), err
}

func objectsGetVersion(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	first := put(t, o, storage.Archive, "g.pdf", "bản ký", "application/pdf")
	put(t, o, storage.Archive, "g.pdf", "bản tráo", "application/pdf")
	if got, err := readVersion(t, o, storage.Archive, "g.pdf", first.VersionID); err != nil || got != "bản ký" {
		t.Errorf("GetVersion(first) = %q, %v; want the first bytes", got, err)
	}
	if got, err := readVersion(t, o, storage.Archive, "g.pdf", ""); err != nil || got != "bản tráo" {
		t.Errorf("GetVersion(\"\") = %q, %v; want the current bytes", got, err)
	}
	// A deletion on top hides the key, never the versions under it.
	must(t, o.Delete(ctx, storage.Archive, "g.pdf"))
	if _, err := o.Stat(ctx, storage.Archive, "g.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Stat after Delete = %v, want ErrNotFound", err)
	}
	if got, err := readVersion(t, o, storage.Archive, "g.pdf", first.VersionID); err != nil || got != "bản ký" {
		t.Errorf("GetVersion(first) after Delete = %q, %v; want the first bytes", got, err)
	}
	if ks := keys(t, o, storage.Archive, ""); len(ks) != 0 {
		t.Errorf("List after Delete = %v, want nothing", ks)
	}
	for _, v := range []string{"", "00000000-0000-0000-0000-000000000000", "not-a-version"} {
		if _, err := readVersion(t, o, storage.Archive, "g.pdf", v); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("GetVersion(%q) of a deleted key = %v, want ErrNotFound", v, err)
		}
	}
	if _, err := readVersion(t, o, storage.Archive, "never.pdf", first.VersionID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("GetVersion of a key that never was = %v, want ErrNotFound", err)
	}
}

func objectsPutLocked(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	// A day: the shortest a test may leave behind, and the server's data is a temporary directory.
	until := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	for _, c := range []struct {
		key  string
		lock storage.Lock
	}{
		{"ret.pdf", storage.Lock{Until: until}},
		{"hold.pdf", storage.Lock{Hold: true}},
		{"both.pdf", storage.Lock{Until: until, Hold: true}},
	} {
		body := "bản ký " + c.key
		info, err := o.PutLocked(ctx, storage.Archive, c.key, strings.NewReader(body), int64(len(body)), "application/pdf", c.lock)
		if err != nil {
			t.Fatalf("PutLocked(%s, %+v): %v", c.key, c.lock, err)
		}
		if info.VersionID == "" {
			t.Errorf("PutLocked(%s) gave no version", c.key)
		}
		st, err := o.Stat(ctx, storage.Archive, c.key)
		must(t, err)
		if !st.Lock.Until.Equal(c.lock.Until) || st.Lock.Hold != c.lock.Hold || st.VersionID != info.VersionID {
			t.Errorf("Stat(%s) = %+v; want version %s locked %+v", c.key, st, info.VersionID, c.lock)
		}
		_, err = o.PutLocked(ctx, storage.Archive, c.key, strings.NewReader("khác"), int64(len("khác")), "application/pdf", c.lock)
		if !errors.Is(err, storage.ErrExists) {
			t.Errorf("PutLocked over %s = %v, want ErrExists", c.key, err)
		}
		if got := read(t, o, storage.Archive, c.key); got != body {
			t.Errorf("%s holds %q after a refused PutLocked", c.key, got)
		}
	}
	if _, err := o.PutLocked(ctx, storage.Archive, "none.pdf", strings.NewReader("x"), 1, "", storage.Lock{}); err == nil {
		t.Error("PutLocked with a lock that locks nothing succeeded")
	}
	if _, err := o.PutLocked(ctx, storage.Work, "w.pdf", strings.NewReader("x"), 1, "", storage.Lock{Until: until}); err == nil {
		t.Error("PutLocked in the work bucket, which has no object lock, succeeded")
	}
	if _, err := o.Stat(ctx, storage.Archive, "none.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused PutLocked stored none.pdf: %v", err)
	}
	if _, err := o.Stat(ctx, storage.Work, "w.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a refused PutLocked stored w.pdf in the work bucket: %v", err)
	}
}

func objectsReadVerified(t *testing.T, o storage.Objects) {
	ctx := t.Context()
	body := strings.Repeat("bản ký số ", 2000)
	sum := sha256.Sum256([]byte(body))
	want := hex.EncodeToString(sum[:])
	v := put(t, o, storage.Archive, "f.pdf", body, "application/pdf")
	readAll := func(version, sha string) (string, error) {
		r, err := storage.ReadVerified(ctx, o, storage.Archive, "f.pdf", version, sha)
		if err != nil {
			return "", err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return string(b), err
	}
	if got, err := readAll(v.VersionID, want); err != nil || got != body {
		t.Errorf("ReadVerified of the right bytes = %d bytes, %v", len(got), err)
	}
	other := sha256.Sum256([]byte("khác"))
	_, err := readAll(v.VersionID, hex.EncodeToString(other[:]))
	if !errors.Is(err, storage.ErrFixity) || !errors.Is(err, fault.Conflict) {
		t.Errorf("ReadVerified of bytes that hash otherwise = %v; want ErrFixity, a fault.Conflict", err)
	}
	if code, _, _ := fault.Reason(err); code != "fixity_mismatch" {
		t.Errorf("its code is %q, want fixity_mismatch", code)
	}
	// A version put over it changes nothing to a read by version.
	put(t, o, storage.Archive, "f.pdf", "bản tráo", "application/pdf")
	if got, err := readAll(v.VersionID, want); err != nil || got != body {
		t.Errorf("ReadVerified by version after a put over it = %d bytes, %v", len(got), err)
	}
	if _, err := readAll("", want); !errors.Is(err, storage.ErrFixity) {
		t.Errorf("ReadVerified of the current, swapped version = %v, want ErrFixity", err)
	}
	if _, err := readAll(v.VersionID, ""); err == nil || errors.Is(err, storage.ErrFixity) {
		t.Errorf("ReadVerified with no SHA-256 to check = %v, want a plain refusal", err)
	}
	if _, err := storage.ReadVerified(ctx, o, storage.Archive, "missing.pdf", "", want); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ReadVerified of a missing object = %v, want ErrNotFound", err)
	}
}

func objectsAbortUploads(t *testing.T, o storage.Objects, begin func(*testing.T, storage.Objects, storage.Bucket, string)) {
	ctx := t.Context()
	begin(t, o, storage.Inbox, "api/crashed/scan.pdf")
	if n, err := o.AbortUploads(ctx, storage.Inbox, time.Hour); err != nil || n != 0 {
		t.Errorf("AbortUploads(older than an hour) = %d, %v; a young upload must be left alone", n, err)
	}
	if n, err := o.AbortUploads(ctx, storage.Work, 0); err != nil || n != 0 {
		t.Errorf("AbortUploads of another bucket = %d, %v", n, err)
	}
	if n, err := o.AbortUploads(ctx, storage.Inbox, 0); err != nil || n != 1 {
		t.Errorf("AbortUploads = %d, %v; want the one upload abandoned", n, err)
	}
	if n, err := o.AbortUploads(ctx, storage.Inbox, 0); err != nil || n != 0 {
		t.Errorf("AbortUploads again = %d, %v; want none left", n, err)
	}
}
