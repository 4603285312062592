package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/internal/code"
	"github.com/sohoa-vn/sohoa/internal/identity"
	"github.com/sohoa-vn/sohoa/pipeline"
	"github.com/sohoa-vn/sohoa/storage"
)

// DossierJSON is the JSON form of a dossier.
type DossierJSON struct {
	ID            string          `json:"id"`
	Code          string          `json:"code"`
	ProcedureCode string          `json:"procedure_code"`
	ProcedureName string          `json:"procedure_name"`
	Agency        string          `json:"agency"`
	AgencyName    string          `json:"agency_name"`
	Owner         OwnerJSON       `json:"owner"`
	ReceivedAt    time.Time       `json:"received_at"`
	DueAt         string          `json:"due_at,omitempty"` // the return appointment, YYYY-MM-DD
	Staff         string          `json:"staff,omitempty"`
	Receipt       string          `json:"receipt"`
	Documents     []Attachment    `json:"documents"`
	History       []storage.Event `json:"history,omitempty"`
}

// OwnerJSON is a citizen or a business.
type OwnerJSON struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// Attachment is a paper's place in a dossier.
type Attachment struct {
	ComponentCode string    `json:"component_code"`
	Role          string    `json:"role"`
	Reused        bool      `json:"reused"`
	AttachedAt    time.Time `json:"attached_at"`
	Document      Document  `json:"document"`
}

// newDossierBody is what the counter sends to open a dossier.
type newDossierBody struct {
	OwnerID       string `json:"owner_id"`
	OwnerName     string `json:"owner_name"`
	ProcedureCode string `json:"procedure_code"`
	ProcedureName string `json:"procedure_name"`
	DueAt         string `json:"due_at"` // YYYY-MM-DD, optional
}

func (s *Server) createDossier(w http.ResponseWriter, r *http.Request) {
	var b newDossierBody
	if !readJSON(w, r, &b) {
		return
	}
	owner, err := identity.Parse(b.OwnerID)
	if err != nil {
		badIdentity(w, err)
		return
	}
	if strings.TrimSpace(b.ProcedureCode) == "" {
		writeError(w, http.StatusBadRequest, codeMissing, "Thiếu mã thủ tục hành chính (procedure_code).")
		return
	}
	now, p := s.now(), who(r)
	due, ok := dueOn(w, b.DueAt, now)
	if !ok {
		return
	}
	agency := p.account.Agency // the dossier is received by the clerk's agency, and coded in its series
	d, err := s.Dossiers.CreateDossier(r.Context(), storage.NewDossier{
		ID: uuid.NewString(), ProcedureCode: strings.TrimSpace(b.ProcedureCode), ProcedureName: strings.TrimSpace(b.ProcedureName),
		Agency: agency, Staff: p.account.Name, Client: p.client, ReceivedAt: now, DueOn: due,
		Owner: storage.Owner{ID: owner.ID, Kind: string(owner.Kind), Name: strings.TrimSpace(b.OwnerName)},
	}, now.In(code.Vietnam), func(seq int) (string, error) { return code.Dossier(agency, now, seq) })
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/dossiers/"+d.ID)
	s.writeDossier(w, r, http.StatusCreated, d)
}

// dueOn reads the return appointment: a day, not before today in Vietnam; "" is none. It answers
// the request itself when the day is not one.
func dueOn(w http.ResponseWriter, s string, now time.Time) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		writeError(w, http.StatusBadRequest, codeBadDate, "Ngày hẹn trả (due_at) phải có dạng YYYY-MM-DD.")
		return nil, false
	}
	if today := now.In(code.Vietnam).Format(time.DateOnly); s < today {
		writeError(w, http.StatusBadRequest, codeBadDate, "Ngày hẹn trả không được trước hôm nay ("+today+").")
		return nil, false
	}
	return &day, true
}

func (s *Server) dossier(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDossier(w, r)
	if ok && s.record(w, r, storage.Event{Action: "dossier.viewed", DossierID: d.ID, OwnerID: d.Owner.ID}) {
		s.writeDossier(w, r, http.StatusOK, d)
	}
}

// pathDossier loads the dossier the {id} path value names, answering the request itself when there
// is none of the principal's agencies.
func (s *Server) pathDossier(w http.ResponseWriter, r *http.Request) (storage.Dossier, bool) {
	id, ok := pathID(w, r)
	if !ok {
		return storage.Dossier{}, false
	}
	err := s.Dossiers.DossierVisible(r.Context(), id, who(r).scope)
	var d storage.Dossier
	if err == nil {
		d, err = s.Dossiers.Dossier(r.Context(), id)
	}
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusNotFound, codeNotFound, "Không tìm thấy hồ sơ.")
		return storage.Dossier{}, false
	}
	if err != nil {
		s.storeError(w, r, err)
		return storage.Dossier{}, false
	}
	return d, true
}

