package workers

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/pdfa"
	"github.com/sohoa-vn/sohoa/storage"
)

// A signed file is archived locked for its paper's retention: the maintenance code of its kind,
// written into its PDF, ten years for a kind not listed, a legal hold for a permanent one.
func TestSignedFilesAreLocked(t *testing.T) {
	for _, c := range []struct {
		kind, code string
		years      int
		hold       bool
	}{
		{"", "06", 10, false},
		{"Giấy khai sinh", "01", 0, true},
	} {
		r, d := atSign(t)
		if c.kind != "" {
			kind := c.kind
			if err := r.h.Dossiers.SetPaper(t.Context(), d.ID, storage.PaperFields{Kind: &kind}, storage.Actor{Name: "cán bộ"}); err != nil {
				t.Fatal(err)
			}
			// The PDF is built again with the kind now known, as a retry of pdfa would.
			if err := r.h.pdfa(t.Context(), r.doc(t, d.ID)); err != nil {
				t.Fatal(err)
			}
		}
		r.drain(t)
		got := r.doc(t, d.ID)
		if got.Status != storage.StatusDone {
			t.Fatalf("%q: %s %s", c.kind, got.Status, got.Error)
		}
		st, err := r.objects.Stat(t.Context(), storage.Archive, got.SignedKey)
		if err != nil {
			t.Fatal(err)
		}
		want := storage.Lock{Hold: c.hold}
		if c.years > 0 {
			want.Until = r.clock.Now().AddDate(c.years, 0, 0)
		}
		if !st.Lock.Until.Equal(want.Until) || st.Lock.Hold != want.Hold || st.VersionID != got.SignedVersion {
			t.Errorf("%q: archived %+v; want version %s locked %+v", c.kind, st, got.SignedVersion, want)
		}
		if m := pdfa.MaintenanceOf(readObject(t, r, storage.Archive, got.SignedKey)); m != c.code {
			t.Errorf("%q: the signed PDF says maintenance %q, want %s", c.kind, m, c.code)
		}
	}
}

// An original whose bytes are not those of its SHA-256 is never split: the document fails with
// fixity_mismatch, and the history and the log say so.
func TestIngestChecksTheOriginal(t *testing.T) {
	r := newRig(t)
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	swapped := scanPNG(t, 40)
	if _, err := r.objects.Put(t.Context(), storage.Work, doc.OriginalKey, bytes.NewReader(swapped), int64(len(swapped)), "image/png"); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	got := r.doc(t, doc.ID)
	if got.Status != storage.StatusFailed || got.ErrorCode != "fixity_mismatch" || got.Retryable || got.Pages != 0 {
		t.Errorf("an original swapped under its SHA-256: %s, code %q, retryable %v, %d pages", got.Status, got.ErrorCode, got.Retryable, got.Pages)
	}
	if !findingLogged(t, r, doc.ID, ProblemMismatch) {
		t.Error("no fixity.mismatch event in the history")
	}
	if !strings.Contains(r.logs.String(), "level=ERROR msg=\"fixity: a stored file is not what was recorded\"") {
		t.Error("no fixity error in the log")
	}
}

func findingLogged(t *testing.T, r *rig, docID, problem string) bool {
	t.Helper()
	events, err := r.h.Dossiers.History(t.Context(), "", docID)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(events, func(e storage.Event) bool { return e.Action == FixityAction && e.Detail["problem"] == problem })
}

// The sweep re-hashes every signed file by its recorded version and reports what is not as recorded.
func TestFixitySweep(t *testing.T) {
	r := newRig(t)
	var ids []string
	for i := range 4 {
		ids = append(ids, r.receive(t, "a.png", scanPNG(t, i*10)).ID)
	}
	r.drain(t)
	ctx := t.Context()
	docs := map[string]storage.Document{}
	for _, id := range ids {
		docs[id] = r.doc(t, id)
	}
	// 0 stays intact; 1 gets a version put on top; 2's record names a version that is not there;
	// 3's record names a SHA-256 its version does not have.
	put := func(key, body string) {
		if _, err := r.objects.Put(ctx, storage.Archive, key, strings.NewReader(body), int64(len(body)), "application/pdf"); err != nil {
			t.Fatal(err)
		}
	}
	put(docs[ids[1]].SignedKey, "%PDF-1.7 swapped")
	d2, d3 := docs[ids[2]], docs[ids[3]]
	must(t, r.records.SetSigned(ctx, d2.ID, storage.SignedFile{Key: d2.SignedKey, VersionID: "999", SHA256: d2.SignedSHA256}))
	must(t, r.records.SetSigned(ctx, d3.ID, storage.SignedFile{Key: d3.SignedKey, VersionID: d3.SignedVersion, SHA256: strings.Repeat("0", 64)}))

	f := &Fixity{Records: r.records, Objects: r.objects, Events: r.h.Dossiers, Interval: time.Hour, Clock: r.clock, Log: r.h.Log}
	checked, found, err := f.Once(ctx)
	if err != nil || checked != 4 {
		t.Fatalf("Once = %d checked, %v", checked, err)
	}
	problems := map[string]string{}
	for _, fd := range found {
		problems[fd.DocumentID] = fd.Problem
	}
	want := map[string]string{ids[1]: ProblemReplaced, ids[2]: ProblemMissing, ids[3]: ProblemMismatch}
	if len(problems) != len(want) {
		t.Errorf("findings %v, want %v", problems, want)
	}
	for id, p := range want {
		if problems[id] != p || !findingLogged(t, r, id, p) {
			t.Errorf("document %s: found %q (want %q), or no event", id, problems[id], p)
		}
	}
	if findingLogged(t, r, ids[0], ProblemMismatch) {
		t.Error("the intact file was reported")
	}

	// A store that does not answer cuts the sweep short with an error, never a clean report.
	r.objects.set("GetVersion", 1)
	if _, _, err := f.Once(ctx); err == nil {
		t.Error("a sweep that could not read a file reported no error")
	}
}

// The sweep runs every interval on its clock, not at start.
func TestFixityRunsEveryInterval(t *testing.T) {
	r := newRig(t)
	calls := make(chan struct{}, 1)
	f := &Fixity{Records: listerFunc(func() { calls <- struct{}{} }), Objects: r.objects, Events: r.h.Dossiers,
		Interval: time.Hour, Clock: r.clock, Log: r.h.Log}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- f.Run(ctx) }()
	for range 2 {
		r.clock.BlockUntil(1)
		select {
		case <-calls:
			t.Fatal("the sweep ran before its interval")
		default:
		}
		r.clock.Advance(time.Hour)
		<-calls
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

type listerFunc func()

func (l listerFunc) Signed(context.Context, string, int) ([]storage.Document, error) {
	l()
	return nil, nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
