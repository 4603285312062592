package storagetest

import (
	"fmt"
	"maps"
	"sync"
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
)

// recordsByStatus moves documents through every status and checks the counts after each move, read
// twice (a read must not change what the next one sees), and while documents are created at once.
func recordsByStatus(t *testing.T, r storage.Records) {
	ctx := t.Context()
	counts := func(want map[string]int64) {
		t.Helper()
		for read := range 2 {
			got, err := r.DocumentsByStatus(ctx)
			must(t, err)
			maps.DeleteFunc(got, func(_ string, n int64) bool { return n == 0 })
			if !maps.Equal(got, want) {
				t.Fatalf("DocumentsByStatus (read %d) = %v, want %v", read+1, got, want)
			}
		}
	}
	counts(map[string]int64{})
	done, failed, stack := create(t, r, "c1"), create(t, r, "c2"), create(t, r, "c3")
	counts(map[string]int64{storage.StatusReceived: 3})

	walk(t, r, done.ID, 1, "ingest", "ocr", "pdfa", "code", "sign", "index", "")
	must(t, r.StartStage(ctx, storage.Claim{Document: failed.ID, Run: 1, Stage: "ingest"}))
	counts(map[string]int64{storage.StatusReceived: 1, storage.StatusProcessing: 1, storage.StatusDone: 1})

	must(t, r.FailStage(ctx, storage.Claim{Document: failed.ID, Run: 1, Stage: "ingest"}, storage.Failure{Code: "truncated", Reason: "hỏng"}, true))
	part := create(t, r, "c4")
	c := storage.Claim{Document: stack.ID, Run: 1, Stage: "ingest"}
	must(t, r.StartStage(ctx, c))
	must(t, r.Split(ctx, c, []storage.Part{{N: 1, DocumentID: part.ID, FirstPage: 1, LastPage: 1}}))
	counts(map[string]int64{storage.StatusReceived: 1, storage.StatusDone: 1, storage.StatusFailed: 1, storage.StatusSplit: 1})

	_, err := r.Retry(ctx, failed.ID)
	must(t, err)
	counts(map[string]int64{storage.StatusReceived: 2, storage.StatusDone: 1, storage.StatusSplit: 1})

	// Readers fold the counts while documents arrive: none is lost or counted twice.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Go(func() {
			_, _, err := r.CreateDocument(ctx, newDoc(fmt.Sprintf("c-more-%d", i)))
			errs <- err
		})
		wg.Go(func() {
			_, err := r.DocumentsByStatus(ctx)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	counts(map[string]int64{storage.StatusReceived: 22, storage.StatusDone: 1, storage.StatusSplit: 1})
}
