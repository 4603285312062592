package api

import (
	"bytes"
	"context"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/identity"
	"github.com/sohoa-vn/sohoa/storage"
)

const (
	citizen = "001099012345" // Hà Nội, born 1999
	other   = "079203004567" // TP. Hồ Chí Minh
	company = "0100109106"
)

// openDossier opens a dossier for owner through the API and returns it.
func (r *rig) openDossier(owner string) DossierJSON {
	r.t.Helper()
	a := r.sendJSON(http.MethodPost, "/api/v1/dossiers", map[string]string{"owner_id": owner, "owner_name": "Nguyễn Văn An",
		"procedure_code": "1.001234", "procedure_name": "Đăng ký khai sinh"})
	a.wantStatus(r.t, http.StatusCreated)
	var d DossierJSON
	a.decode(r.t, &d)
	return d
}

// attach uploads data into the dossier and returns the attachment.
func (r *rig) attach(dossier, query, name string, data []byte) Attachment {
	r.t.Helper()
	a := r.upload("/api/v1/dossiers/"+dossier+"/documents"+query, name, data)
	a.wantStatus(r.t, http.StatusCreated)
	var at Attachment
	a.decode(r.t, &at)
	return at
}

// A dossier is opened with the agency's next code of the day; its papers are attached with
// component codes (results with their own series), once each; its receipt names its code.
func TestDossier(t *testing.T) {
	r := newRig(t)
	before := time.Now().In(code.Vietnam)
	a := r.as("cán bộ 1", account.Clerk, testAgency).sendJSON(http.MethodPost, "/api/v1/dossiers", map[string]string{"owner_id": " 001099012345 ", "owner_name": " Nguyễn Văn An ",
		"procedure_code": "1.001234", "procedure_name": "Đăng ký khai sinh"})
	a.wantStatus(t, http.StatusCreated)
	var d DossierJSON
	a.decode(t, &d)
	after := time.Now().In(code.Vietnam)
	if a.header.Get("Location") != "/api/v1/dossiers/"+d.ID {
		t.Errorf("Location %q", a.header.Get("Location"))
	}
	p, err := code.ParseDossier(d.Code)
	day := p.Day.Format(time.DateOnly) // the day in Vietnam it was received
	if err != nil || p.Agency != testAgency || p.Seq != 1 || day != before.Format(time.DateOnly) && day != after.Format(time.DateOnly) {
		t.Errorf("code %q: %+v, %v", d.Code, p, err)
	}
	if d.Owner != (OwnerJSON{ID: citizen, Kind: "citizen", Name: "Nguyễn Văn An"}) || d.Agency != testAgency || d.AgencyName != "UBND quận Lê Chân" ||
		d.ProcedureName != "Đăng ký khai sinh" || d.Receipt != "/api/v1/dossiers/"+d.ID+"/receipt" || len(d.Documents) != 0 {
		t.Errorf("dossier %+v", d)
	}
	if second := r.openDossier(company); !strings.HasSuffix(second.Code, "-0002") || second.Owner.Kind != "business" {
		t.Errorf("second dossier of the day: %s, %+v", second.Code, second.Owner)
	}

	comp := r.as("cán bộ 2", account.Clerk, testAgency).attach(d.ID, "", "to-khai.png", scanPNG(80))
	if comp.ComponentCode != testAgency+"-TP000001" || comp.Role != "component" || comp.Reused || comp.Document.Status != storage.StatusReceived {
		t.Errorf("component %+v", comp)
	}
	result := r.attach(d.ID, "?role=result", "giay-khai-sinh.png", scanPNG(81))
	if result.ComponentCode != testAgency+"-KQ000001" || result.Role != "result" {
		t.Errorf("result %+v", result)
	}
	if again := r.attach(d.ID, "", "to-khai-lai.png", scanPNG(80)); again.ComponentCode != comp.ComponentCode || again.Document.ID != comp.Document.ID {
		t.Errorf("the same paper attached twice: %+v, want %+v", again, comp)
	}

	// The paper handed in with the dossier is known by its component code once coded.
	r.finish(comp.Document.ID)
	a = r.get("/api/v1/dossiers/" + d.ID)
	a.wantStatus(t, http.StatusOK)
	var got DossierJSON
	a.decode(t, &got)
	if len(got.Documents) != 2 || got.Documents[0].Document.Code != comp.ComponentCode || !got.Documents[0].Document.Signed || got.Documents[1].Role != "result" {
		t.Errorf("dossier documents %+v", got.Documents)
	}
	var actions []string
	for _, e := range got.History {
		actions = append(actions, e.Action+" by "+e.Actor)
	}
	if want := []string{"dossier.received by cán bộ 1", "document.attached by cán bộ 2", "document.attached by quan-tri",
		"dossier.viewed by quan-tri"}; !slices.Equal(actions, want) {
		t.Errorf("history %q, want %q", actions, want)
	}

	a = r.get("/api/v1/dossiers/" + d.ID + "/receipt")
	a.wantStatus(t, http.StatusOK)
	_, params, _ := mime.ParseMediaType(a.header.Get("Content-Disposition"))
	if !bytes.HasPrefix(a.body, []byte("%PDF-")) || params["filename"] != "giay-tiep-nhan-"+d.Code+".pdf" {
		t.Errorf("receipt: %d bytes starting %.8q, Content-Disposition %q", len(a.body), a.body, a.header.Get("Content-Disposition"))
	}
}

