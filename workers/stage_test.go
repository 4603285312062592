package workers

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/ocr/child"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

func TestADocumentGoesThroughEveryStage(t *testing.T) {
	r := newRig(t)
	doc := r.receive(t, "khai-sinh.png", scanPNG(t, 0))
	for id, err := range r.drain(t) {
		if err != nil {
			t.Errorf("task %s: %v", id, err)
		}
	}
	d := r.doc(t, doc.ID)
	if d.Status != storage.StatusDone || d.Code == "" || d.SignedKey != archiveKey(d.ID, d.Code) || d.SignedVersion == "" {
		t.Fatalf("document after the pipeline: %+v", d)
	}
	if !strings.HasPrefix(d.SignedKey, d.ID+"/") || !strings.HasSuffix(d.SignedKey, d.Code+".01.pdf") {
		t.Errorf("archive key %q is not the document's own, with the Thông tư 05 file name", d.SignedKey)
	}
	if r.signer.calls != 1 || r.ocr.count() != 1 {
		t.Errorf("signed %d times and read %d pages, want 1 and 1", r.signer.calls, r.ocr.count())
	}
}

// The retry schedule: failures that retrying can mend are retried by Asynq within the budget; a bad
// input or a refusal fails at once; the failure a person reads has a code and says whether a retry
// can help.
func TestFailuresByKind(t *testing.T) {
	cases := []struct {
		name      string
		ocrErr    error
		retried   int
		final     bool
		code      string
		retryable bool
	}{
		{"a crash, first time", &child.CrashError{PID: 7}, 0, false, "ocr_crash", true},
		{"a crash, retried enough", &child.CrashError{PID: 7}, pipeline.MaxOtherRetries, true, "ocr_crash", true},
		{"a dependency away, within the budget", fault.E("tesseract model store", fault.Unavailable, errors.New("refused")), 12, false, CodeUnavailable, true},
		{"a dependency away past the budget", fault.E("tesseract model store", fault.Unavailable, errors.New("refused")), 13, true, CodeUnavailable, true},
		{"a page that cannot be read", scanInput(), 0, true, "too_many_pixels", false},
		{"an unclassified error", errors.New("boom"), 0, false, CodeInternal, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.h.Patience = 3e9 // a dependency that stays away is given back to Asynq after a few seconds
			doc := r.receive(t, "a.png", scanPNG(t, 0))
			r.drainUntilPage(t)
			task, _ := r.queue.pop()
			r.ocr.err = c.ocrErr
			err := r.run(t, task, attempt{retried: c.retried, maxRetry: 13})
			if err == nil {
				t.Fatal("a failed page returned no error to Asynq")
			}
			if got := errors.Is(err, asynq.SkipRetry); got != c.final {
				t.Errorf("SkipRetry = %v, want %v (%v)", got, c.final, err)
			}
			d := r.doc(t, doc.ID)
			wantStatus := storage.StatusProcessing
			if c.final {
				wantStatus = storage.StatusFailed
			}
			if d.Status != wantStatus || d.ErrorCode != c.code || d.Error == "" || d.Retryable != (c.final && c.retryable) {
				t.Errorf("document: %s, code %q, retryable %v, reason %q; want %s, %q, retryable %v",
					d.Status, d.ErrorCode, d.Retryable, d.Error, wantStatus, c.code, c.final && c.retryable)
			}
			if strings.Contains(d.Error, "boom") || strings.Contains(d.Error, "refused") {
				t.Errorf("internals reached the person: %q", d.Error)
			}
		})
	}
}

func scanInput() error {
	return &scan.InputError{Code: scan.CodeTooManyPixels, Message: "Trang 1 quá lớn."}
}

// drainUntilPage runs the tasks before the first page task and leaves that one queued.
func (r *rig) drainUntilPage(t *testing.T) {
	t.Helper()
	for {
		ids := r.queue.ids()
		if len(ids) == 0 {
			t.Fatal("no page task was queued")
		}
		if strings.Contains(ids[0], ":ocr:") {
			return
		}
		task, _ := r.queue.pop()
		if err := r.run(t, task, attempt{maxRetry: 13}); err != nil {
			t.Fatalf("%s: %v", task.id, err)
		}
	}
}

