package pipeline

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/fault"
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

func TestGenerationGivesNewTaskIDs(t *testing.T) {
	p := Payload{DocumentID: "d", Run: 1, Page: 2}
	taken := p
	taken.Gen = 1
	if PageTaskID(p) == PageTaskID(taken) || TaskID(Sign, p) == TaskID(Sign, taken) {
		t.Fatal("a takeover has the dead worker's task ID")
	}
	if PageTaskID(p) != "d:1:ocr:2" || TaskID(Sign, Payload{DocumentID: "d", Run: 1}) != "d:1:sign" {
		t.Fatalf("first-generation IDs changed: %s, %s", PageTaskID(p), TaskID(Sign, p))
	}
	b, _ := taken.Encode()
	if q, err := DecodePayload(b); err != nil || q != taken {
		t.Fatalf("gen lost in a round trip: %+v, %v", q, err)
	}
}

func TestFinal(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		retried int
		final   bool
	}{
		{"first unclassified failure", errors.New("tesseract crashed"), 0, false},
		{"unclassified, retried enough", errors.New("tesseract crashed"), MaxOtherRetries, true},
		{"dependency away", fault.E("s3 get", fault.Unavailable, errors.New("refused")), 12, false},
		{"dependency away past the budget", fault.E("s3 get", fault.Unavailable, errors.New("refused")), 13, true},
		{"bad input, wrapped", fmt.Errorf("ingest: %w", fault.E("split", fault.Input, errors.New("empty"))), 0, true},
		{"refused by a rule", fault.Tell("sign", fault.Refused, "certificate_expired", "Chứng thư số đã hết hạn.", nil), 0, true},
		{"interrupted", fault.E("ocr", fault.Interrupted, errors.New("shutting down")), 0, false},
	}
	for _, c := range cases {
		if got := Final(c.err, c.retried, 13); got != c.final {
			t.Errorf("%s: Final = %v, want %v", c.name, got, c.final)
		}
	}
}

// Asynq passes the number of retries already made, from 0 (processor.go: retryDelayFunc(msg.Retried,
// …)), so the first retry waits Backoff(0).
func TestBackoffCountsFromZero(t *testing.T) {
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second,
		32 * time.Second, 64 * time.Second, 128 * time.Second, 256 * time.Second, 5 * time.Minute, 5 * time.Minute}
	for n, w := range want {
		if got := Backoff(n); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, w)
		}
	}
	if Backoff(-1) != 2*time.Second || Backoff(1000) != 5*time.Minute {
		t.Errorf("Backoff out of range: %v, %v", Backoff(-1), Backoff(1000))
	}
}

func TestRetriesOutlastTheBudget(t *testing.T) {
	for _, budget := range []time.Duration{time.Second, time.Minute, 10 * time.Minute, DefaultRetryBudget, 2 * time.Hour} {
		n := Retries(budget)
		var waited, before time.Duration
		for i := 0; i < n; i++ {
			before = waited
			waited += Backoff(i)
		}
		if waited < budget || before >= budget {
			t.Errorf("Retries(%v) = %d: waits %v in all, %v without the last", budget, n, waited, before)
		}
	}
	if got := Retries(DefaultRetryBudget); got != 13 {
		t.Errorf("Retries(30m) = %d, want 13 (2+4+…+256 s = 8.5 min, then 5 min each)", got)
	}
}

// A lane is one of the two, "" being the counter's; a payload naming another is refused both ways.
func TestLanes(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Lane
		ok   bool
	}{{"", Counter, true}, {"counter", Counter, true}, {"bulk", Bulk, true}, {"Bulk", "", false}, {"urgent", "", false}} {
		got, err := ParseLane(c.in)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("ParseLane(%q) = %q, %v; want %q, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
	bad := Payload{DocumentID: "d", Run: 1, Lane: "urgent"}
	if _, err := bad.Encode(); err == nil {
		t.Error("Encode accepts lane urgent")
	}
	if _, err := DecodePayload([]byte(`{"document_id": "d", "run": 1, "lane": "urgent"}`)); err == nil {
		t.Error("DecodePayload accepts lane urgent")
	}
}
