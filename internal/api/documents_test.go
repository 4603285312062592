package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/fault"
	"github.com/sohoa-vn/sohoa/internal/scan"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/workers"
)

// The listing filters by status and SHA-256 (in either case), pages with limit and offset, newest
// first, and says how many match in all.
func TestListDocuments(t *testing.T) {
	r := newRig(t)
	var ids []string // oldest first
	for i := range 5 {
		ids = append(ids, r.receive(fmt.Sprintf("trang-%d.png", i), scanPNG(10+i)).ID)
	}
	r.finish(ids[1])
	r.fail(ids[3], storage.Failure{Code: scan.CodeTruncated, Reason: "Tệp bị cắt cụt.", Retryable: false})
	newest := slices.Clone(ids)
	slices.Reverse(newest)
	sha := r.doc(ids[2]).SHA256

	for _, c := range []struct {
		query string
		total int
		want  []string
	}{
		{"", 5, newest},
		{"?limit=2", 5, newest[:2]},
		{"?limit=2&offset=2", 5, newest[2:4]},
		{"?offset=4", 5, newest[4:]},
		{"?offset=9", 5, nil},
		{"?limit=0", 5, newest[:1]}, // bounded below by 1
		{"?limit=junk", 5, newest},  // the default
		{"?status=done", 1, ids[1:2]},
		{"?status=failed", 1, ids[3:4]},
		{"?status=received", 3, []string{ids[4], ids[2], ids[0]}},
		{"?status=received&limit=1&offset=1", 3, ids[2:3]},
		{"?sha256=" + sha, 1, ids[2:3]},
		{"?sha256=" + strings.ToUpper(sha), 1, ids[2:3]},
		{"?sha256=" + strings.Repeat("0", 64), 0, nil},
	} {
		t.Run(c.query, func(t *testing.T) {
			r := r.in(t)
			a := r.get("/api/v1/documents" + c.query)
			a.wantStatus(t, http.StatusOK)
			var list DocumentList
			a.decode(t, &list)
			var got []string
			for _, d := range list.Documents {
				got = append(got, d.ID)
			}
			if list.Total != c.total || !slices.Equal(got, c.want) {
				t.Errorf("total %d, documents %v; want %d, %v", list.Total, got, c.total, c.want)
			}
			if list.Documents == nil {
				t.Error("documents is null, want a list")
			}
		})
	}
	r.get("/api/v1/documents?status=fail").wantError(t, http.StatusBadRequest, codeBadRequest)
}

