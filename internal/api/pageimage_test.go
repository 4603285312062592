package api

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
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

// With ?w= a reader gets a JPEG thumbnail that wide of a page as stored, kept by no browser and in
// the trail with its width; a page no wider, or one no thumbnail can be made of, comes as stored;
// a width outside 32–1600 is refused.
func TestPageThumbnail(t *testing.T) {
	r := newRig(t)
	doc := r.finish(r.receive("giay.png", scanPNG(2)).ID)
	// The rig's ingest records its pages as 1654×2339 PNGs; this is one.
	var stored bytes.Buffer
	must(t, png.Encode(&stored, image.NewGray(image.Rect(0, 0, 1654, 2339))))
	put := func(id string, data []byte) {
		_, err := r.objects.Put(t.Context(), storage.Work, "pages/"+id+"/0001.png", bytes.NewReader(data), int64(len(data)), "image/png")
		must(t, err)
	}
	put(doc.ID, stored.Bytes())

	path := func(id, w string) string { return "/api/v1/documents/" + id + "/pages/1/image?w=" + w }
	for _, w := range []int{200, 1600} {
		a := r.get(path(doc.ID, fmt.Sprint(w)))
		a.wantStatus(t, http.StatusOK)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(a.body))
		if err != nil || cfg.Width != w || cfg.Height != (2339*w+827)/1654 || a.header.Get("Content-Type") != "image/jpeg" {
			t.Errorf("thumbnail %d: %+v %v, %s", w, cfg, err, a.header.Get("Content-Type"))
		}
		if cc := a.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("thumbnail Cache-Control %q, want no-store", cc)
		}
	}
	for _, w := range []string{"0", "31", "1601", "x", "-5"} {
		r.get(path(doc.ID, w)).wantError(t, http.StatusBadRequest, codeBadRequest)
	}
	events, err := r.store.History(t.Context(), "", doc.ID)
	must(t, err)
	var widths []string
	for _, e := range events {
		if e.Action == "document.page" {
			widths = append(widths, fmt.Sprint(e.Detail["width"]))
		}
	}
	if !slices.Equal(widths, []string{"200", "1600"}) {
		t.Errorf("the looks in the trail have widths %v, want [200 1600]", widths)
	}

	// A page 120 pixels wide, and one whose bytes do not decode: both as stored.
	small := r.finish(r.receive("nho.png", scanPNG(3)).ID)
	must(t, r.store.SetPages(t.Context(), small.ID, []storage.Page{{N: 1, ImageKey: "pages/" + small.ID + "/0001.png", Format: "png", Width: 120, Height: 170}}))
	var tiny bytes.Buffer
	must(t, png.Encode(&tiny, image.NewGray(image.Rect(0, 0, 120, 170))))
	put(small.ID, tiny.Bytes())
	broken := r.finish(r.receive("hong.png", scanPNG(4)).ID)
	put(broken.ID, scanPNG(5))
	for id, want := range map[string][]byte{small.ID: tiny.Bytes(), broken.ID: scanPNG(5)} {
		a := r.get(path(id, "200"))
		a.wantStatus(t, http.StatusOK)
		if !bytes.Equal(a.body, want) || a.header.Get("Content-Type") != "image/png" || a.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d bytes of %s, Cache-Control %q; want the page as stored", id, len(a.body), a.header.Get("Content-Type"), a.header.Get("Cache-Control"))
		}
	}
}