// An owner is refused with the identifier's own code and a Vietnamese reason; so is a dossier without
// a procedure, or a body that is not JSON.
func TestDossierRefused(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct {
		name string
		body string
		code string
	}{
		{"no owner", `{"procedure_code": "1.001234"}`, identity.CodeOwnerEmpty},
		{"neither an ID nor a tax code", `{"owner_id": "00109901234", "procedure_code": "1.001234"}`, identity.CodeOwnerShape},
		{"unknown province", `{"owner_id": "999099012345", "procedure_code": "1.001234"}`, identity.CodeCitizenProvince},
		{"tax code check digit", `{"owner_id": "0100109107", "procedure_code": "1.001234"}`, identity.CodeTaxCheckDigit},
		{"no procedure", `{"owner_id": "001099012345", "procedure_code": "  "}`, codeMissing},
		{"not JSON", `owner_id=001099012345`, codeBadRequest},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := r.in(t)
			r.sendJSON(http.MethodPost, "/api/v1/dossiers", c.body).wantError(t, http.StatusBadRequest, c.code)
		})
	}
	if _, total, _ := r.store.List(t.Context(), storage.Filter{}); total != 0 {
		t.Errorf("%d documents", total)
	}
}

// reuseRig has a dossier for citizen, and papers in the store: one of citizen's, done and valid; one
// of citizen's not done yet; one expired; one of another owner's.
type reuseRig struct {
	*rig
	dossier                        DossierJSON
	valid, pending, expired, alien string
}

func newReuseRig(t *testing.T) reuseRig {
	r := newRig(t)
	earlier := r.openDossier(citizen)
	rr := reuseRig{rig: r}
	rr.valid = r.attach(earlier.ID, "", "cccd.png", scanPNG(90)).Document.ID
	rr.pending = r.attach(earlier.ID, "", "ho-khau.png", scanPNG(91)).Document.ID
	rr.expired = r.attach(earlier.ID, "", "giay-phep-cu.png", scanPNG(92)).Document.ID
	rr.alien = r.attach(r.openDossier(other).ID, "", "cua-nguoi-khac.png", scanPNG(93)).Document.ID
	for _, id := range []string{rr.valid, rr.expired, rr.alien} {
		r.finish(id)
	}
	r.sendJSON(http.MethodPut, "/api/v1/documents/"+rr.valid+"/paper", map[string]any{"kind": "Căn cước công dân", "valid_until": "2040-01-01"}).wantStatus(t, http.StatusOK)
	r.sendJSON(http.MethodPut, "/api/v1/documents/"+rr.expired+"/paper", map[string]any{"valid_until": "2020-01-01"}).wantStatus(t, http.StatusOK)
	rr.dossier = r.openDossier(citizen)
	return rr
}

