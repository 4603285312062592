package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
)

// The admin screen's routes: accounts, their tokens and the agencies, what `sohoa users|tokens|agencies`
// do on the server's console. An admin manages the accounts of its agency and those under it; each
// change is in the trail.

// AccountJSON is an account as the admin screen lists it; its secrets never leave the server.
type AccountJSON struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	RoleLabel string    `json:"role_label"`
	Agency    string    `json:"agency"`
	Disabled  bool      `json:"disabled"`
	Locked    bool      `json:"locked"`
	CreatedAt time.Time `json:"created_at"`
}

// TokenJSON is a token without its secret.
type TokenJSON struct {
	ID        string     `json:"id"`
	Account   string     `json:"account"`
	CreatedAt time.Time  `json:"created_at"`
	UsedAt    *time.Time `json:"used_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

func (s *Server) accountJSON(a storage.Account) AccountJSON {
	role, _ := account.ParseRole(a.Role)
	return AccountJSON{Name: a.Name, Role: a.Role, RoleLabel: role.Label(), Agency: a.Agency, Disabled: a.Disabled,
		Locked: a.LockedUntil != nil && s.now().Before(*a.LockedUntil), CreatedAt: a.CreatedAt}
}

// reachable returns the accounts of the principal's agencies, by name.
func (s *Server) reachable(w http.ResponseWriter, r *http.Request) (map[string]storage.Account, bool) {
	list, err := s.Accounts.ListAccounts(r.Context())
	if err != nil {
		s.storeError(w, r, err)
		return nil, false
	}
	out := map[string]storage.Account{}
	for _, a := range list {
		if slices.Contains(who(r).scope.Agencies, a.Agency) {
			out[a.Name] = a
		}
	}
	return out, true
}

// pathAccount is the account the {name} path value names, answering 404 itself for one out of reach.
func (s *Server) pathAccount(w http.ResponseWriter, r *http.Request) (storage.Account, bool) {
	a, err := s.Accounts.Account(r.Context(), r.PathValue("name"))
	if err == nil && !slices.Contains(who(r).scope.Agencies, a.Agency) {
		err = storage.ErrNotFound
	}
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusNotFound, codeNotFound, "Không tìm thấy tài khoản.")
		return storage.Account{}, false
	}
	if err != nil {
		s.storeError(w, r, err)
		return storage.Account{}, false
	}
	return a, true
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request) {
	all, ok := s.reachable(w, r)
	if !ok {
		return
	}
	out := make([]AccountJSON, 0, len(all))
	for _, a := range all {
		out = append(out, s.accountJSON(a))
	}
	slices.SortFunc(out, func(a, b AccountJSON) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, map[string]any{"accounts": out})
}

// createAccount makes an account with a generated password, shown once in the answer.
func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) {
	var b struct{ Name, Role, Agency string }
	if !readJSON(w, r, &b) {
		return
	}
	b.Name, b.Agency = strings.TrimSpace(b.Name), strings.TrimSpace(b.Agency)
	role, err := account.ParseRole(b.Role)
	if err != nil || b.Name == "" || len(b.Name) > 64 || strings.ContainsAny(b.Name, " /\t\n") {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Cần tên tài khoản (không dấu cách, tối đa 64 ký tự) và vai trò: station, clerk, archivist, auditor hoặc admin.")
		return
	}
	if b.Agency == "" {
		b.Agency = who(r).account.Agency
	}
	if !slices.Contains(who(r).scope.Agencies, b.Agency) {
		writeError(w, http.StatusNotFound, codeNotFound, "Không tìm thấy cơ quan "+b.Agency+" trong phạm vi quản trị.")
		return
	}
	password := account.NewPassword()
	hash, err := account.HashPassword(password)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	a, err := s.Accounts.CreateAccount(r.Context(), storage.NewAccount{Name: b.Name, Role: string(role), Agency: b.Agency, PasswordHash: hash})
	if errors.Is(err, storage.ErrExists) {
		writeError(w, http.StatusConflict, codeExists, "Đã có tài khoản tên "+b.Name+".")
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: "account.created", Detail: map[string]any{"account": a.Name, "role": a.Role, "agency": a.Agency}}) {
		writeJSON(w, http.StatusCreated, map[string]any{"account": s.accountJSON(a), "password": password})
	}
}

func (s *Server) disableAccount(w http.ResponseWriter, r *http.Request) {
	a, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	if err := s.Accounts.Disable(r.Context(), a.Name); err != nil {
		s.storeError(w, r, err)
		return
	}
	a.Disabled = true
	if s.record(w, r, storage.Event{Action: "account.disabled", Detail: map[string]any{"account": a.Name}}) {
		writeJSON(w, http.StatusOK, s.accountJSON(a))
	}
}

// resetPassword gives the account a new generated password, shown once, and ends its sessions.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) {
	a, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	password := account.NewPassword()
	hash, err := account.HashPassword(password)
	if err == nil {
		err = s.Accounts.SetPassword(r.Context(), a.Name, hash)
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: "account.password_reset", Detail: map[string]any{"account": a.Name}}) {
		writeJSON(w, http.StatusOK, map[string]string{"password": password})
	}
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	all, ok := s.reachable(w, r)
	if !ok {
		return
	}
	list, err := s.Accounts.ListTokens(r.Context())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := []TokenJSON{}
	for _, t := range list {
		if _, mine := all[t.Account]; mine {
			out = append(out, TokenJSON{ID: t.ID, Account: t.Account, CreatedAt: t.CreatedAt, UsedAt: t.UsedAt, RevokedAt: t.RevokedAt})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

// createToken makes a token of the account; the answer is the only place its secret appears.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	a, ok := s.pathAccount(w, r)
	if !ok {
		return
	}
	tok, id, hash := account.NewToken()
	if _, err := s.Accounts.AddToken(r.Context(), a.Name, id, hash); err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: "token.created", Detail: map[string]any{"account": a.Name, "token": id}}) {
		writeJSON(w, http.StatusCreated, map[string]string{"id": id, "account": a.Name, "token": tok})
	}
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	all, ok := s.reachable(w, r)
	if !ok {
		return
	}
	list, err := s.Accounts.ListTokens(r.Context())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	i := slices.IndexFunc(list, func(t storage.Token) bool { _, mine := all[t.Account]; return mine && t.ID == r.PathValue("id") })
	if i < 0 {
		writeError(w, http.StatusNotFound, codeNotFound, "Không tìm thấy mã truy cập.")
		return
	}
	if err := s.Accounts.RevokeToken(r.Context(), list[i].ID); err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: "token.revoked", Detail: map[string]any{"account": list[i].Account, "token": list[i].ID}}) {
		w.WriteHeader(http.StatusNoContent)
	}
}

// listAgencies gives every agency: names for the screens' filters and labels, no one's data.
func (s *Server) listAgencies(w http.ResponseWriter, r *http.Request) {
	list, err := s.Accounts.Agencies(r.Context(), nil)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := make([]map[string]string, len(list))
	for i, a := range list {
		out[i] = map[string]string{"id": a.ID, "name": a.Name, "parent": a.Parent, "level": a.Level}
	}
	writeJSON(w, http.StatusOK, map[string]any{"agencies": out})
}

// addAgency records an agency under one the admin reaches (its own agency's tree only grows below).
func (s *Server) addAgency(w http.ResponseWriter, r *http.Request) {
	var b struct{ ID, Name, Parent string }
	if !readJSON(w, r, &b) {
		return
	}
	b.ID, b.Name, b.Parent = strings.TrimSpace(b.ID), strings.TrimSpace(b.Name), strings.TrimSpace(b.Parent)
	if b.ID == "" || b.Name == "" || b.Parent == "" {
		writeError(w, http.StatusBadRequest, codeMissing, "Cần mã định danh (id), tên (name) và cơ quan cấp trên (parent).")
		return
	}
	if !slices.Contains(who(r).scope.Agencies, b.Parent) {
		writeError(w, http.StatusNotFound, codeNotFound, "Không tìm thấy cơ quan cấp trên "+b.Parent+" trong phạm vi quản trị.")
		return
	}
	// An agency that exists out of reach keeps its place: moving it under this admin's tree would
	// hand the admin its papers.
	if known, err := s.Accounts.Agencies(r.Context(), []string{b.ID}); err != nil {
		s.storeError(w, r, err)
		return
	} else if len(known) > 0 && !slices.Contains(who(r).scope.Agencies, b.ID) {
		writeError(w, http.StatusConflict, codeExists, "Đã có cơ quan mang mã "+b.ID+" ngoài phạm vi quản trị.")
		return
	}
	if err := s.Accounts.EnsureAgency(r.Context(), b.ID, b.Name, b.Parent); err != nil {
		s.storeError(w, r, err)
		return
	}
	if s.record(w, r, storage.Event{Action: "agency.added", Detail: map[string]any{"agency": b.ID, "name": b.Name, "parent": b.Parent}}) {
		writeJSON(w, http.StatusCreated, map[string]string{"id": b.ID, "name": b.Name, "parent": b.Parent})
	}
}

// procedures finds procedures of the catalogue by code or name, for the counter's dossier form.
func (s *Server) procedures(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := s.Dossiers.Procedures(r.Context(), q, 20)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := make([]map[string]string, len(list))
	for i, p := range list {
		out[i] = map[string]string{"code": p.Code, "name": p.Name}
	}
	writeJSON(w, http.StatusOK, map[string]any{"procedures": out})
}
