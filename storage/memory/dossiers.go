package memory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/extract"
	"github.com/sohoa-vn/sohoa/storage"
)

func (s *Store) CreateDossier(ctx context.Context, n storage.NewDossier, day time.Time, format func(seq int) (string, error)) (storage.Dossier, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Dossier{}, err
	}
	defer s.mu.Unlock()
	if _, ok := s.dossiers[n.ID]; ok {
		return storage.Dossier{}, fmt.Errorf("create dossier: id %s is taken", n.ID)
	}
	c, commit, err := s.nextDaily(n.Agency, day, format)
	if err != nil {
		return storage.Dossier{}, fmt.Errorf("create dossier: %w", err)
	}
	if s.dossierCodes[c] {
		return storage.Dossier{}, fmt.Errorf("create dossier: code %s is taken", c)
	}
	commit()
	o, ok := s.owners[n.Owner.ID]
	if !ok {
		o = storage.Owner{ID: n.Owner.ID, Kind: n.Owner.Kind}
	}
	if o.Name == "" { // a name once known is never changed by opening a dossier
		o.Name = n.Owner.Name
	}
	s.owners[o.ID] = o
	named(s.agencies, n.Agency, n.AgencyName)
	named(s.procedures, n.ProcedureCode, n.ProcedureName)
	s.dossierCodes[c] = true
	s.dossiers[n.ID] = &dossier{Dossier: storage.Dossier{ID: n.ID, Code: c, ProcedureCode: n.ProcedureCode, Agency: n.Agency,
		Owner: storage.Owner{ID: o.ID}, ReceivedAt: n.ReceivedAt, DueOn: cloneTime(n.DueOn), Status: "received", Staff: n.Staff}}
	s.log(storage.Event{Actor: n.Staff, Client: n.Client, Action: "dossier.received", DossierID: n.ID, OwnerID: n.Owner.ID,
		Detail: map[string]any{"code": c, "procedure": n.ProcedureCode}})
	return s.dossier(n.ID), nil
}

// named records key with name unless a name is known already.
func named(names map[string]string, key, name string) {
	if old := names[key]; old != "" {
		name = old
	}
	names[key] = name
}

// dossier returns the dossier with the names known now.
func (s *Store) dossier(id string) storage.Dossier {
	d := s.dossiers[id].Dossier
	d.Owner = s.owners[d.Owner.ID]
	d.AgencyName, d.ProcedureName = s.agencies[d.Agency], s.procedures[d.ProcedureCode]
	return d
}

func (s *Store) Dossier(ctx context.Context, id string) (storage.Dossier, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Dossier{}, err
	}
	defer s.mu.Unlock()
	if _, ok := s.dossiers[id]; !ok {
		return storage.Dossier{}, fmt.Errorf("dossier %s: %w", id, storage.ErrNotFound)
	}
	return s.dossier(id), nil
}

func (s *Store) Procedures(ctx context.Context, q string, limit int) ([]storage.Procedure, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Procedure
	for code, name := range s.procedures {
		if q == "" || strings.HasPrefix(code, q) || strings.Contains(strings.ToLower(extract.Fold(name)), strings.ToLower(extract.Fold(q))) {
			p := s.catalogue[code]
			p.Code, p.Name, p.Papers = code, name, slices.Clone(p.Papers)
			if p.Papers == nil {
				p.Papers = []storage.ProcedurePaper{}
			}
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b storage.Procedure) int { return strings.Compare(a.Code, b.Code) })
	return out[:min(len(out), limit)], nil
}

func (s *Store) DossierByCode(ctx context.Context, code string) (storage.Dossier, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Dossier{}, err
	}
	defer s.mu.Unlock()
	for id, d := range s.dossiers {
		if d.Code == code {
			return s.dossier(id), nil
		}
	}
	return storage.Dossier{}, fmt.Errorf("dossier %s: %w", code, storage.ErrNotFound)
}

