package memory

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sohoa-vn/sohoa/storage"
)

var (
	_ storage.Accounts = (*Store)(nil)
	_ storage.Trail    = (*Store)(nil)
)

type apiToken struct {
	storage.Token
	hash []byte
}

type session struct {
	account       string
	created, seen time.Time
}

func (s *Store) EnsureAgency(ctx context.Context, id, name, parent string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.agencies[parent]; parent != "" && !ok {
		return fmt.Errorf("agency %s: parent %s: %w", id, parent, storage.ErrNotFound)
	}
	if name == "" {
		name = s.agencies[id]
	}
	s.agencies[id] = name
	if parent != "" {
		s.parents[id] = parent
	}
	return nil
}

func (s *Store) Subtree(ctx context.Context, agency string) ([]string, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if _, ok := s.agencies[agency]; !ok {
		return nil, fmt.Errorf("agency %s: %w", agency, storage.ErrNotFound)
	}
	out := []string{agency}
	for i := 0; i < len(out); i++ {
		for id, parent := range s.parents {
			if parent == out[i] && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// reaches reports whether scope (nil: everything) reaches d.
func (s *Store) reaches(scope *storage.Scope, d *document) bool {
	if scope == nil {
		return true
	}
	if scope.Uploader != 0 && d.UploadedBy != scope.Uploader {
		return false
	}
	if slices.Contains(scope.Agencies, d.Agency) {
		return true
	}
	return slices.ContainsFunc(d.in, func(id string) bool { return slices.Contains(scope.Agencies, s.dossiers[id].Agency) })
}

func (s *Store) Visible(ctx context.Context, id string, scope storage.Scope) error {
	_, err := withDocument(ctx, s, id, func(d *document) (any, error) {
		if !s.reaches(&scope, d) {
			return nil, fmt.Errorf("document %s: out of scope: %w", id, storage.ErrNotFound)
		}
		return nil, nil
	})
	return err
}

func (s *Store) DossierVisible(ctx context.Context, id string, scope storage.Scope) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if x, ok := s.dossiers[id]; !ok || !slices.Contains(scope.Agencies, x.Agency) {
		return fmt.Errorf("dossier %s: %w", id, storage.ErrNotFound)
	}
	return nil
}

func (s *Store) CreateAccount(ctx context.Context, a storage.NewAccount) (storage.Account, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Account{}, err
	}
	defer s.mu.Unlock()
	if _, ok := s.accounts[a.Name]; ok {
		return storage.Account{}, fmt.Errorf("account %s: %w", a.Name, storage.ErrExists)
	}
	if _, ok := s.agencies[a.Agency]; !ok {
		return storage.Account{}, fmt.Errorf("account %s: agency %s: %w", a.Name, a.Agency, storage.ErrNotFound)
	}
	acc := &storage.Account{ID: int64(len(s.accounts) + 1), Name: a.Name, Role: a.Role, Agency: a.Agency,
		PasswordHash: a.PasswordHash, CreatedAt: s.now()}
	s.accounts[a.Name] = acc
	return *acc, nil
}

// account runs f on the account called name under the lock.
func (s *Store) account(ctx context.Context, name string, f func(*storage.Account) error) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	acc, ok := s.accounts[name]
	if !ok {
		return fmt.Errorf("account %s: %w", name, storage.ErrNotFound)
	}
	return f(acc)
}

func (s *Store) Account(ctx context.Context, name string) (storage.Account, error) {
	var out storage.Account
	err := s.account(ctx, name, func(a *storage.Account) error { out = *a; return nil })
	return out, err
}