// An outage shorter than a task's time is waited out in place: no attempt is spent, nothing read
// twice, and the document goes on as if nothing happened.
func TestOutagesAreWaitedOutInPlace(t *testing.T) {
	r := newRig(t)
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	r.drainUntilPage(t)
	r.objects.set("Get", 5)            // the page image cannot be read for a while
	r.records.set("PageRecognized", 4) // then the database is away when the page is recorded
	r.records.set("StartStage", 3)     // and when the next stages start
	r.queue.fail = 2                   // and Redis when the next stage is enqueued
	for id, err := range r.drain(t) {
		if err != nil {
			t.Errorf("task %s returned %v: an outage cost an attempt", id, err)
		}
	}
	if d := r.doc(t, doc.ID); d.Status != storage.StatusDone {
		t.Fatalf("after the outages: %s at %s: %s", d.Status, d.Stage, d.Error)
	}
	if n := r.ocr.count(); n != 1 {
		t.Errorf("the page was read %d times, want once", n)
	}
	if log := r.logs.String(); !strings.Contains(log, "waiting for a dependency") || !strings.Contains(log, "dependency back") {
		t.Error("the waits were not logged")
	}
}

// A page task cut off after it stored its result (the database went away, the worker died) reuses
// the result when it runs again instead of reading the page twice.
func TestAPageReadIsNotReadAgain(t *testing.T) {
	r := newRig(t)
	r.h.Patience = 3e9
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	r.drainUntilPage(t)
	task, _ := r.queue.pop()
	r.records.set("PageRecognized", 1000) // away for longer than the task's time
	if err := r.run(t, task, attempt{maxRetry: 13}); err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("a page that could not be recorded returned %v, want an error Asynq retries", err)
	}
	if !strings.Contains(r.logs.String(), "could not record the stage") {
		t.Error("the failure to record was not logged")
	}
	r.records.set("PageRecognized", 0)
	if err := r.run(t, task, attempt{retried: 1, maxRetry: 13}); err != nil {
		t.Fatal(err)
	}
	if n := r.ocr.count(); n != 1 {
		t.Errorf("the page was read %d times, want once", n)
	}
	r.drain(t)
	if d := r.doc(t, doc.ID); d.Status != storage.StatusDone {
		t.Errorf("%s at %s: %s", d.Status, d.Stage, d.Error)
	}
}

// A worker stopping under a page (the OCR pool closed) interrupts it: nothing is recorded as the
// document's error, and Asynq runs the page again.
func TestAStopIsNotAFailure(t *testing.T) {
	r := newRig(t)
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	r.drainUntilPage(t)
	task, _ := r.queue.pop()
	r.ocr.err = child.ErrClosed
	err := r.run(t, task, attempt{maxRetry: 13})
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("an interrupted page returned %v, want an error Asynq retries", err)
	}
	if d := r.doc(t, doc.ID); d.Error != "" || d.Status != storage.StatusProcessing {
		t.Errorf("an interrupted page left %s with error %q", d.Status, d.Error)
	}
	r.ocr.err = nil
	if err := r.run(t, task, attempt{retried: 1, maxRetry: 13}); err != nil {
		t.Fatal(err)
	}
}

func TestStaleAndForeignTasks(t *testing.T) {
	r := newRig(t)
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	r.drain(t)
	stale := queued{id: "stale", stage: pipeline.Ingest, p: pipeline.Payload{DocumentID: doc.ID, Run: 1}}
	if err := r.run(t, stale, attempt{maxRetry: 13}); err != nil {
		t.Errorf("a stale task returned %v, want it dropped", err)
	}
	foreign := queued{id: "foreign", stage: pipeline.Code, p: pipeline.Payload{DocumentID: "7f000000-0000-4000-8000-000000000000", Run: 1}}
	err := r.run(t, foreign, attempt{maxRetry: 13})
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("a task for a document the database does not know returned %v, want it refused (archived by Asynq)", err)
	}
	if !strings.Contains(r.logs.String(), "level=ERROR") || !strings.Contains(r.logs.String(), "refusing a task for a document") {
		t.Error("the foreign task was not refused loudly")
	}
}