// A document's JSON says where it stands: its status and stage, the stages of its current run with
// their timings, the pages the OCR stage flagged for review (as recorded: the API does not judge
// confidences itself), and for a failure its reason, its code and whether a retry can help.
func TestDocumentJSON(t *testing.T) {
	r := newRig(t)
	doc := r.receive("ho-so.png", scanPNG(20))
	r.read[doc.ID] = []storage.PageResult{
		{Text: "Trang một", Confidence: 92},
		{Text: "Trang hai mờ", Confidence: 41.5, Review: true},
		{Text: "Trang ba", Confidence: 60}, // read with a threshold under 60: not flagged
		{Text: "Trang bốn mờ", Confidence: 69.9, Review: true},
	}

	got := r.get("/api/v1/documents/" + doc.ID).document(t)
	if got.Status != storage.StatusReceived || got.Stage != "ingest" || len(got.Stages) != 0 || got.Review != nil || got.Pages != 0 {
		t.Errorf("received: %+v", got)
	}

	r.runTo(doc.ID, pipeline.Sign)
	got = r.get("/api/v1/documents/" + doc.ID).document(t)
	if got.Status != storage.StatusProcessing || got.Stage != "sign" || got.Pages != 4 || got.Code == "" || got.Signed {
		t.Errorf("at sign: %+v", got)
	}
	if !slices.Equal(got.Review, []int{2, 4}) {
		t.Errorf("review %v, want pages 2 and 4", got.Review)
	}
	var names []string
	for _, st := range got.Stages {
		names = append(names, st.Name)
		if st.Status != "done" || st.Attempts != 1 || st.FinishedAt == nil || st.FinishedAt.Before(st.StartedAt) {
			t.Errorf("stage %+v", st)
		}
	}
	if want := []string{"ingest", "ocr", "code", "pdfa"}; !slices.Equal(names, want) {
		t.Errorf("stages %v, want %v", names, want)
	}

	// A failed attempt that will be retried shows its reason, but the document is not failed.
	c := r.claim(doc.ID)
	must(t, r.store.StartStage(t.Context(), c))
	must(t, r.store.FailStage(t.Context(), c, storage.Failure{Code: "unavailable", Reason: "Máy chủ dấu thời gian không phản hồi.", Retryable: true}, false))
	got = r.get("/api/v1/documents/" + doc.ID).document(t)
	if got.Status != storage.StatusProcessing || got.ErrorCode != "unavailable" || got.Retryable || got.Stages[4].Status != "running" || got.Stages[4].Error == "" {
		t.Errorf("retrying: %+v", got)
	}

	// Given up: failed at its stage, and a retry can help.
	must(t, r.store.StartStage(t.Context(), c))
	must(t, r.store.FailStage(t.Context(), c, storage.Failure{Code: "unavailable", Reason: "Máy chủ dấu thời gian không phản hồi.", Retryable: true}, true))
	got = r.get("/api/v1/documents/" + doc.ID).document(t)
	if got.Status != storage.StatusFailed || got.Stage != "sign" || got.ErrorCode != "unavailable" || !got.Retryable ||
		got.Error != "Máy chủ dấu thời gian không phản hồi." || got.Stages[4].Status != "failed" || got.Stages[4].Attempts != 2 {
		t.Errorf("failed: %+v", got)
	}

	pages := r.get("/api/v1/documents/" + doc.ID + "/pages")
	var ps []Page
	pages.decode(t, &ps)
	if len(ps) != 4 || ps[0].Review || !ps[1].Review || ps[2].Review || !ps[3].Review || ps[1].Confidence != 41.5 || ps[0].OCRFinishedAt == nil || ps[0].Width != 1654 || ps[0].DPI != 200 {
		t.Errorf("pages %+v", ps)
	}
}

// While the OCR stage reads a document's pages one task each, its answer counts those read beside
// its pages, so the counter shows each paper's pages as they are done; a listing leaves it out.
func TestDocumentPagesRead(t *testing.T) {
	r := newRig(t)
	doc := r.receive("ba-trang.png", scanPNG(21))
	r.read[doc.ID] = []storage.PageResult{{Text: "một", Confidence: 90}, {Text: "hai", Confidence: 90}, {Text: "ba", Confidence: 90}}
	read := func() (int, int) {
		got := r.get("/api/v1/documents/" + doc.ID).document(t)
		if got.PagesRead == nil {
			t.Fatalf("no pages_read in %+v", got)
		}
		return *got.PagesRead, got.Pages
	}
	if n, of := read(); n != 0 || of != 0 {
		t.Errorf("received: %d of %d pages read", n, of)
	}
	r.runTo(doc.ID, pipeline.OCR)
	ctx, c := t.Context(), r.claim(doc.ID)
	must(t, r.store.StartStage(ctx, c))
	must(t, r.store.HandOff(ctx, c))
	for page := 1; page <= 2; page++ {
		if n, of := read(); n != page-1 || of != 3 {
			t.Errorf("before page %d: %d of %d pages read", page, n, of)
		}
		pc := c
		pc.Page = page
		must(t, r.store.StartPage(ctx, pc))
		res := r.read[doc.ID][page-1]
		res.OCRKey = fmt.Sprintf("ocr/%s/1/%04d.json", doc.ID, page)
		_, err := r.store.PageRecognized(ctx, pc, res, "code")
		must(t, err)
	}
	if n, of := read(); n != 2 || of != 3 {
		t.Errorf("two pages done: %d of %d pages read", n, of)
	}
	var list DocumentList
	r.get("/api/v1/documents").decode(t, &list)
	if len(list.Documents) != 1 || list.Documents[0].PagesRead != nil {
		t.Errorf("a listing has pages_read: %+v", list.Documents)
	}
}