// A paper is reused only if it is the dossier owner's, done, reusable and still valid.
func TestReuse(t *testing.T) {
	r := newReuseRig(t)
	reuse := func(id string) answer {
		return r.as("cán bộ 3", account.Clerk, testAgency).sendJSON(http.MethodPost, "/api/v1/dossiers/"+r.dossier.ID+"/reuse", map[string]string{"document_id": id})
	}
	for _, c := range []struct {
		name, id, says string
	}{
		{"another owner's", r.alien, "người khác"},
		{"not done", r.pending, "chưa số hóa xong"},
		{"expired", r.expired, "hết hiệu lực"},
	} {
		e := reuse(c.id).wantError(t, http.StatusConflict, codeNotReusable)
		if !strings.Contains(e.Error, c.says) {
			t.Errorf("%s: reason %q does not say %q", c.name, e.Error, c.says)
		}
	}
	r.sendJSON(http.MethodPut, "/api/v1/documents/"+r.valid+"/paper", map[string]any{"reusable": false}).wantStatus(t, http.StatusOK)
	reuse(r.valid).wantError(t, http.StatusConflict, codeNotReusable)
	r.sendJSON(http.MethodPut, "/api/v1/documents/"+r.valid+"/paper", map[string]any{"reusable": true}).wantStatus(t, http.StatusOK)

	a := reuse(r.valid)
	a.wantStatus(t, http.StatusCreated)
	var at Attachment
	a.decode(t, &at)
	if !at.Reused || at.Document.ID != r.valid || at.Role != "component" || !strings.HasPrefix(at.ComponentCode, testAgency+"-TP") {
		t.Errorf("reused %+v", at)
	}
	hist, err := r.store.History(t.Context(), r.dossier.ID, "")
	must(t, err)
	if last := hist[len(hist)-1]; last.Action != "document.reused" || last.Actor != "cán bộ 3" || last.DocumentID != r.valid {
		t.Errorf("last event %+v", last)
	}

	reuse("khong-phai-uuid").wantError(t, http.StatusBadRequest, codeBadRequest)
	reuse("0b0e5b8c-3f4a-4d8e-9c61-2a7f5d9e1b20").wantError(t, http.StatusNotFound, codeNotFound)
	r.sendJSON(http.MethodPost, "/api/v1/dossiers/"+r.dossier.ID+"/reuse", "{").wantError(t, http.StatusBadRequest, codeBadRequest)
}

// The owner's listing with valid=true holds only the papers that can be reused today, and every look
// is logged (Nghị định 13/2023): a look that cannot be logged is not answered.
func TestOwnerDocuments(t *testing.T) {
	r := newReuseRig(t)
	logged := &loggingDossiers{Dossiers: r.store}
	r.srv.Dossiers = logged

	clerk := r.as("cán bộ 4", account.Clerk, testAgency)
	list := func(query string) []string {
		a := clerk.get("/api/v1/owners/" + citizen + "/documents" + query)
		a.wantStatus(t, http.StatusOK)
		var out struct {
			Owner     string      `json:"owner"`
			Documents []PaperJSON `json:"documents"`
		}
		a.decode(t, &out)
		if out.Owner != citizen {
			t.Errorf("owner %q", out.Owner)
		}
		var ids []string
		for _, p := range out.Documents {
			ids = append(ids, p.ID)
			if p.File != "/api/v1/documents/"+p.ID+"/file" || len(p.Dossiers) != 1 {
				t.Errorf("paper %+v", p)
			}
		}
		return ids
	}
	if got := list("?valid=true&purpose=TEST-0001"); !slices.Equal(got, []string{r.valid}) {
		t.Errorf("valid papers %v, want only %s", got, r.valid)
	}
	if got := list("?purpose=TEST-0001"); !slices.Equal(got, []string{r.expired, r.pending, r.valid}) {
		t.Errorf("all papers %v, newest first", got)
	}
	if len(logged.events) != 2 {
		t.Fatalf("%d looks logged, want 2", len(logged.events))
	}
	if e := logged.events[0]; e.Action != "owner.viewed" || e.OwnerID != citizen || e.Actor != "cán bộ 4" || e.Detail["valid"] != true || e.Detail["found"] != 1 || e.Detail["purpose"] != "TEST-0001" {
		t.Errorf("event %+v", e)
	}

	logged.err = errors.New("database gone")
	r.get("/api/v1/owners/"+citizen+"/documents?valid=true&purpose=TEST-0001").wantError(t, http.StatusInternalServerError, codeInternal)
	r.get("/api/v1/owners/"+citizen+"/documents?valid=true").wantError(t, http.StatusBadRequest, codePurpose)

	r.get("/api/v1/owners/00109901234/documents").wantError(t, http.StatusBadRequest, identity.CodeOwnerShape)
}

