package eark_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/storage"
	"github.com/sohoa-vn/sohoa/storage/memory"
)

const (
	agency  = "000.00.53.H26"
	citizen = "031085012345"
)

// world is an e-data store and object store holding dossiers whose papers went through the
// pipeline, as the workers record it: the fake the package's unit tests read from.
type world struct {
	t       *testing.T
	store   *memory.Store
	objects *memory.Objects
	day     time.Time
	seq     int
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, store: memory.New(), objects: memory.NewObjects(), day: time.Now().In(code.Vietnam)}
	must(t, w.objects.Ensure(t.Context()))
	return w
}

func (w *world) dossier() storage.Dossier {
	w.t.Helper()
	d, err := w.store.CreateDossier(w.t.Context(), storage.NewDossier{ID: uuid.NewString(), ProcedureCode: "1.001193",
		ProcedureName: "Đăng ký khai sinh", Agency: agency, AgencyName: "UBND quận Lê Chân", Staff: "lan", ReceivedAt: w.day,
		Owner: storage.Owner{ID: citizen, Kind: "citizen", Name: "Nguyễn Văn A"}}, w.day, w.code)
	must(w.t, err)
	return d
}

func (w *world) code(seq int) (string, error) { return code.Dossier(agency, w.day, seq) }

// paper receives original into dossier d and, with signed, runs it through every stage to a
// signed file in the archive, as the workers would.
func (w *world) paper(d storage.Dossier, name string, original []byte, signed bool) storage.Document {
	w.t.Helper()
	ctx := w.t.Context()
	sha := sum(original)
	doc, _, err := w.store.CreateDocument(ctx, storage.NewDocument{ID: uuid.NewString(), SHA256: sha, OriginalKey: "originals/" + sha,
		Filename: name, Source: "api", Size: int64(len(original)), MediaType: "image/png", Agency: agency})
	must(w.t, err)
	_, err = w.objects.Put(ctx, storage.Work, doc.OriginalKey, bytes.NewReader(original), int64(len(original)), "image/png")
	must(w.t, err)
	_, err = w.store.Attach(ctx, d.ID, doc.ID, "component", false, storage.Actor{Name: "lan"}, component)
	must(w.t, err)
	if signed {
		w.run(doc.ID)
	}
	return w.doc(doc.ID)
}

func component(series string, seq int) (string, error) {
	return fmt.Sprintf("%s-%s%06d", agency, series, seq), nil
}

// run takes the document through every stage, archiving a signed file at sign.
func (w *world) run(id string) {
	ctx := w.t.Context()
	prev := ""
	for _, st := range []string{"ingest", "ocr", "code", "pdfa", "sign", "index", ""} {
		if prev != "" {
			w.stage(id, prev, st)
		}
		if st != "" {
			must(w.t, w.store.StartStage(ctx, storage.Claim{Document: id, Run: 1, Stage: st}))
		}
		prev = st
	}
}

// stage records what stage st produced, then finishes it, moving on to next.
func (w *world) stage(id, st, next string) {
	ctx := w.t.Context()
	switch st {
	case "code":
		w.seq++
		_, err := w.store.AssignCode(ctx, id, agency, w.day, func(int) (string, error) { return component("TP", w.seq) })
		must(w.t, err)
	case "pdfa":
		must(w.t, w.store.SetPDF(ctx, id, "pdf/"+id+".pdf", "2u"))
	case "sign":
		doc := w.doc(id)
		pdf := []byte("%PDF-1.7\n% signed " + id + "\n%%EOF\n")
		key := id + "/" + doc.Code + ".01.pdf"
		must(w.t, w.store.Log(ctx, storage.Event{Actor: "sohoa", Action: "archive.writing", DocumentID: id,
			Detail: map[string]any{"key": key, "sha256": sum(pdf)}}))
		info, err := w.objects.Put(ctx, storage.Archive, key, bytes.NewReader(pdf), int64(len(pdf)), "application/pdf")
		must(w.t, err)
		must(w.t, w.store.SetSigned(ctx, id, storage.SignedFile{Key: key, VersionID: info.VersionID, SHA256: sum(pdf)}))
	}
	must(w.t, w.store.FinishStage(ctx, storage.Claim{Document: id, Run: 1, Stage: st}, next))
}

func (w *world) reuse(d storage.Dossier, id string) {
	_, err := w.store.Attach(w.t.Context(), d.ID, id, "component", true, storage.Actor{Name: "hoa"}, component)
	must(w.t, err)
}

func (w *world) doc(id string) storage.Document {
	d, err := w.store.Document(w.t.Context(), id)
	must(w.t, err)
	return d
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
