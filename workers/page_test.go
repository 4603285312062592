package workers

import (
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
)

// The OCR stage records whether a page needs a person's eye, with its own threshold: a page read
// below MinConfidence is flagged, one at it or above is not.
func TestPagesFlaggedForReview(t *testing.T) {
	for _, c := range []struct {
		confidence float64
		want       bool
	}{{95, false}, {70, false}, {69.5, true}, {12, true}} {
		r := newRig(t)
		r.h.MinConfidence = 70
		r.ocr.confidence = c.confidence
		doc := r.receive(t, "khai-sinh.png", scanPNG(t, 0))
		for id, err := range r.drain(t) {
			if err != nil {
				t.Fatalf("task %s: %v", id, err)
			}
		}
		pages, err := r.records.Pages(t.Context(), doc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pages) != 1 || pages[0].Review != c.want || pages[0].Confidence != c.confidence {
			t.Errorf("read at %v with a threshold of 70: pages %+v, want review %v", c.confidence, pages, c.want)
		}
		if d := r.doc(t, doc.ID); d.Status != storage.StatusDone {
			t.Errorf("a page flagged stops nothing: %s at %s", d.Status, d.Stage)
		}
	}
}