// loggingDossiers keeps the events logged, and can fail to log.
type loggingDossiers struct {
	storage.Dossiers
	events []storage.Event
	err    error
}

func (l *loggingDossiers) Log(ctx context.Context, e storage.Event) error {
	if l.err != nil {
		return l.err
	}
	l.events = append(l.events, e)
	return l.Dossiers.Log(ctx, e)
}

// PUT …/paper records what a person confirms, leaves absent fields alone, refuses malformed dates
// in Vietnamese, and the metadata of Thông tư 05/2025 reads from it.
func TestPaper(t *testing.T) {
	r := newRig(t)
	d := r.openDossier(citizen)
	id := r.attach(d.ID, "", "quyet-dinh.png", scanPNG(100)).Document.ID
	r.finish(id)
	path := "/api/v1/documents/" + id + "/paper"

	a := r.as("cán bộ 5", account.Clerk, testAgency).sendJSON(http.MethodPut, path, map[string]any{"kind": "Quyết định", "notation": "110/QĐ-UBND", "issued_on": "2025-03-14",
		"issuing_body": "UBND phường Hoàn Kiếm", "valid_until": "2030-12-31", "validity_scope": "toàn quốc"})
	a.wantStatus(t, http.StatusOK)
	var p PaperJSON
	a.decode(t, &p)
	if p.Kind != "Quyết định" || p.Notation != "110/QĐ-UBND" || p.IssuedOn != "2025-03-14" || p.ValidUntil != "2030-12-31" ||
		p.IssuingBody != "UBND phường Hoàn Kiếm" || p.ValidityScope != "toàn quốc" || !p.Reusable || p.ID != id {
		t.Errorf("paper %+v", p)
	}

	// Absent fields stay; reusable is recorded.
	r.sendJSON(http.MethodPut, path, map[string]any{"reusable": false}).wantStatus(t, http.StatusOK)
	stored, err := r.store.Paper(t.Context(), id)
	must(t, err)
	if stored.Kind != "Quyết định" || stored.Reusable || stored.IssuedOn == nil || stored.IssuedOn.Format(time.DateOnly) != "2025-03-14" {
		t.Errorf("stored paper %+v", stored)
	}
	hist, err := r.store.History(t.Context(), "", id)
	must(t, err)
	var updates []string
	for _, e := range hist {
		if e.Action == "paper.updated" {
			updates = append(updates, e.Actor)
		}
	}
	if !slices.Equal(updates, []string{"cán bộ 5", "quan-tri"}) {
		t.Errorf("paper.updated by %q, want two, the first by cán bộ 5", updates)
	}

	for _, c := range []struct {
		body, code, says string
	}{
		{`{"issued_on": "14/03/2025"}`, codeBadDate, "issued_on phải có dạng YYYY-MM-DD"},
		{`{"valid_until": "2030-02-30"}`, codeBadDate, "valid_until phải có dạng YYYY-MM-DD"},
		{`{"kind": 5}`, codeBadRequest, "không đọc được"},
		{`[`, codeBadRequest, "không đọc được"},
	} {
		e := r.sendJSON(http.MethodPut, path, c.body).wantError(t, http.StatusBadRequest, c.code)
		if !strings.Contains(e.Error, c.says) {
			t.Errorf("%s: reason %q does not say %q", c.body, e.Error, c.says)
		}
	}
	if after, _ := r.store.Paper(t.Context(), id); after.Kind != "Quyết định" || after.ValidUntil.Format(time.DateOnly) != "2030-12-31" {
		t.Errorf("a refused change was recorded: %+v", after)
	}

	a = r.get("/api/v1/documents/" + id + "/metadata")
	a.wantStatus(t, http.StatusOK)
	var m Metadata
	a.decode(t, &m)
	doc := r.doc(id)
	if m.DocCode != doc.Code || m.ArcFileCode != d.Code || m.TypeName != "Quyết định" || m.CodeNumber != "110" || m.CodeNotation != "110/QĐ-UBND" ||
		m.IssuedDate != "2025-03-14" || m.OwnerID != citizen || m.NumberOfPage != 1 || m.SHA256 != doc.SignedSHA256 || m.ConfidenceLevel != "02" {
		t.Errorf("metadata %+v", m)
	}
}