// pathDossierPapers is pathDossier with the dossier's papers, in the order they were attached.
func (s *Server) pathDossierPapers(w http.ResponseWriter, r *http.Request) (storage.Dossier, []storage.Attachment, bool) {
	d, ok := s.pathDossier(w, r)
	if !ok {
		return d, nil, false
	}
	atts, err := s.Dossiers.Attachments(r.Context(), d.ID)
	if err != nil {
		s.storeError(w, r, err)
		return d, nil, false
	}
	return d, atts, true
}

func (s *Server) writeDossier(w http.ResponseWriter, r *http.Request, status int, d storage.Dossier) {
	atts, err := s.Dossiers.Attachments(r.Context(), d.ID)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	hist, err := s.Dossiers.History(r.Context(), d.ID, "")
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := DossierJSON{ID: d.ID, Code: d.Code, ProcedureCode: d.ProcedureCode, ProcedureName: d.ProcedureName,
		Agency: d.Agency, AgencyName: d.AgencyName, Owner: OwnerJSON(d.Owner), ReceivedAt: d.ReceivedAt, Staff: d.Staff,
		Receipt: "/api/v1/dossiers/" + d.ID + "/receipt", Documents: []Attachment{}, History: hist}
	if d.DueOn != nil {
		out.DueAt = d.DueOn.Format(time.DateOnly)
	}
	ids := make([]string, len(atts))
	for i, a := range atts {
		ids[i] = a.Document.ID
	}
	// The counter must see each paper's pages to check, however long ago it was done.
	progress, err := s.Records.PageProgress(r.Context(), ids)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	for _, a := range atts {
		doc := toJSON(a.Document, nil)
		withProgress(&doc, progress[a.Document.ID])
		out.Documents = append(out.Documents, Attachment{ComponentCode: a.ComponentCode, Role: a.Role, Reused: a.Reused,
			AttachedAt: a.AttachedAt, Document: doc})
	}
	writeJSON(w, status, out)
}

// addDocument receives a scanned paper for a dossier: the upload goes through the same intake as
// any other, and the paper is attached as a component (or, with role=result, a result). Bytes the
// store already holds as a paper of an owner are that paper: they are attached under the reuse
// rules (the dossier owner's, done, reusable, valid) or refused with the reason, never attached to
// another owner as new.
func (s *Server) addDocument(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDossier(w, r)
	if !ok {
		return
	}
	role := "component"
	if r.URL.Query().Get("role") == "result" {
		role = "result"
	}
	// A paper for a dossier is taken in at the counter, a station's included: its owner is waiting.
	doc, created, ok := s.intake(w, r, pipeline.Counter)
	if !ok {
		return
	}
	reused := false
	if !created {
		p, err := s.Dossiers.Paper(r.Context(), doc.ID)
		if err != nil {
			s.storeError(w, r, err)
			return
		}
		switch visible := s.Records.Visible(r.Context(), doc.ID, who(r).scope); {
		case p.OwnerID != "":
			reused = true
		case errors.Is(visible, storage.ErrNotFound):
			s.duplicateElsewhere(w, r, doc)
			return
		case visible != nil:
			s.storeError(w, r, visible)
			return
		}
	}
	s.attach(w, r, d, doc.ID, role, reused)
}

// reuse attaches a paper the store already holds: the citizen is not asked for it again.
func (s *Server) reuse(w http.ResponseWriter, r *http.Request) {
	d, ok := s.pathDossier(w, r) // so that a not-found from Attach names the document
	if !ok {
		return
	}
	var b struct {
		DocumentID string `json:"document_id"`
	}
	if !readJSON(w, r, &b) {
		return
	}
	id, ok := canonicalID(b.DocumentID)
	if !ok {
		writeError(w, http.StatusBadRequest, codeBadRequest, "document_id không hợp lệ.")
		return
	}
	s.attach(w, r, d, id, "component", true)
}

// attach puts the document into the dossier d, coded in the series of d's agency; the event is
// logged for d's agency and the document's.
func (s *Server) attach(w http.ResponseWriter, r *http.Request, d storage.Dossier, documentID, role string, reused bool) {
	a, err := s.Dossiers.Attach(r.Context(), d.ID, documentID, role, reused, s.actor(r),
		func(series string, seq int) (string, error) { return code.Component(d.Agency, series, seq) })
	if errors.Is(err, storage.ErrNotReusable) {
		// A refused reuse is a look at another's paper too: it is in the trail, with why.
		if s.record(w, r, storage.Event{Action: "reuse.refused", DossierID: d.ID, DocumentID: documentID,
			Detail: map[string]any{"reason": reuseReason(err)}}) {
			writeError(w, http.StatusConflict, codeNotReusable, "Không dùng lại được giấy tờ này: "+reuseReason(err))
		}
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, Attachment{ComponentCode: a.ComponentCode, Role: a.Role, Reused: a.Reused,
		AttachedAt: a.AttachedAt, Document: toJSON(a.Document, nil)})
}

