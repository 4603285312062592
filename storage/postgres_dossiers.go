package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const dossierColumns = `d.id, d.code, d.procedure_code, p.name, d.agency, a.name, o.id, o.kind, o.name,
	d.received_at, d.due_on, d.status, d.staff`

const dossierFrom = ` FROM dossiers d JOIN procedures p ON p.code = d.procedure_code
	JOIN agencies a ON a.id = d.agency JOIN owners o ON o.id = d.owner_id`

func scanDossier(row pgx.Row) (Dossier, error) {
	var d Dossier
	err := row.Scan(&d.ID, &d.Code, &d.ProcedureCode, &d.ProcedureName, &d.Agency, &d.AgencyName,
		&d.Owner.ID, &d.Owner.Kind, &d.Owner.Name, &d.ReceivedAt, &d.DueOn, &d.Status, &d.Staff)
	return d, err
}

func (p *Postgres) CreateDossier(ctx context.Context, n NewDossier, day time.Time, format func(seq int) (string, error)) (Dossier, error) {
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO owners (id, kind, name) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET name = CASE WHEN owners.name = '' THEN $3 ELSE owners.name END`,
			n.Owner.ID, n.Owner.Kind, n.Owner.Name); err != nil {
			return dbErr(fmt.Sprintf("owner %s", n.Owner.ID), err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO agencies (id, name) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET name = CASE WHEN agencies.name = '' THEN $2 ELSE agencies.name END`,
			n.Agency, n.AgencyName); err != nil {
			return dbErr(fmt.Sprintf("agency %s", n.Agency), err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO procedures (code, name) VALUES ($1, $2)
			ON CONFLICT (code) DO UPDATE SET name = CASE WHEN procedures.name = '' THEN $2 ELSE procedures.name END`,
			n.ProcedureCode, n.ProcedureName); err != nil {
			return dbErr(fmt.Sprintf("procedure %s", n.ProcedureCode), err)
		}
		code, err := nextCode(ctx, tx, n.Agency, day, format)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dossiers (id, code, procedure_code, agency, owner_id, received_at, due_on, staff)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, n.ID, code, n.ProcedureCode, n.Agency, n.Owner.ID, n.ReceivedAt, n.DueOn, n.Staff); err != nil {
			return dbErr(fmt.Sprintf("dossier %s", code), err)
		}
		return appendEvent(ctx, tx, Event{Actor: n.Staff, Client: n.Client, Action: "dossier.received", DossierID: n.ID, OwnerID: n.Owner.ID,
			Detail: map[string]any{"code": code, "procedure": n.ProcedureCode}})
	})
	if err != nil {
		return Dossier{}, dbErr("create dossier", err)
	}
	return p.Dossier(ctx, n.ID)
}

// nextCode draws the next number of agency's sequence for day. The row lock of the upsert
// serialises concurrent counters, so no number is drawn twice and none is skipped.
func nextCode(ctx context.Context, tx pgx.Tx, agency string, day time.Time, format func(seq int) (string, error)) (string, error) {
	var seq int
	if err := tx.QueryRow(ctx, `
		INSERT INTO code_sequences (agency, day, last) VALUES ($1, $2, 1)
		ON CONFLICT (agency, day) DO UPDATE SET last = code_sequences.last + 1
		RETURNING last`, agency, day.Format(time.DateOnly)).Scan(&seq); err != nil {
		return "", dbErr(fmt.Sprintf("next sequence of %s on %s", agency, day.Format(time.DateOnly)), err)
	}
	return format(seq)
}

func (p *Postgres) Dossier(ctx context.Context, id string) (Dossier, error) {
	d, err := scanDossier(p.pool.QueryRow(ctx, `SELECT `+dossierColumns+dossierFrom+` WHERE d.id = $1`, id))
	return d, dbErr("dossier "+id, err)
}

func (p *Postgres) Procedures(ctx context.Context, q string, limit int) ([]Procedure, error) {
	rows, err := p.pool.Query(ctx, `SELECT code, name, field, level, papers FROM procedures
		WHERE $1 = '' OR code LIKE $2 || '%' OR lower(unaccent(name)) LIKE '%' || lower(unaccent($2)) || '%'
		ORDER BY code LIMIT $3`, q, likeEscaped(q), limit)
	if err != nil {
		return nil, dbErr("procedures", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Procedure])
	return out, dbErr("procedures", err)
}

// likeEscaped is s matched literally inside a LIKE pattern.
func likeEscaped(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

func (p *Postgres) DossierByCode(ctx context.Context, code string) (Dossier, error) {
	d, err := scanDossier(p.pool.QueryRow(ctx, `SELECT `+dossierColumns+dossierFrom+` WHERE d.code = $1`, code))
	return d, dbErr("dossier "+code, err)
}

func (p *Postgres) DossierVisible(ctx context.Context, id string, s Scope) error {
	agencies, _ := scopeArgs(&s)
	var ok bool
	err := p.pool.QueryRow(ctx, `SELECT agency = ANY($2::text[]) FROM dossiers WHERE id = $1`, id, agencies).Scan(&ok)
	if err == nil && !ok {
		return fmt.Errorf("dossier %s: out of scope: %w", id, ErrNotFound)
	}
	return dbErr("dossier "+id, err)
}

func (p *Postgres) Attach(ctx context.Context, dossierID, documentID, role string, reused bool, by Actor, format func(series string, seq int) (string, error)) (Attachment, error) {
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var agency, owner string
		if err := tx.QueryRow(ctx, `SELECT agency, owner_id FROM dossiers WHERE id = $1 FOR UPDATE`, dossierID).Scan(&agency, &owner); err != nil {
			return dbErr("dossier "+dossierID, err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dossier_documents WHERE dossier_id = $1 AND document_id = $2)`,
			dossierID, documentID).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		var (
			docOwner, status string
			reusable         bool
			validUntil       *time.Time
		)
		if err := tx.QueryRow(ctx, `SELECT coalesce(owner_id, ''), status, reusable, valid_until FROM documents WHERE id = $1 FOR UPDATE`,
			documentID).Scan(&docOwner, &status, &reusable, &validUntil); err != nil {
			return dbErr("document "+documentID, err)
		}
		if reused {
			switch {
			case docOwner != owner:
				return fmt.Errorf("document %s is not a paper of %s: %w", documentID, owner, ErrOtherOwner)
			case status != StatusDone || !reusable:
				return fmt.Errorf("document %s is %s, reusable %v: %w", documentID, status, reusable, ErrNotReady)
			case Expired(validUntil, time.Now()):
				return fmt.Errorf("document %s expired on %s: %w", documentID, validUntil.Format(time.DateOnly), ErrExpired)
			}
		} else if docOwner == "" {
			// A paper handed in with a dossier belongs to the dossier's owner.
			if _, err := tx.Exec(ctx, `UPDATE documents SET owner_id = $2 WHERE id = $1`, documentID, owner); err != nil {
				return err
			}
		} else if docOwner != owner {
			// The same bytes handed in for another owner: only the reuse rules may attach them.
			return fmt.Errorf("document %s is a paper of %s, not of %s: %w", documentID, docOwner, owner, ErrOtherOwner)
		}
		series := "TP"
		if role == "result" {
			series = "KQ"
		}
		var seq int
		if err := tx.QueryRow(ctx, `INSERT INTO serials (agency, series, last) VALUES ($1, $2, 1)
			ON CONFLICT (agency, series) DO UPDATE SET last = serials.last + 1 RETURNING last`, agency, series).Scan(&seq); err != nil {
			return dbErr(fmt.Sprintf("next %s of %s", series, agency), err)
		}
		code, err := format(series, seq)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dossier_documents (dossier_id, document_id, role, component_code, reused, agency, crosses)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT agency FROM documents WHERE id = $2) IS DISTINCT FROM $6)`,
			dossierID, documentID, role, code, reused, agency); err != nil {
			return dbErr(fmt.Sprintf("attach %s to %s", documentID, dossierID), err)
		}
		action := "document.attached"
		if reused {
			action = "document.reused"
		}
		return appendEvent(ctx, tx, Event{Actor: by.Name, Client: by.Client, Action: action, DossierID: dossierID, DocumentID: documentID, OwnerID: owner,
			Detail: map[string]any{"role": role, "component_code": code}})
	})
	if err != nil {
		return Attachment{}, dbErr("attach", err)
	}
	atts, err := p.Attachments(ctx, dossierID)
	if err != nil {
		return Attachment{}, err
	}
	for _, a := range atts {
		if a.DocumentID == documentID {
			return a, nil
		}
	}
	return Attachment{}, fmt.Errorf("attachment of %s to %s: %w", documentID, dossierID, ErrNotFound)
}

func (p *Postgres) Attachments(ctx context.Context, dossierID string) ([]Attachment, error) {
	if _, err := p.Dossier(ctx, dossierID); err != nil {
		return nil, err
	}
	rows, err := p.pool.Query(ctx, `SELECT dd.dossier_id, dd.document_id, dd.role, dd.component_code, dd.reused, dd.attached_at
		FROM dossier_documents dd WHERE dd.dossier_id = $1 ORDER BY dd.attached_at, dd.component_code`, dossierID)
	if err != nil {
		return nil, dbErr(fmt.Sprintf("attachments of %s", dossierID), err)
	}
	atts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Attachment, error) {
		var a Attachment
		err := r.Scan(&a.DossierID, &a.DocumentID, &a.Role, &a.ComponentCode, &a.Reused, &a.AttachedAt)
		return a, err
	})
	if err != nil {
		return nil, dbErr(fmt.Sprintf("attachments of %s", dossierID), err)
	}
	for i := range atts {
		if atts[i].Document, err = p.Document(ctx, atts[i].DocumentID); err != nil {
			return nil, err
		}
	}
	return atts, nil
}

const paperColumns = `coalesce(owner_id, ''), kind, notation, issued_on, issuing_body, valid_until, validity_scope, reusable,
	ARRAY(SELECT d.code FROM dossier_documents dd JOIN dossiers d ON d.id = dd.dossier_id
		WHERE dd.document_id = documents.id ORDER BY dd.attached_at), extracted`

func (p *Postgres) scanPaper(row pgx.Row) (Paper, error) {
	var pp Paper
	d, err := scanDocument(row, &pp.OwnerID, &pp.Kind, &pp.Notation, &pp.IssuedOn, &pp.IssuingBody, &pp.ValidUntil,
		&pp.ValidityScope, &pp.Reusable, &pp.Dossiers, &pp.Extracted)
	pp.Document = d
	return pp, err
}

func (p *Postgres) Papers(ctx context.Context, ownerID string, validOn *time.Time) ([]Paper, error) {
	q := `SELECT ` + documentColumns + `, ` + paperColumns + ` FROM documents WHERE owner_id = $1`
	args := []any{ownerID}
	if validOn != nil {
		q += ` AND status = 'done' AND reusable AND (valid_until IS NULL OR valid_until >= $2)`
		args = append(args, validOn.Format(time.DateOnly))
	}
	rows, err := p.pool.Query(ctx, q+` ORDER BY created_at DESC`, args...)
	if err != nil {
		return nil, dbErr(fmt.Sprintf("papers of %s", ownerID), err)
	}
	papers, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Paper, error) { return p.scanPaper(r) })
	if err != nil {
		return nil, dbErr(fmt.Sprintf("papers of %s", ownerID), err)
	}
	return papers, nil
}

func (p *Postgres) Paper(ctx context.Context, documentID string) (Paper, error) {
	pp, err := p.scanPaper(p.pool.QueryRow(ctx, `SELECT `+documentColumns+`, `+paperColumns+` FROM documents WHERE id = $1`, documentID))
	return pp, dbErr("paper "+documentID, err)
}

func (p *Postgres) SetExtracted(ctx context.Context, documentID string, fields json.RawMessage) error {
	tag, err := p.pool.Exec(ctx, `UPDATE documents SET extracted = $2 WHERE id = $1`, documentID, fields)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("set extracted fields of "+documentID, err)
}

func (p *Postgres) SetPaper(ctx context.Context, documentID string, f PaperFields, by Actor) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		before, err := p.scanPaper(tx.QueryRow(ctx, `SELECT `+documentColumns+`, `+paperColumns+` FROM documents WHERE id = $1 FOR UPDATE`, documentID))
		if err != nil {
			return dbErr("set paper "+documentID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE documents SET
			owner_id = coalesce($2, owner_id), kind = coalesce($3, kind), notation = coalesce($4, notation),
			issued_on = coalesce($5, issued_on), issuing_body = coalesce($6, issuing_body),
			valid_until = coalesce($7, valid_until), validity_scope = coalesce($8, validity_scope),
			reusable = coalesce($9, reusable), updated_at = now()
			WHERE id = $1`, documentID, f.OwnerID, f.Kind, f.Notation, f.IssuedOn, f.IssuingBody, f.ValidUntil, f.ValidityScope, f.Reusable); err != nil {
			return dbErr("set paper "+documentID, err)
		}
		return appendEvent(ctx, tx, Event{Actor: by.Name, Client: by.Client, Action: "paper.updated", DocumentID: documentID, Detail: PaperChanges(before, f)})
	})
}