// Bytes that are already a paper of an owner are that paper: into the same owner's next dossier
// they are reused (not a new paper), into another owner's dossier they are refused, and logged.
func TestUploadOfAPaperHeldAlready(t *testing.T) {
	r := newRig(t)
	first := r.openDossier(citizen)
	paper := r.attach(first.ID, "", "khai-sinh.png", scanPNG(21)).Document.ID
	r.finish(paper)

	again := r.attach(r.openDossier(citizen).ID, "", "khai-sinh-lai.png", scanPNG(21))
	if !again.Reused || again.Document.ID != paper {
		t.Errorf("the same bytes for the same owner: %+v; want the paper reused", again)
	}
	other := r.openDossier(company)
	r.upload("/api/v1/dossiers/"+other.ID+"/documents", "khai-sinh.png", scanPNG(21)).wantError(t, http.StatusConflict, codeNotReusable)
	if p, _ := r.store.Paper(t.Context(), paper); p.OwnerID != citizen || len(p.Dossiers) != 2 {
		t.Errorf("the paper after another owner's upload: owner %s, dossiers %v", p.OwnerID, p.Dossiers)
	}
	_, trail, err := r.store.Audit(t.Context(), storage.AuditQuery{Document: paper})
	must(t, err)
	if len(trail) == 0 || trail[0].Action != "reuse.refused" || trail[0].DossierID != other.ID {
		t.Errorf("the refusal is not in the trail: %+v", trail)
	}
}

// A dossier's answer tells of each paper what its own answer tells: the pages read and those that
// wait for a check, however long ago the paper was done.
func TestDossierPapersPages(t *testing.T) {
	r := newRig(t)
	d := r.openDossier(citizen)
	done := r.attach(d.ID, "", "hai-trang.png", scanPNG(82))
	r.read[done.Document.ID] = []storage.PageResult{{Text: "rõ", Confidence: 95}, {Text: "mờ", Confidence: 40, Review: true}}
	r.finish(done.Document.ID)
	waiting := r.attach(d.ID, "", "moi-nhan.png", scanPNG(83))
	var got DossierJSON
	r.get("/api/v1/dossiers/"+d.ID).decode(t, &got)
	if len(got.Documents) != 2 {
		t.Fatalf("documents %+v", got.Documents)
	}
	first, second := got.Documents[0].Document, got.Documents[1].Document
	if first.ID != done.Document.ID || first.PagesRead == nil || *first.PagesRead != 2 || !slices.Equal(first.Review, []int{2}) {
		t.Errorf("the paper done: %+v, want 2 pages read, page 2 to review", first)
	}
	if second.ID != waiting.Document.ID || second.PagesRead == nil || *second.PagesRead != 0 || len(second.Review) != 0 {
		t.Errorf("the paper just received: %+v, want none read, none to review", second)
	}
}
