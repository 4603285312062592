package pipeline

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestOrder(t *testing.T) {
	var got []Stage
	for s, ok := First, true; ok; s, ok = s.Next() {
		got = append(got, s)
	}
	want := []Stage{Ingest, OCR, Code, PDFA, Sign, Index}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("walking Next from First gives %v, want %v", got, want)
	}
	for _, s := range want {
		p, err := Parse(string(s))
		if err != nil || p != s {
			t.Errorf("Parse(%q) = %q, %v", s, p, err)
		}
	}
	if _, err := Parse("print"); err == nil {
		t.Error("Parse accepted an unknown stage")
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	p := Payload{DocumentID: "0b4c5a43-6c0e-4e0c-9d45-0d8f0e6f4b21", Run: 2}
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	q, err := DecodePayload(b)
	if err != nil || q != p {
		t.Fatalf("DecodePayload(%s) = %+v, %v", b, q, err)
	}
	for _, bad := range []string{`{}`, `{"document_id":"x","run":0}`, `not json`} {
		if _, err := DecodePayload([]byte(bad)); err == nil {
			t.Errorf("DecodePayload(%s) accepted it", bad)
		}
	}
	if _, err := (Payload{}).Encode(); err == nil {
		t.Error("Encode accepted an empty payload")
	}
}

func TestTaskIDDiffersByRunAndStage(t *testing.T) {
	p := Payload{DocumentID: "d", Run: 1}
	ids := map[string]bool{TaskID(OCR, p): true, TaskID(Sign, p): true, TaskID(OCR, Payload{DocumentID: "d", Run: 2}): true}
	if len(ids) != 3 {
		t.Fatalf("task IDs collide: %v", ids)
	}
	pages := map[string]bool{}
	for n := 1; n <= 3; n++ {
		pages[PageTaskID(Payload{DocumentID: "d", Run: 1, Page: n})] = true
	}
	if len(pages) != 3 || pages[TaskID(OCR, p)] {
		t.Fatalf("page task IDs collide: %v", pages)
	}
	if TaskID(OCR, p) != TaskID(OCR, p) {
		t.Fatal("task ID is not deterministic")
	}
}

func TestFinal(t *testing.T) {
	transient := errors.New("connection reset")
	if Final(transient, 0, MaxRetry) {
		t.Error("a first transient failure ended the run")
	}
	if !Final(transient, MaxRetry, MaxRetry) {
		t.Error("the last retry did not end the run")
	}
	wrapped := fmt.Errorf("ingest: %w", Permanent(errors.New("empty file")))
	if !Final(wrapped, 0, MaxRetry) || !IsPermanent(wrapped) {
		t.Error("a wrapped permanent error was retried")
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) is not nil")
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n <= 20; n++ {
		d := Backoff(n)
		if d < prev || d > 5*time.Minute {
			t.Fatalf("Backoff(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
	if Backoff(1) != 2*time.Second {
		t.Errorf("Backoff(1) = %v", Backoff(1))
	}
}