// A document is signed once. A file at its archive key that an attempt of sohoa wrote before dying
// (its history says so) is adopted without signing again; any other file there — even one carrying
// this signer's valid signature over this PDF — fails the document and is left as it is.
func TestSignedOnce(t *testing.T) {
	t.Run("signing again is a no-op", func(t *testing.T) {
		r := newRig(t)
		doc := r.receive(t, "a.png", scanPNG(t, 0))
		r.drain(t)
		d := r.doc(t, doc.ID)
		if err := r.h.sign(t.Context(), d); err != nil || r.signer.calls != 1 {
			t.Errorf("sign of a signed document: %v, %d signatures", err, r.signer.calls)
		}
	})
	t.Run("the file an attempt wrote before dying is adopted", func(t *testing.T) {
		r, d := atSign(t)
		// The attempt archives, then cannot record it: when it runs again it finds its own file.
		r.records.set("SetSigned", 1)
		r.drain(t)
		got := r.doc(t, d.ID)
		if got.Status != storage.StatusDone || got.SignedKey != archiveKey(d.ID, d.Code) || r.signer.calls != 1 {
			t.Errorf("adopting its own file: %s, key %q, %d signatures (want 1)", got.Status, got.SignedKey, r.signer.calls)
		}
		if kept := readObject(t, r, storage.Archive, got.SignedKey); sum(kept) != got.SignedSHA256 {
			t.Error("the recorded SHA-256 is not the archived file's")
		}
	})
	for name, other := range map[string]func(r *rig, d storage.Document) []byte{
		"another file is never adopted nor replaced": func(*rig, storage.Document) []byte {
			return []byte("%PDF-1.7 another citizen's signed file")
		},
		"a file sohoa did not write is not adopted, even with its own signature": func(r *rig, d storage.Document) []byte {
			own, _ := r.signer.Sign(t.Context(), readObject(t, r, storage.Work, d.PDFKey), nil)
			r.signer.calls = 0
			return own
		},
	} {
		t.Run(name, func(t *testing.T) {
			r, d := atSign(t)
			other := other(r, d)
			putArchive(t, r, archiveKey(d.ID, d.Code), other)
			results := r.drain(t)
			got := r.doc(t, d.ID)
			if got.Status != storage.StatusFailed || got.ErrorCode != CodeConflict || got.SignedKey != "" || got.Retryable {
				t.Errorf("meeting another file: %s, code %q, signed key %q, retryable %v", got.Status, got.ErrorCode, got.SignedKey, got.Retryable)
			}
			if err := results[pipeline.TaskID(pipeline.Sign, pipeline.Payload{DocumentID: d.ID, Run: 1})]; !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("sign returned %v, want a final failure", err)
			}
			if kept := readObject(t, r, storage.Archive, archiveKey(d.ID, d.Code)); !bytes.Equal(kept, other) {
				t.Error("the file found in the archive was changed")
			}
			if r.signer.calls != 0 {
				t.Errorf("signed %d times next to a file it does not adopt", r.signer.calls)
			}
		})
	}
}

// atSign returns a rig whose one document's next task is sign.
func atSign(t *testing.T) (*rig, storage.Document) {
	t.Helper()
	r := newRig(t)
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	for {
		ids := r.queue.ids()
		if len(ids) == 0 {
			t.Fatal("the document never reached sign")
		}
		if strings.HasSuffix(ids[0], ":sign") {
			return r, r.doc(t, doc.ID)
		}
		task, _ := r.queue.pop()
		if err := r.run(t, task, attempt{maxRetry: 13}); err != nil {
			t.Fatal(err)
		}
	}
}

func readObject(t *testing.T, r *rig, b storage.Bucket, key string) []byte {
	t.Helper()
	data, err := r.h.read(t.Context(), b, key)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func putArchive(t *testing.T, r *rig, key string, data []byte) {
	t.Helper()
	if _, err := r.objects.PutNew(t.Context(), storage.Archive, key, bytes.NewReader(data), int64(len(data)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
}

// Retrying a failed document starts a new run at the stage that failed, and it then succeeds.
func TestRetryThenSuccess(t *testing.T) {
	r := newRig(t)
	doc := r.receive(t, "a.png", scanPNG(t, 0))
	r.drainUntilPage(t)
	task, _ := r.queue.pop()
	r.ocr.err = &child.CrashError{PID: 9}
	if err := r.run(t, task, attempt{retried: pipeline.MaxOtherRetries, maxRetry: 13}); !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("the last attempt returned %v", err)
	}
	d, err := r.records.Retry(t.Context(), doc.ID)
	if err != nil || d.Run != 2 || d.Stage != string(pipeline.OCR) {
		t.Fatalf("Retry = %+v, %v", d, err)
	}
	r.ocr.err = nil
	if _, err := r.queue.Enqueue(t.Context(), pipeline.OCR, pipeline.Payload{DocumentID: d.ID, Run: d.Run}); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	if d := r.doc(t, doc.ID); d.Status != storage.StatusDone || d.Run != 2 {
		t.Errorf("after the retry: %s in run %d: %s", d.Status, d.Run, d.Error)
	}
}