// A bad input fails for good: retry is refused with not_retryable and nothing changes. A failure a
// retry can help gets a new run at the stage that failed, with its task queued. A document that is
// not failed cannot be retried.
func TestRetry(t *testing.T) {
	r := newRig(t)
	bad := r.receive("cat-cut.png", scanPNG(30))
	r.fail(bad.ID, storage.Failure{Code: scan.CodeTruncated, Reason: "Tệp bị cắt cụt (truncated).", Retryable: false})
	a := r.do(post("/api/v1/documents/" + bad.ID + "/retry"))
	e := a.wantError(t, http.StatusConflict, codeNotRetryable)
	if !strings.Contains(e.Error, "Tệp bị cắt cụt") {
		t.Errorf("reason %q does not say what failed", e.Error)
	}
	if d := r.doc(bad.ID); d.Status != storage.StatusFailed || d.Run != 1 {
		t.Errorf("refused retry changed the document: %+v", d)
	}

	away := r.receive("cho-ky.png", scanPNG(31))
	r.runTo(away.ID, pipeline.Sign)
	r.fail(away.ID, storage.Failure{Code: "unavailable", Reason: "Dịch vụ ký số không phản hồi.", Retryable: true})
	before := len(r.queue.ids())
	a = r.do(post("/api/v1/documents/" + away.ID + "/retry"))
	a.wantStatus(t, http.StatusAccepted)
	got := a.document(t)
	if got.Status != storage.StatusReceived || got.Stage != "sign" || got.Error != "" || got.ErrorCode != "" || got.Retryable || len(got.Stages) != 0 {
		t.Errorf("retried: %+v", got)
	}
	if d := r.doc(away.ID); d.Run != 2 {
		t.Errorf("run %d, want 2", d.Run)
	}
	want := pipeline.TaskID(pipeline.Sign, pipeline.Payload{DocumentID: away.ID, Run: 2})
	if ids := r.queue.ids(); len(ids) != before+1 || ids[len(ids)-1] != want {
		t.Errorf("tasks %v, want %s added", ids[before:], want)
	}
	// Once retried it is no longer failed.
	r.do(post("/api/v1/documents/"+away.ID+"/retry")).wantError(t, http.StatusConflict, codeNotFailed)

	for name, id := range map[string]string{
		"received":   r.receive("moi.png", scanPNG(32)).ID,
		"processing": func() string { d := r.receive("dang.png", scanPNG(33)); r.runTo(d.ID, pipeline.OCR); return d.ID }(),
		"done":       r.finish(r.receive("xong.png", scanPNG(34)).ID).ID,
	} {
		t.Run(name, func(t *testing.T) {
			r := r.in(t)
			before, queued := r.doc(id), len(r.queue.ids())
			r.do(post("/api/v1/documents/"+id+"/retry")).wantError(t, http.StatusConflict, codeNotFailed)
			if d := r.doc(id); d.Run != before.Run || d.Status != before.Status {
				t.Errorf("document changed: %+v", d)
			}
			if n := len(r.queue.ids()); n != queued {
				t.Errorf("%d tasks queued", n-queued)
			}
		})
	}
}

// A retry whose task could not be queued is still accepted: the new run is recorded, and the
// reconciler queues it.
func TestRetryQueueDown(t *testing.T) {
	r := newRig(t)
	d := r.receive("a.png", scanPNG(35))
	r.fail(d.ID, storage.Failure{Code: "internal", Reason: "Lỗi hệ thống ở bước tiếp nhận tệp.", Retryable: true})
	r.queue.err = fault.E("enqueue", fault.Unavailable, errors.New("redis: connection refused"))
	r.do(post("/api/v1/documents/"+d.ID+"/retry")).wantStatus(t, http.StatusAccepted)
	if got := r.doc(d.ID); got.Run != 2 || got.Status != storage.StatusReceived {
		t.Errorf("document %+v", got)
	}
}

// The signed file is served only once it exists, named after its archive key's last part, with
// the bytes archived.
func TestSignedFile(t *testing.T) {
	r := newRig(t)
	d := r.receive("giay-phep.png", scanPNG(40))
	for _, path := range []string{"/file", "/verification"} {
		r.get("/api/v1/documents/"+d.ID+path).wantError(t, http.StatusConflict, codeNotSigned)
	}

	done := r.finish(d.ID)
	a := r.get("/api/v1/documents/" + d.ID + "/file")
	a.wantStatus(t, http.StatusOK)
	stored, err := r.objects.Get(t.Context(), storage.Archive, done.SignedKey)
	must(t, err)
	archived, err := io.ReadAll(stored)
	stored.Close()
	must(t, err)
	if !bytes.Equal(a.body, archived) || len(archived) == 0 {
		t.Errorf("served %q, archived %q", a.body, archived)
	}
	_, params, err := mime.ParseMediaType(a.header.Get("Content-Disposition"))
	if wantName := done.Code + ".01.pdf"; err != nil || params["filename"] != wantName || !strings.HasSuffix(done.SignedKey, "/"+wantName) {
		t.Errorf("Content-Disposition %q (%v), archive key %q", a.header.Get("Content-Disposition"), err, done.SignedKey)
	}
	if a.header.Get("ETag") != `"`+done.SignedSHA256+`"` {
		t.Errorf("ETag %q, want the SHA-256 %s", a.header.Get("ETag"), done.SignedSHA256)
	}

	// What is archived here is not a real signed PDF: the report says it cannot be read.
	r.get("/api/v1/documents/"+d.ID+"/verification").wantError(t, http.StatusUnprocessableEntity, codeUnreadableSignature)
}