func reuseReason(err error) string {
	switch {
	case errors.Is(err, storage.ErrOtherOwner):
		return "giấy tờ thuộc về người khác."
	case errors.Is(err, storage.ErrExpired):
		return "giấy tờ đã hết hiệu lực."
	default:
		return "giấy tờ chưa số hóa xong hoặc không được phép dùng lại."
	}
}

// PaperJSON is a paper of an owner, as counter staff see it when looking for what can be reused.
type PaperJSON struct {
	Document
	Kind          string   `json:"kind,omitempty"`
	Notation      string   `json:"notation,omitempty"`
	IssuedOn      string   `json:"issued_on,omitempty"`
	IssuingBody   string   `json:"issuing_body,omitempty"`
	ValidUntil    string   `json:"valid_until,omitempty"`
	ValidityScope string   `json:"validity_scope,omitempty"`
	Reusable      bool     `json:"reusable"`
	Dossiers      []string `json:"dossiers"`
	File          string   `json:"file"`
	// Extracted are fields read from the OCR text, each with its place in the text: proposals to
	// confirm through PUT /api/v1/documents/{id}/paper.
	Extracted json.RawMessage `json:"extracted"`
}

// ownerDocuments lists an owner's papers across every agency, for reuse (the once-only principle):
// the counter states why it looks (purpose), and the look is logged for the clerk's agency and for
// every agency whose papers it showed.
func (s *Server) ownerDocuments(w http.ResponseWriter, r *http.Request) {
	owner, err := identity.Parse(r.PathValue("id"))
	if err != nil {
		badIdentity(w, err)
		return
	}
	purpose := strings.TrimSpace(r.URL.Query().Get("purpose"))
	if purpose == "" {
		writeError(w, http.StatusBadRequest, codePurpose, "Ghi rõ mục đích tra cứu (tham số purpose), ví dụ mã hồ sơ đang tiếp nhận.")
		return
	}
	var validOn *time.Time
	if r.URL.Query().Get("valid") == "true" {
		today := s.now().In(code.Vietnam)
		validOn = &today
	}
	papers, err := s.Dossiers.Papers(r.Context(), owner.ID, validOn)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	var agencies []string
	for _, p := range papers {
		if p.Agency != "" {
			agencies = append(agencies, p.Agency)
		}
	}
	// Nghị định 13/2023: every look at a citizen's records is logged.
	if !s.record(w, r, storage.Event{Action: "owner.viewed", OwnerID: owner.ID, Agencies: agencies,
		Detail: map[string]any{"valid": validOn != nil, "found": len(papers), "purpose": purpose}}) {
		return
	}
	out := struct {
		Owner     string      `json:"owner"`
		Documents []PaperJSON `json:"documents"`
	}{Owner: owner.ID, Documents: make([]PaperJSON, len(papers))}
	for i, p := range papers {
		out.Documents[i] = paperJSON(p)
	}
	writeJSON(w, http.StatusOK, out)
}

func paperJSON(p storage.Paper) PaperJSON {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	out := PaperJSON{Document: toJSON(p.Document, nil), Kind: p.Kind, Notation: p.Notation, IssuedOn: day(p.IssuedOn),
		IssuingBody: p.IssuingBody, ValidUntil: day(p.ValidUntil), ValidityScope: p.ValidityScope, Reusable: p.Reusable,
		Dossiers: p.Dossiers, File: "/api/v1/documents/" + p.ID + "/file", Extracted: p.Extracted}
	// Lists are lists in JSON even when empty, never null.
	if out.Dossiers == nil {
		out.Dossiers = []string{}
	}
	if len(out.Extracted) == 0 {
		out.Extracted = json.RawMessage(`[]`)
	}
	return out
}

// pathID returns the {id} path value when it is a UUID, answering 404 itself otherwise.
func pathID(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, ok := canonicalID(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, codeNotFound, fmt.Sprintf("Không tìm thấy %q.", r.PathValue("id")))
	}
	return id, ok
}

// canonicalID returns s as PostgreSQL writes a uuid back (lower case, with hyphens), if it is
// one in that form or another: what the trail hashes must be what it reads back.
func canonicalID(s string) (string, bool) {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 { // 36: not urn:uuid:… or {…}, which PostgreSQL refuses
		return "", false
	}
	return u.String(), true
}

// badIdentity answers for an owner identifier that is not valid, with the reason in Vietnamese.
func badIdentity(w http.ResponseWriter, err error) {
	var e *identity.Error
	if errors.As(err, &e) {
		writeError(w, http.StatusBadRequest, e.Code, e.Message)
		return
	}
	writeError(w, http.StatusBadRequest, codeBadRequest, err.Error())
}