func (s *Store) Attach(ctx context.Context, dossierID, documentID, role string, reused bool, by storage.Actor, format func(series string, seq int) (string, error)) (storage.Attachment, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Attachment{}, err
	}
	defer s.mu.Unlock()
	ds, ok := s.dossiers[dossierID]
	if !ok {
		return storage.Attachment{}, fmt.Errorf("attach: dossier %s: %w", dossierID, storage.ErrNotFound)
	}
	for _, a := range ds.attachments {
		if a.DocumentID == documentID {
			a.Document = s.docs[documentID].Document
			return a, nil
		}
	}
	d, err := s.document(documentID)
	if err != nil {
		return storage.Attachment{}, fmt.Errorf("attach: %w", err)
	}
	owner := ds.Owner.ID
	if reused {
		if err := reusable(d, owner, s.now()); err != nil {
			return storage.Attachment{}, fmt.Errorf("attach: %w", err)
		}
	} else if d.paper.owner != "" && d.paper.owner != owner {
		return storage.Attachment{}, fmt.Errorf("attach: document %s is a paper of %s, not of %s: %w", documentID, d.paper.owner, owner, storage.ErrOtherOwner)
	}
	series := "TP"
	if role == "result" {
		series = "KQ"
	}
	key := ds.Agency + " " + series
	c, err := format(series, s.serials[key]+1)
	if err != nil {
		return storage.Attachment{}, fmt.Errorf("attach: %w", err)
	}
	if s.components[c] {
		return storage.Attachment{}, fmt.Errorf("attach %s to %s: component code %s is taken", documentID, dossierID, c)
	}
	s.serials[key]++
	s.components[c] = true
	if !reused && d.paper.owner == "" {
		// A paper handed in with a dossier belongs to the dossier's owner.
		d.paper.owner = owner
	}
	a := storage.Attachment{DossierID: dossierID, DocumentID: documentID, Role: role, ComponentCode: c, Reused: reused, AttachedAt: s.now()}
	ds.attachments = append(ds.attachments, a)
	d.in = append(d.in, dossierID)
	action := "document.attached"
	if reused {
		action = "document.reused"
	}
	s.log(storage.Event{Actor: by.Name, Client: by.Client, Action: action, DossierID: dossierID, DocumentID: documentID, OwnerID: owner,
		Detail: map[string]any{"role": role, "component_code": c}})
	a.Document = d.Document
	return a, nil
}

// reusable says why d cannot be reused for a dossier of owner at now, or returns nil.
func reusable(d *document, owner string, now time.Time) error {
	p := d.paper
	switch {
	case p.owner != owner:
		return fmt.Errorf("document %s is not a paper of %s: %w", d.ID, owner, storage.ErrOtherOwner)
	case d.Status != storage.StatusDone || !p.reusable:
		return fmt.Errorf("document %s is %s, reusable %v: %w", d.ID, d.Status, p.reusable, storage.ErrNotReady)
	case storage.Expired(p.validUntil, now):
		return fmt.Errorf("document %s expired on %s: %w", d.ID, p.validUntil.Format(time.DateOnly), storage.ErrExpired)
	}
	return nil
}

func (s *Store) Attachments(ctx context.Context, dossierID string) ([]storage.Attachment, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	ds, ok := s.dossiers[dossierID]
	if !ok {
		return nil, fmt.Errorf("dossier %s: %w", dossierID, storage.ErrNotFound)
	}
	out := slices.Clone(ds.attachments)
	for i := range out {
		out[i].Document = s.docs[out[i].DocumentID].Document
	}
	return out, nil
}

func (s *Store) Papers(ctx context.Context, ownerID string, validOn *time.Time) ([]storage.Paper, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var match []*document
	for _, d := range s.docs {
		p := d.paper
		if p.owner != ownerID {
			continue
		}
		if validOn != nil && (d.Status != storage.StatusDone || !p.reusable ||
			p.validUntil != nil && p.validUntil.Format(time.DateOnly) < validOn.Format(time.DateOnly)) {
			continue
		}
		match = append(match, d)
	}
	byCreated(match)
	out := make([]storage.Paper, len(match))
	for i, d := range match {
		out[i] = s.paperOf(d)
	}
	return out, nil
}

func (s *Store) paperOf(d *document) storage.Paper {
	p := d.paper
	out := storage.Paper{Document: d.Document, OwnerID: p.owner, Kind: p.kind, Notation: p.notation, IssuedOn: cloneTime(p.issuedOn),
		IssuingBody: p.issuingBody, ValidUntil: cloneTime(p.validUntil), ValidityScope: p.validityScope, Reusable: p.reusable,
		Extracted: slices.Clone(d.extracted)}
	for _, id := range d.in {
		out.Dossiers = append(out.Dossiers, s.dossiers[id].Code)
	}
	return out
}

func (s *Store) Paper(ctx context.Context, documentID string) (storage.Paper, error) {
	return withDocument(ctx, s, documentID, func(d *document) (storage.Paper, error) { return s.paperOf(d), nil })
}

func (s *Store) SetExtracted(ctx context.Context, documentID string, fields json.RawMessage) error {
	_, err := withDocument(ctx, s, documentID, func(d *document) (any, error) {
		if !json.Valid(fields) {
			return nil, fmt.Errorf("set extracted fields of %s: not JSON: %.40q", documentID, fields)
		}
		d.extracted = slices.Clone(fields)
		return nil, nil
	})
	return err
}

func (s *Store) SetPaper(ctx context.Context, documentID string, f storage.PaperFields, by storage.Actor) error {
	_, err := withDocument(ctx, s, documentID, func(d *document) (any, error) { return nil, s.setPaper(d, f, by) })
	return err
}