// The signed file is served by its recorded version and only when it hashes to its recorded
// SHA-256: a version put on top is never served, and bytes that are not the ones recorded are an
// error (fixity_mismatch), raised in the history, never sent.
func TestSignedFileFixity(t *testing.T) {
	r := newRig(t)
	ctx := t.Context()
	done := r.finish(r.receive("giay-phep.png", scanPNG(41)).ID)
	original := readAll(t, r.objects, done.SignedKey, done.SignedVersion)
	swapped := []byte("%PDF-1.7\n% swapped\n%%EOF\n")
	if _, err := r.objects.Put(ctx, storage.Archive, done.SignedKey, bytes.NewReader(swapped), int64(len(swapped)), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	a := r.get("/api/v1/documents/" + done.ID + "/file")
	a.wantStatus(t, http.StatusOK)
	if !bytes.Equal(a.body, original) {
		t.Errorf("with a version put on top, served %q; want the signed version %q", a.body, original)
	}

	// The record and the stored bytes disagree: nothing is served.
	must(t, r.store.SetSigned(ctx, done.ID, storage.SignedFile{Key: done.SignedKey, VersionID: done.SignedVersion, SHA256: strings.Repeat("ab", 32)}))
	for _, path := range []string{"/file", "/verification"} {
		a := r.get("/api/v1/documents/" + done.ID + path)
		a.wantError(t, http.StatusInternalServerError, codeFixityMismatch)
		if bytes.Contains(a.body, original[:16]) || bytes.Contains(a.body, swapped[:16]) {
			t.Errorf("%s served the file's bytes with its error: %q", path, a.body)
		}
	}
	// A recorded version that is gone is not served either.
	must(t, r.store.SetSigned(ctx, done.ID, storage.SignedFile{Key: done.SignedKey, VersionID: "424242", SHA256: done.SignedSHA256}))
	r.get("/api/v1/documents/"+done.ID+"/file").wantError(t, http.StatusInternalServerError, codeFixityMismatch)

	events, err := r.store.History(ctx, "", done.ID)
	must(t, err)
	n := 0
	for _, e := range events {
		if e.Action == workers.FixityAction {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d fixity.mismatch events in the history, want one per refused read (3)", n)
	}
}

func readAll(t *testing.T, o storage.Objects, key, version string) []byte {
	t.Helper()
	f, err := o.GetVersion(t.Context(), storage.Archive, key, version)
	must(t, err)
	defer f.Close()
	b, err := io.ReadAll(f)
	must(t, err)
	return b
}

// The text is every page's OCR text in order, pages separated by a form feed.
func TestText(t *testing.T) {
	r := newRig(t)
	d := r.receive("hai-trang.png", scanPNG(50))
	r.read[d.ID] = []storage.PageResult{{Text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập", Confidence: 88}, {Text: "Trang hai", Confidence: 90}}
	r.runTo(d.ID, pipeline.Code)
	a := r.get("/api/v1/documents/" + d.ID + "/text")
	a.wantStatus(t, http.StatusOK)
	if want := "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập\fTrang hai"; string(a.body) != want {
		t.Errorf("text %q, want %q", a.body, want)
	}
	if ct := a.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

// Unknown IDs and malformed ones are answered 404 with a Vietnamese reason, on every route that
// names a document or a dossier.
func TestNotFound(t *testing.T) {
	r := newRig(t)
	const unknown = "0b0e5b8c-3f4a-4d8e-9c61-2a7f5d9e1b20"
	for _, id := range []string{unknown, "khong-phai-uuid", "1234"} {
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/api/v1/documents/%s", ""},
			{"GET", "/api/v1/documents/%s/file", ""},
			{"GET", "/api/v1/documents/%s/text", ""},
			{"GET", "/api/v1/documents/%s/pages", ""},
			{"POST", "/api/v1/documents/%s/retry", ""},
			{"GET", "/api/v1/documents/%s/verification", ""},
			{"GET", "/api/v1/documents/%s/metadata", ""},
			{"PUT", "/api/v1/documents/%s/paper", `{"kind": "Giấy khai sinh"}`},
			{"GET", "/api/v1/dossiers/%s", ""},
			{"GET", "/api/v1/dossiers/%s/receipt", ""},
			{"POST", "/api/v1/dossiers/%s/reuse", `{"document_id": "` + unknown + `"}`},
		} {
			path := fmt.Sprintf(c.path, id)
			t.Run(c.method+" "+path, func(t *testing.T) {
				r := r.in(t)
				e := r.sendJSON(c.method, path, c.body).wantError(t, http.StatusNotFound, codeNotFound)
				if strings.Contains(path, "dossiers") && id == unknown && !strings.Contains(e.Error, "hồ sơ") {
					t.Errorf("reason %q does not say the dossier is unknown", e.Error)
				}
			})
		}
	}
	t.Run("upload into an unknown dossier", func(t *testing.T) {
		r := r.in(t)
		r.upload("/api/v1/dossiers/"+unknown+"/documents", "a.png", scanPNG(60)).wantError(t, http.StatusNotFound, codeNotFound)
		if n := r.count(); n != 0 {
			t.Errorf("%d documents recorded for an unknown dossier", n)
		}
	})
}

func post(path string) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, path, nil)
	return req
}

// An archivist checks a flagged page's text: the page names them and leaves the document's list of
// pages waiting, its flag kept; the check is in the history. A page not read yet, or one the
// document does not have, cannot be checked.
func TestReviewPage(t *testing.T) {
	r := newRig(t)
	doc := r.receive("hai-trang.png", scanPNG(31))
	r.read[doc.ID] = []storage.PageResult{{Text: "chữ rõ", Confidence: 95}, {Text: "chữ mờ", Confidence: 40, Review: true}}
	archivist := r.as("lưu trữ Hà", account.Archivist, testAgency)
	review := func(n string) answer {
		return archivist.sendJSON(http.MethodPost, "/api/v1/documents/"+doc.ID+"/pages/"+n+"/review", "")
	}

	r.runTo(doc.ID, pipeline.OCR)
	review("2").wantError(t, http.StatusConflict, codePageNotRead)
	r.finish(doc.ID)
	if got := r.get("/api/v1/documents/" + doc.ID).document(t).Review; !slices.Equal(got, []int{2}) {
		t.Fatalf("pages to review %v, want [2]", got)
	}
	for _, n := range []string{"3", "0", "x"} {
		review(n).wantError(t, http.StatusNotFound, codeNotFound)
	}
	var page Page
	review("2").decode(t, &page)
	if page.N != 2 || !page.Review || page.ReviewedBy != "lưu trữ Hà" || page.ReviewedAt == nil {
		t.Errorf("checked page %+v, want page 2 flagged and checked by lưu trữ Hà", page)
	}
	if got := r.get("/api/v1/documents/" + doc.ID).document(t).Review; len(got) != 0 {
		t.Errorf("pages to review after the check %v, want none", got)
	}
	var pages []Page
	r.get("/api/v1/documents/"+doc.ID+"/pages").decode(t, &pages)
	if len(pages) != 2 || pages[0].ReviewedBy != "" || pages[1].ReviewedBy != "lưu trữ Hà" {
		t.Errorf("pages %+v", pages)
	}
	var hist struct{ Events []storage.Event }
	r.get("/api/v1/documents/"+doc.ID+"/history").decode(t, &hist)
	i := slices.IndexFunc(hist.Events, func(e storage.Event) bool { return e.Action == "page.reviewed" })
	if i < 0 || hist.Events[i].Actor != "lưu trữ Hà" || fmt.Sprint(hist.Events[i].Detail["page"]) != "2" {
		t.Errorf("history %+v lacks lưu trữ Hà's check of page 2", hist.Events)
	}
}
