package storagetest

import (
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

// Deaths are told apart without waiting: a deadAfter of an hour keeps every worker that beat alive,
// a negative one makes every worker dead.
const (
	alive = time.Hour
	dead  = -time.Hour
)

func recordsGenerations(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := create(t, r, "gen")
	old := storage.Claim{Document: d.ID, Run: 1, Stage: "ingest", Worker: "w1"}
	must(t, r.StartStage(ctx, old))
	taken := old
	taken.Gen, taken.Worker = 1, "w2"
	must(t, r.StartStage(ctx, taken))
	if got := document(t, r, d.ID).Gen; got != 1 {
		t.Errorf("Document.Gen = %d after a start at generation 1", got)
	}
	before := stateOf(t, r, d.ID)
	for name, err := range map[string]error{
		"StartStage of an older generation":  r.StartStage(ctx, old),
		"FinishStage of an older generation": r.FinishStage(ctx, old, "ocr"),
		"FailStage of an older generation":   r.FailStage(ctx, old, storage.Failure{Reason: "x"}, true),
		"HandOff of an older generation":     r.HandOff(ctx, old),
	} {
		if !errors.Is(err, storage.ErrStale) {
			t.Errorf("%s = %v, want ErrStale", name, err)
		}
	}
	if after := stateOf(t, r, d.ID); !after.equal(before) {
		t.Errorf("refused writes changed the document:\n%+v\n%+v", before, after)
	}
	must(t, r.FinishStage(ctx, taken, "ocr"))
	if got := document(t, r, d.ID); got.Stage != "ocr" || got.Gen != 0 {
		t.Errorf("after finishing: stage %s gen %d, want ocr 0 (a new stage starts at generation 0)", got.Stage, got.Gen)
	}
}

func recordsFailures(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := create(t, r, "fail")
	c := storage.Claim{Document: d.ID, Run: 1, Stage: "ingest"}
	must(t, r.StartStage(ctx, c))
	must(t, r.FailStage(ctx, c, storage.Failure{Code: "unavailable", Reason: "Kho tệp không phản hồi.", Retryable: true}, false))
	got := document(t, r, d.ID)
	if got.Status != storage.StatusProcessing || got.Error != "Kho tệp không phản hồi." || got.ErrorCode != "unavailable" || got.Retryable {
		t.Errorf("after a failure to retry: %s %q %q retryable %v; want processing, the reason and code, not offered to a person",
			got.Status, got.Error, got.ErrorCode, got.Retryable)
	}
	must(t, r.StartStage(ctx, c))
	must(t, r.FailStage(ctx, c, storage.Failure{Code: "unavailable", Reason: "Kho tệp không phản hồi.", Retryable: true}, true))
	if got := document(t, r, d.ID); got.Status != storage.StatusFailed || got.ErrorCode != "unavailable" || !got.Retryable {
		t.Errorf("after a final retryable failure: %+v", got)
	}
	again, err := r.Retry(ctx, d.ID)
	must(t, err)
	if again.Status != storage.StatusReceived || again.Run != 2 || again.Error != "" || again.ErrorCode != "" || again.Retryable {
		t.Errorf("Retry = %+v; want received in run 2 with the failure cleared", again)
	}
	c2 := storage.Claim{Document: d.ID, Run: 2, Stage: "ingest"}
	must(t, r.StartStage(ctx, c2))
	must(t, r.FailStage(ctx, c2, storage.Failure{Code: "truncated", Reason: "Tệp bị cắt cụt."}, true))
	if got := document(t, r, d.ID); got.ErrorCode != "truncated" || got.Retryable {
		t.Errorf("after a final bad-input failure: %+v", got)
	}
}

func recordsPageGenerations(t *testing.T, r storage.Records) {
	ctx := t.Context()
	d := atOCR(t, r, "pagegen")
	must(t, r.SetPages(ctx, d.ID, numbered(2)))
	page := func(n, gen int, worker string) storage.Claim {
		return storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: n, Gen: gen, Worker: worker}
	}
	must(t, r.Heartbeat(ctx, storage.Worker{ID: "w1"}))
	must(t, r.StartPage(ctx, page(1, 0, "w1")))
	pages, err := r.Pages(ctx, d.ID)
	must(t, err)
	if pages[0].Worker != "w1" || pages[0].Gen != 0 || pages[1].Worker != "" {
		t.Errorf("after StartPage: %+v", pages)
	}
	taken, err := r.TakeOver(ctx, dead)
	must(t, err)
	if len(taken) != 1 || taken[0] != (storage.Claim{Document: d.ID, Run: 1, Stage: "ocr", Page: 1, Gen: 1}) {
		t.Fatalf("TakeOver = %+v, want page 1 at generation 1", taken)
	}
	if _, err := r.PageRecognized(ctx, page(1, 0, "w1"), storage.PageResult{OCRKey: "o"}, "code"); !errors.Is(err, storage.ErrStale) {
		t.Errorf("PageRecognized by the worker taken over = %v, want ErrStale", err)
	}
	if err := r.StartPage(ctx, page(1, 0, "w1")); !errors.Is(err, storage.ErrStale) {
		t.Errorf("StartPage of the old generation = %v, want ErrStale", err)
	}
	must(t, r.StartPage(ctx, page(1, 1, "w2")))
	finished, err := r.PageRecognized(ctx, page(1, 1, "w2"), storage.PageResult{OCRKey: "o1", Text: "một", Confidence: 90}, "code")
	if err != nil || finished {
		t.Fatalf("PageRecognized(1) = %v, %v", finished, err)
	}
	if err := r.StartPage(ctx, page(1, 1, "w3")); !errors.Is(err, storage.ErrStale) {
		t.Errorf("StartPage of a page already read = %v, want ErrStale", err)
	}
	if _, err := r.PageRecognized(ctx, page(1, 1, "w2"), storage.PageResult{OCRKey: "o1"}, "code"); !errors.Is(err, storage.ErrStale) {
		t.Errorf("PageRecognized twice = %v, want ErrStale", err)
	}
	p2 := page(2, 0, "w2")
	must(t, r.StartPage(ctx, p2))
	must(t, r.FailStage(ctx, p2, storage.Failure{Code: "ocr_crash", Reason: "Trang 2 hỏng."}, false))
	if pages, _ := r.Pages(ctx, d.ID); pages[1].Worker != "" {
		t.Errorf("a page waiting for its retry is still claimed by %q", pages[1].Worker)
	}
	if taken, _ := r.TakeOver(ctx, dead); len(taken) != 0 {
		t.Errorf("TakeOver took a page nobody is reading: %+v", taken)
	}
}

