package api

import (
	"bytes"
	"net/http"
	"slices"
	"testing"

	"github.com/sohoa-vn/sohoa/storage"
)

// A reader gets a page's image as stored, each look in the trail; a page that is not there is not
// found. The document's own history lists what was recorded of it.
func TestPageImageAndHistory(t *testing.T) {
	r := newRig(t)
	doc := r.finish(r.receive("giay.png", scanPNG(1)).ID)
	stored := scanPNG(7)
	_, err := r.objects.Put(t.Context(), storage.Work, "pages/"+doc.ID+"/0001.png", bytes.NewReader(stored), int64(len(stored)), "image/png")
	must(t, err)

	a := r.get("/api/v1/documents/" + doc.ID + "/pages/1/image")
	a.wantStatus(t, http.StatusOK)
	if !bytes.Equal(a.body, stored) || a.header.Get("Content-Type") != "image/png" {
		t.Errorf("page 1: %d bytes of %s", len(a.body), a.header.Get("Content-Type"))
	}
	for _, n := range []string{"2", "0", "x"} {
		r.get("/api/v1/documents/"+doc.ID+"/pages/"+n+"/image").wantError(t, http.StatusNotFound, codeNotFound)
	}
	must(t, r.store.Log(t.Context(), storage.Event{Actor: "sohoa", Action: "pdf.rendered", DocumentID: doc.ID}))
	var hist struct{ Events []storage.Event }
	r.get("/api/v1/documents/"+doc.ID+"/history").decode(t, &hist)
	var actions []string
	for _, e := range hist.Events {
		actions = append(actions, e.Action)
	}
	if !slices.Contains(actions, "document.page") || !slices.Contains(actions, "pdf.rendered") {
		t.Errorf("history %v lacks the page look or the workers' event", actions)
	}
}
