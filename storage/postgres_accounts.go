package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	_ Accounts = (*Postgres)(nil)
	_ Trail    = (*Postgres)(nil)
)

func (p *Postgres) EnsureAgency(ctx context.Context, id, name, parent string) error {
	_, err := p.pool.Exec(ctx, `INSERT INTO agencies (id, name, parent) VALUES ($1, $2, nullif($3, ''))
		ON CONFLICT (id) DO UPDATE SET name = CASE WHEN $2 = '' THEN agencies.name ELSE $2 END,
			parent = coalesce(nullif($3, ''), agencies.parent)`, id, name, parent)
	return constraintErr(dbErr("agency "+id, err))
}

func (p *Postgres) Subtree(ctx context.Context, agency string) ([]string, error) {
	var out []string
	err := p.pool.QueryRow(ctx, `WITH RECURSIVE sub AS (
			SELECT id FROM agencies WHERE id = $1
			UNION SELECT a.id FROM agencies a JOIN sub ON a.parent = sub.id)
		SELECT ARRAY(SELECT id FROM sub ORDER BY id)`, agency).Scan(&out)
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	return out, dbErr("agencies under "+agency, err)
}

// constraintErr turns a foreign-key violation into ErrNotFound and a unique violation into ErrExists.
func constraintErr(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23503":
			return fmt.Errorf("%w (%s)", ErrNotFound, pgErr.Detail)
		case "23505":
			return fmt.Errorf("%w (%s)", ErrExists, pgErr.Detail)
		}
	}
	return err
}

const accountColumns = `id, name, role, agency, password_hash, disabled, failures, locked_until, created_at`

func scanAccount(row pgx.Row) (Account, error) {
	var a Account
	err := row.Scan(&a.ID, &a.Name, &a.Role, &a.Agency, &a.PasswordHash, &a.Disabled, &a.Failures, &a.LockedUntil, &a.CreatedAt)
	return a, err
}

func (p *Postgres) CreateAccount(ctx context.Context, n NewAccount) (Account, error) {
	a, err := scanAccount(p.pool.QueryRow(ctx, `INSERT INTO accounts (name, role, agency, password_hash)
		VALUES ($1, $2, $3, $4) RETURNING `+accountColumns, n.Name, n.Role, n.Agency, n.PasswordHash))
	return a, constraintErr(dbErr("create account "+n.Name, err))
}

func (p *Postgres) Account(ctx context.Context, name string) (Account, error) {
	a, err := scanAccount(p.pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE name = $1`, name))
	return a, dbErr("account "+name, err)
}

func (p *Postgres) ListAccounts(ctx context.Context) ([]Account, error) {
	rows, err := p.pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY name`)
	if err != nil {
		return nil, dbErr("accounts", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Account, error) { return scanAccount(r) })
	return out, dbErr("accounts", err)
}

// changeAccount runs an UPDATE of the account called name; ErrNotFound when there is none.
func (p *Postgres) changeAccount(ctx context.Context, name, set string, args ...any) error {
	tag, err := p.pool.Exec(ctx, `UPDATE accounts SET `+set+` WHERE name = $1`, append([]any{name}, args...)...)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("account "+name, err)
}

func (p *Postgres) SetPassword(ctx context.Context, name, hash string) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `UPDATE accounts SET password_hash = $2, failures = 0, locked_until = NULL
			WHERE name = $1 RETURNING id`, name, hash).Scan(&id); err != nil {
			return dbErr("set password of "+name, err)
		}
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, id)
		return dbErr("end sessions of "+name, err)
	})
}

func (p *Postgres) Disable(ctx context.Context, name string) error {
	return pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, `UPDATE accounts SET disabled = true WHERE name = $1 RETURNING id`, name).Scan(&id); err != nil {
			return dbErr("disable "+name, err)
		}
		_, err := tx.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, id)
		return dbErr("end sessions of "+name, err)
	})
}

func (p *Postgres) SignInFailed(ctx context.Context, name string, limit int, lockUntil time.Time) (int, error) {
	var n int
	err := p.pool.QueryRow(ctx, `UPDATE accounts SET failures = failures + 1,
			locked_until = CASE WHEN failures + 1 >= $2 THEN $3 ELSE locked_until END
		WHERE name = $1 RETURNING failures`, name, limit, lockUntil).Scan(&n)
	return n, dbErr("sign-in failure of "+name, err)
}

func (p *Postgres) SignedIn(ctx context.Context, name string) error {
	return p.changeAccount(ctx, name, `failures = 0, locked_until = NULL`)
}