func (p *Postgres) ReviewPage(ctx context.Context, documentID string, n int, by Actor) error {
	op := fmt.Sprintf("review page %d of %s", n, documentID)
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var read bool
		err := tx.QueryRow(ctx, `UPDATE pages SET reviewed_by = $3, reviewed_at = now()
			WHERE document_id = $1 AND n = $2 RETURNING ocr_key IS NOT NULL`, documentID, n, by.Name).Scan(&read)
		if err != nil {
			return dbErr(op, err)
		}
		if !read {
			return fmt.Errorf("%s: %w", op, ErrPageNotRead) // and the update is rolled back
		}
		return appendEvent(ctx, tx, Event{Actor: by.Name, Client: by.Client, Action: "page.reviewed", DocumentID: documentID, Detail: map[string]any{"page": n}})
	})
}

func (p *Postgres) History(ctx context.Context, dossierID, documentID string) ([]Event, error) {
	q, arg := `SELECT `+eventColumns+` FROM events WHERE dossier_id = $1 ORDER BY id`, dossierID
	if dossierID == "" {
		q, arg = `SELECT `+eventColumns+` FROM events WHERE document_id = $1 ORDER BY id`, documentID
	}
	rows, err := p.pool.Query(ctx, q, arg)
	if err != nil {
		return nil, dbErr("history", err)
	}
	events, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, dbErr("history", err)
	}
	if len(events) == 0 {
		if dossierID != "" {
			_, err = p.Dossier(ctx, dossierID)
		} else {
			err = p.documentExists(ctx, documentID)
		}
		return nil, err
	}
	return events, nil
}

func (p *Postgres) ReceivedDossiers(ctx context.Context, s Scope, from, to time.Time, after DossierCursor, limit int) ([]Dossier, error) {
	agencies, _ := scopeArgs(&s)
	var afterAt *time.Time
	var afterID *string
	if after.ID != "" {
		afterAt, afterID = &after.ReceivedAt, &after.ID
	}
	rows, err := p.pool.Query(ctx, `SELECT `+dossierColumns+dossierFrom+`
		WHERE d.agency = ANY($1::text[]) AND d.received_at >= $2 AND d.received_at < $3
			AND ($4::timestamptz IS NULL OR (d.received_at, d.id) > ($4, $5::uuid))
		ORDER BY d.received_at, d.id LIMIT $6`, agencies, from, to, afterAt, afterID, limit)
	what := fmt.Sprintf("dossiers received from %s to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))
	if err != nil {
		return nil, dbErr(what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Dossier, error) { return scanDossier(r) })
	return out, dbErr(what, err)
}