func recordsTakeOver(t *testing.T, r storage.Records) {
	ctx := t.Context()
	must(t, r.Heartbeat(ctx, storage.Worker{ID: "live", Host: "h", PID: 1}))
	must(t, r.Heartbeat(ctx, storage.Worker{ID: "gone", Host: "h", PID: 2}))
	must(t, r.Leave(ctx, "gone"))
	claim := func(sha, stage, worker string) storage.Claim {
		d := create(t, r, sha)
		c := storage.Claim{Document: d.ID, Run: 1, Stage: stage, Worker: worker}
		if stage == "ocr" {
			walk(t, r, d.ID, 1, "ingest", "ocr")
			must(t, r.SetPages(ctx, d.ID, numbered(1)))
			c.Page = 1
			must(t, r.StartPage(ctx, c))
		} else {
			must(t, r.StartStage(ctx, c))
		}
		return c
	}
	live := claim("t-live", "ingest", "live")
	gone := claim("t-gone", "ingest", "gone")
	ghost := claim("t-ghost", "ocr", "never-beat")
	handed := create(t, r, "t-handed")
	hc := storage.Claim{Document: handed.ID, Run: 1, Stage: "ingest", Worker: "gone"}
	must(t, r.StartStage(ctx, hc))
	must(t, r.HandOff(ctx, hc))

	taken, err := r.TakeOver(ctx, alive)
	must(t, err)
	want := []storage.Claim{
		{Document: gone.Document, Run: 1, Stage: "ingest", Gen: 1},
		{Document: ghost.Document, Run: 1, Stage: "ocr", Page: 1, Gen: 1},
	}
	sortClaims(taken)
	sortClaims(want)
	if len(taken) != len(want) || (len(taken) == 2 && (taken[0] != want[0] || taken[1] != want[1])) {
		t.Errorf("TakeOver = %+v, want %+v (a live worker's and a handed-off stage are left alone)", taken, want)
	}
	if again, _ := r.TakeOver(ctx, alive); len(again) != 0 {
		t.Errorf("TakeOver gave work twice: %+v", again)
	}
	if taken, _ := r.TakeOver(ctx, dead); len(taken) != 1 || taken[0].Document != live.Document {
		t.Errorf("TakeOver with everyone dead = %+v, want the live worker's stage only", taken)
	}
}

func recordsTakeOverConcurrent(t *testing.T, r storage.Records) {
	ctx := t.Context()
	const n = 12
	for i := range n {
		d := create(t, r, "conc"+string(rune('a'+i)))
		must(t, r.StartStage(ctx, storage.Claim{Document: d.ID, Run: 1, Stage: "ingest", Worker: "dead"}))
	}
	var (
		mu  sync.Mutex
		got []storage.Claim
		wg  sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			c, err := r.TakeOver(ctx, alive)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			got = append(got, c...)
			mu.Unlock()
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c.Document] {
			t.Errorf("document %s taken over twice", c.Document)
		}
		seen[c.Document] = true
	}
	if len(seen) != n {
		t.Errorf("took over %d of %d stages", len(seen), n)
	}
}

func recordsIdentity(t *testing.T, r storage.Records) {
	a, err := r.Identity(t.Context())
	must(t, err)
	b, err := r.Identity(t.Context())
	must(t, err)
	if a == "" || a != b {
		t.Errorf("Identity = %q then %q, want one stable identifier", a, b)
	}
}

func sortClaims(c []storage.Claim) {
	sort.Slice(c, func(i, j int) bool { return c[i].Document < c[j].Document })
}