func (p *Postgres) AddToken(ctx context.Context, account, id string, hash []byte) (Token, error) {
	t := Token{ID: id, Account: account}
	err := p.pool.QueryRow(ctx, `INSERT INTO tokens (id, account_id, hash)
		SELECT $2, id, $3 FROM accounts WHERE name = $1 RETURNING account_id, created_at`, account, id, hash).Scan(&t.AccountID, &t.CreatedAt)
	return t, constraintErr(dbErr("token of "+account, err))
}

// seenEvery is how stale a token's last use or a session's last request may be: recording each
// request would make every read a write (and a commit to flush) for a time nobody needs to the second.
const seenEvery = `interval '1 minute'`

func (p *Postgres) TokenAccount(ctx context.Context, hash []byte, now time.Time) (Account, error) {
	a, err := scanAccount(p.pool.QueryRow(ctx, `WITH t AS (
			SELECT account_id FROM tokens WHERE hash = $1 AND revoked_at IS NULL),
		used AS (
			UPDATE tokens SET used_at = $2 WHERE hash = $1 AND revoked_at IS NULL
				AND (used_at IS NULL OR used_at < $2::timestamptz - `+seenEvery+`))
		SELECT `+accountColumns+` FROM accounts WHERE id = (SELECT account_id FROM t)`, hash, now))
	return a, dbErr("token", err)
}

func (p *Postgres) ListTokens(ctx context.Context) ([]Token, error) {
	rows, err := p.pool.Query(ctx, `SELECT t.id, t.account_id, a.name, t.created_at, t.used_at, t.revoked_at
		FROM tokens t JOIN accounts a ON a.id = t.account_id ORDER BY t.created_at DESC, t.id`)
	if err != nil {
		return nil, dbErr("tokens", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		err := r.Scan(&t.ID, &t.AccountID, &t.Account, &t.CreatedAt, &t.UsedAt, &t.RevokedAt)
		return t, err
	})
	return out, dbErr("tokens", err)
}

func (p *Postgres) RevokeToken(ctx context.Context, id string) error {
	tag, err := p.pool.Exec(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("revoke token "+id, err)
}

func (p *Postgres) StartSession(ctx context.Context, account string, hash []byte, now time.Time) error {
	tag, err := p.pool.Exec(ctx, `INSERT INTO sessions (hash, account_id, created_at, seen_at)
		SELECT $2, id, $3, $3 FROM accounts WHERE name = $1`, account, hash, now)
	if err == nil && tag.RowsAffected() == 0 {
		err = ErrNotFound
	}
	return dbErr("session of "+account, err)
}

func (p *Postgres) Session(ctx context.Context, hash []byte, now time.Time) (Session, error) {
	var s Session
	var a Account
	err := p.pool.QueryRow(ctx, `WITH s AS (
			SELECT account_id, created_at, seen_at FROM sessions WHERE hash = $1),
		seen AS (
			UPDATE sessions SET seen_at = $2 WHERE hash = $1 AND seen_at < $2::timestamptz - `+seenEvery+`)
		SELECT s.created_at, s.seen_at, a.id, a.name, a.role, a.agency, a.password_hash, a.disabled, a.failures,
			a.locked_until, a.created_at
		FROM s JOIN accounts a ON a.id = s.account_id`, hash, now).
		Scan(&s.CreatedAt, &s.SeenAt, &a.ID, &a.Name, &a.Role, &a.Agency, &a.PasswordHash, &a.Disabled, &a.Failures,
			&a.LockedUntil, &a.CreatedAt)
	s.Account = a
	return s, dbErr("session", err)
}

func (p *Postgres) EndSession(ctx context.Context, hash []byte) error {
	_, err := p.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash)
	return dbErr("end session", err)
}

// GrantService gives role what sohoa's services need (see the function GrantService); p must be
// connected as the tables' owner.
func (p *Postgres) GrantService(ctx context.Context, role string) error {
	return GrantService(ctx, p.pool, role)
}

// ClaimUnowned gives agency the documents received before documents had one: a deployment that
// predates accounts received everything for its one agency.
func (p *Postgres) ClaimUnowned(ctx context.Context, agency string) (int64, error) {
	var n int64
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE documents SET agency = $1 WHERE agency IS NULL`, agency)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `UPDATE dossier_documents dd SET crosses = d.agency IS DISTINCT FROM x.agency
			FROM documents d, dossiers x WHERE d.id = dd.document_id AND x.id = dd.dossier_id`)
		return err
	})
	return n, dbErr("claim documents for "+agency, err)
}

func (p *Postgres) Agencies(ctx context.Context, ids []string) ([]Agency, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, name, coalesce(parent, ''), level, placeholder FROM agencies
		WHERE $1::text[] IS NULL OR id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, dbErr("agencies", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Agency])
	return out, dbErr("agencies", err)
}