func (s *Store) ListAccounts(ctx context.Context) ([]storage.Account, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Account
	for _, a := range s.accounts {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b storage.Account) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func (s *Store) SetPassword(ctx context.Context, name, hash string) error {
	return s.account(ctx, name, func(a *storage.Account) error {
		a.PasswordHash, a.Failures, a.LockedUntil = hash, 0, nil
		s.endSessions(name)
		return nil
	})
}

func (s *Store) Disable(ctx context.Context, name string) error {
	return s.account(ctx, name, func(a *storage.Account) error {
		a.Disabled = true
		s.endSessions(name)
		return nil
	})
}

// endSessions forgets the sessions of the account called name; the caller holds the lock.
func (s *Store) endSessions(name string) {
	for h, ss := range s.sessions {
		if ss.account == name {
			delete(s.sessions, h)
		}
	}
}

func (s *Store) SignInFailed(ctx context.Context, name string, limit int, lockUntil time.Time) (int, error) {
	var n int
	err := s.account(ctx, name, func(a *storage.Account) error {
		a.Failures++
		if a.Failures >= limit {
			a.LockedUntil = &lockUntil
		}
		n = a.Failures
		return nil
	})
	return n, err
}

func (s *Store) SignedIn(ctx context.Context, name string) error {
	return s.account(ctx, name, func(a *storage.Account) error { a.Failures, a.LockedUntil = 0, nil; return nil })
}

func (s *Store) AddToken(ctx context.Context, account, id string, hash []byte) (storage.Token, error) {
	var t storage.Token
	err := s.account(ctx, account, func(a *storage.Account) error {
		t = storage.Token{ID: id, AccountID: a.ID, Account: a.Name, CreatedAt: s.now()}
		s.tokens = append(s.tokens, &apiToken{Token: t, hash: slices.Clone(hash)})
		return nil
	})
	return t, err
}

func (s *Store) TokenAccount(ctx context.Context, hash []byte, now time.Time) (storage.Account, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Account{}, err
	}
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if bytes.Equal(t.hash, hash) && t.RevokedAt == nil {
			if t.UsedAt == nil || now.Sub(*t.UsedAt) > storage.SeenEvery {
				t.UsedAt = &now
			}
			return *s.accounts[t.Account], nil
		}
	}
	return storage.Account{}, fmt.Errorf("token: %w", storage.ErrNotFound)
}

func (s *Store) ListTokens(ctx context.Context) ([]storage.Token, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Token
	for _, t := range slices.Backward(s.tokens) {
		out = append(out, t.Token)
	}
	return out, nil
}

func (s *Store) RevokeToken(ctx context.Context, id string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.ID == id {
			if t.RevokedAt == nil {
				now := s.now()
				t.RevokedAt = &now
			}
			return nil
		}
	}
	return fmt.Errorf("token %s: %w", id, storage.ErrNotFound)
}

func (s *Store) StartSession(ctx context.Context, account string, hash []byte, now time.Time) error {
	return s.account(ctx, account, func(a *storage.Account) error {
		s.sessions[string(hash)] = &session{account: account, created: now, seen: now}
		return nil
	})
}

func (s *Store) Session(ctx context.Context, hash []byte, now time.Time) (storage.Session, error) {
	if err := s.lock(ctx); err != nil {
		return storage.Session{}, err
	}
	defer s.mu.Unlock()
	ss, ok := s.sessions[string(hash)]
	if !ok {
		return storage.Session{}, fmt.Errorf("session: %w", storage.ErrNotFound)
	}
	out := storage.Session{Account: *s.accounts[ss.account], CreatedAt: ss.created, SeenAt: ss.seen}
	if now.Sub(ss.seen) > storage.SeenEvery {
		ss.seen = now
	}
	return out, nil
}

func (s *Store) EndSession(ctx context.Context, hash []byte) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	delete(s.sessions, string(hash))
	return nil
}

func (s *Store) Audit(ctx context.Context, q storage.AuditQuery) (int, []storage.Event, error) {
	if err := s.lock(ctx); err != nil {
		return 0, nil, err
	}
	defer s.mu.Unlock()
	var match []storage.Event
	for _, e := range slices.Backward(s.events) {
		if q.Owner != "" && e.OwnerID != q.Owner || q.Account != "" && e.Actor != q.Account ||
			q.Document != "" && e.DocumentID != q.Document || q.From != nil && e.At.Before(*q.From) ||
			q.To != nil && e.At.After(*q.To) ||
			q.Scope != nil && !slices.ContainsFunc(e.Agencies, func(a string) bool { return slices.Contains(q.Scope.Agencies, a) }) {
			continue
		}
		ev, err := e.read()
		if err != nil {
			return 0, nil, fmt.Errorf("audit: %w", err)
		}
		match = append(match, ev)
	}
	return len(match), window(match, q.Limit, 100, q.Offset), nil
}

func (s *Store) Chain(ctx context.Context, after int64, limit int) ([]storage.Event, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Event
	for _, e := range s.events {
		if e.ID > after && len(out) < limit {
			ev, err := e.read()
			if err != nil {
				return nil, fmt.Errorf("trail: %w", err)
			}
			out = append(out, ev)
		}
	}
	return out, nil
}

// Tamper replaces the action of event id without rechaining, as an edit behind the store's back
// would: for tests of VerifyTrail.
func (s *Store) Tamper(id int64, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events[id-1].Action = action
}

func (s *Store) Agencies(ctx context.Context, ids []string) ([]storage.Agency, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	var out []storage.Agency
	for id, name := range s.agencies {
		if ids == nil || slices.Contains(ids, id) {
			info := s.agencyInfo[id]
			out = append(out, storage.Agency{ID: id, Name: name, Parent: s.parents[id], Level: info.Level, Placeholder: info.Placeholder})
		}
	}
	slices.SortFunc(out, func(a, b storage.Agency) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