func (s *Store) ReviewPage(ctx context.Context, documentID string, n int, by storage.Actor) error {
	_, err := withDocument(ctx, s, documentID, func(d *document) (any, error) {
		p := d.page(n)
		switch {
		case p == nil:
			return nil, fmt.Errorf("review page %d of %s: %w", n, documentID, storage.ErrNotFound)
		case !p.recognized:
			return nil, fmt.Errorf("review page %d of %s: %w", n, documentID, storage.ErrPageNotRead)
		}
		now := s.now()
		p.ReviewedBy, p.ReviewedAt = by.Name, &now
		return nil, s.log(storage.Event{Actor: by.Name, Client: by.Client, Action: "page.reviewed", DocumentID: documentID, Detail: map[string]any{"page": n}})
	})
	return err
}

func (s *Store) setPaper(d *document, f storage.PaperFields, by storage.Actor) error {
	if f.OwnerID != nil {
		if _, ok := s.owners[*f.OwnerID]; !ok {
			// PostgreSQL refuses it by a foreign key: an owner is known once a dossier named it.
			return fmt.Errorf("set paper %s: unknown owner %s", d.ID, *f.OwnerID)
		}
	}
	before := s.paperOf(d)
	p := &d.paper
	for _, c := range []struct {
		from *string
		to   *string
	}{{f.OwnerID, &p.owner}, {f.Kind, &p.kind}, {f.Notation, &p.notation}, {f.IssuingBody, &p.issuingBody}, {f.ValidityScope, &p.validityScope}} {
		if c.from != nil {
			*c.to = *c.from
		}
	}
	if f.IssuedOn != nil {
		p.issuedOn = date(f.IssuedOn)
	}
	if f.ValidUntil != nil {
		p.validUntil = date(f.ValidUntil)
	}
	if f.Reusable != nil {
		p.reusable = *f.Reusable
	}
	s.touch(d)
	return s.log(storage.Event{Actor: by.Name, Client: by.Client, Action: "paper.updated", DocumentID: d.ID, Detail: storage.PaperChanges(before, f)})
}

func (s *Store) Log(ctx context.Context, e storage.Event) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.log(e)
}

// log appends e, with the next ID and the time now, chained to the event before it. Its agencies
// are those given and those of the dossier and document it names.
func (s *Store) log(e storage.Event) error {
	if e.Detail == nil {
		e.Detail = map[string]any{}
	}
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return fmt.Errorf("log %s: %w", e.Action, err)
	}
	if x, ok := s.dossiers[e.DossierID]; ok {
		e.Agencies = append(e.Agencies, x.Agency)
	}
	if d, ok := s.docs[e.DocumentID]; ok && d.Agency != "" {
		e.Agencies = append(e.Agencies, d.Agency)
	}
	slices.Sort(e.Agencies)
	e.Agencies = slices.Compact(e.Agencies)
	if e.Agencies == nil {
		e.Agencies = []string{}
	}
	e.ID, e.At = int64(len(s.events)+1), storage.EventTime(s.now())
	if len(s.events) > 0 {
		e.PrevHash = s.events[len(s.events)-1].Hash
	}
	e.Hash = storage.ChainHash(e.PrevHash, e)
	e.Detail = nil
	s.events = append(s.events, event{Event: e, detail: detail})
	return nil
}

// read returns e as stored, its detail decoded as PostgreSQL's jsonb gives it back.
func (e event) read() (storage.Event, error) {
	ev := e.Event
	if err := json.Unmarshal(e.detail, &ev.Detail); err != nil {
		return storage.Event{}, fmt.Errorf("event %d: %w", e.ID, err)
	}
	ev.Agencies = slices.Clone(ev.Agencies)
	return ev, nil
}

func (s *Store) History(ctx context.Context, dossierID, documentID string) ([]storage.Event, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Event
	for _, e := range s.events {
		if dossierID != "" && e.DossierID == dossierID || dossierID == "" && e.DocumentID == documentID {
			ev, err := e.read()
			if err != nil {
				return nil, fmt.Errorf("history: %w", err)
			}
			out = append(out, ev)
		}
	}
	if len(out) == 0 {
		if dossierID != "" {
			if _, ok := s.dossiers[dossierID]; !ok {
				return nil, fmt.Errorf("dossier %s: %w", dossierID, storage.ErrNotFound)
			}
		} else if _, err := s.document(documentID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) ReceivedDossiers(ctx context.Context, scope storage.Scope, from, to time.Time, after storage.DossierCursor, limit int) ([]storage.Dossier, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Dossier
	for id, d := range s.dossiers {
		at := d.ReceivedAt
		if slices.Contains(scope.Agencies, d.Agency) && !at.Before(from) && at.Before(to) && afterCursor(d.Dossier, after) {
			out = append(out, s.dossier(id))
		}
	}
	slices.SortFunc(out, func(a, b storage.Dossier) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out[:min(limit, len(out))], nil
}

// afterCursor reports whether d comes after the cursor c in the order of receipt.
func afterCursor(d storage.Dossier, c storage.DossierCursor) bool {
	if c.ID == "" {
		return true
	}
	if cmp := d.ReceivedAt.Compare(c.ReceivedAt); cmp != 0 {
		return cmp > 0
	}
	return d.ID > c.ID
}
