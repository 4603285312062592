package storage

import (
	"context"
	"time"
)

// Account is a person or a machine that may use sohoa: one role in one agency.
type Account struct {
	ID           int64
	Name         string
	Role         string // station, clerk, archivist, auditor, admin (internal/account)
	Agency       string
	PasswordHash string
	Disabled     bool
	Failures     int        // sign-in failures since the last success
	LockedUntil  *time.Time // no sign-in before then
	CreatedAt    time.Time
}

// NewAccount is what an administrator gives for a new account.
type NewAccount struct {
	Name, Role, Agency, PasswordHash string
}

// Token is a machine's credential; only its hash is kept.
type Token struct {
	ID        string
	AccountID int64
	Account   string // the account's name
	CreatedAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

// Agency is one agency of the tree: its QCVN 102 identifier, name, parent ("" at the top), level
// (tinh, so, huyen, xa; "" unknown) and whether its identifier or name is a placeholder.
type Agency struct {
	ID, Name, Parent, Level string
	Placeholder             bool
}

// SeenEvery is how often a token's use and a session's last request are recorded at most.
const SeenEvery = time.Minute

// Session is a person signed in on the web page; only the hash of its cookie is kept.
type Session struct {
	Account   Account
	CreatedAt time.Time
	SeenAt    time.Time
}

// Scope is what an account reaches: the documents, dossiers and events of Agencies (its agency and
// those under it) and, when Uploader is set, of those only the documents that account uploaded.
// Reads that take a *Scope read everything when it is nil (workers and commands, not people).
type Scope struct {
	Agencies []string
	Uploader int64
}

// Accounts keeps accounts, their tokens and sessions, and the tree of agencies. Implementations are
// safe for concurrent use. Methods naming an account, token or session that does not exist return
// ErrNotFound (wrapped); CreateAccount returns ErrExists (wrapped) for a name already taken. Every
// method returns an error for which errors.Is(err, fault.Unavailable) holds when the store does not
// answer.
type Accounts interface {
	// EnsureAgency records an agency under parent ("" for none), its name updated when given.
	EnsureAgency(ctx context.Context, id, name, parent string) error
	// Agencies returns the agencies of ids (nil: every agency), by ID.
	Agencies(ctx context.Context, ids []string) ([]Agency, error)
	// Subtree returns agency and every agency under it, at any depth; ErrNotFound when there is no
	// such agency.
	Subtree(ctx context.Context, agency string) ([]string, error)

	// CreateAccount records a new account; its agency must exist (ErrNotFound otherwise).
	CreateAccount(ctx context.Context, a NewAccount) (Account, error)
	// Account returns the account called name.
	Account(ctx context.Context, name string) (Account, error)
	// ListAccounts returns every account, by name.
	ListAccounts(ctx context.Context) ([]Account, error)
	// SetPassword replaces the account's password hash, clears its failures and lock, and ends its
	// sessions (a password changed after a suspected theft must shut the thief out).
	SetPassword(ctx context.Context, name, hash string) error
	// Disable disables the account and ends its sessions; its tokens stop working with it.
	Disable(ctx context.Context, name string) error
	// SignInFailed counts a failed sign-in and locks the account until lockUntil once it has failed
	// limit times in a row; it returns the failures counted.
	SignInFailed(ctx context.Context, name string, limit int, lockUntil time.Time) (int, error)
	// SignedIn clears the account's failures.
	SignedIn(ctx context.Context, name string) error

	// AddToken records a token of the account by the hash of its secret.
	AddToken(ctx context.Context, account string, id string, hash []byte) (Token, error)
	// TokenAccount returns the account whose unrevoked token has hash, and marks the token used at
	// now unless it was marked so within the last minute.
	TokenAccount(ctx context.Context, hash []byte, now time.Time) (Account, error)
	// ListTokens returns every token, newest first.
	ListTokens(ctx context.Context) ([]Token, error)
	// RevokeToken revokes the token id; revoking twice is harmless.
	RevokeToken(ctx context.Context, id string) error

	// StartSession records a session of the account by the hash of its cookie, started at now.
	StartSession(ctx context.Context, account string, hash []byte, now time.Time) error
	// Session returns the session with hash as it was, and records it seen at now unless it was
	// seen within the last minute (so a session's idle time is known to the minute).
	Session(ctx context.Context, hash []byte, now time.Time) (Session, error)
	// EndSession forgets the session with hash; ending it twice is harmless.
	EndSession(ctx context.Context, hash []byte) error
}
