package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
)

// sessionCookie holds a signed-in person's session key.
const sessionCookie = "sohoa_session"

// principal is who a request comes from: the account, what it reaches, and its address.
type principal struct {
	account storage.Account
	role    account.Role
	scope   storage.Scope
	client  string
}

type principalKey struct{}

// who returns the principal of a request that passed guard.
func who(r *http.Request) *principal {
	p, _ := r.Context().Value(principalKey{}).(*principal)
	return p
}

// access says who may call a route: open routes anyone, the inbox and metrics routes whoever holds
// their token (they check it themselves), every other route the accounts of its roles. The zero
// value admits nobody, so a route that forgets to say is closed. A page route is one a person opens
// in the browser: a refused navigation gets a page saying why, not JSON.
type access struct {
	open, ownToken, page bool
	roles                []account.Role
}

var (
	openToAll      = access{open: true}
	byEventsToken  = access{ownToken: true}
	byMetricsToken = access{ownToken: true}
)

func roles(rs ...account.Role) access { return access{roles: rs} }

// Role sets used by several routes.
var (
	readers = roles(account.Clerk, account.Archivist, account.Admin) // read papers of their agencies
	counter = roles(account.Clerk, account.Admin)                    // the one-stop counter's work
	editors = roles(account.Clerk, account.Archivist, account.Admin) // correct a paper's facts
)

// guard answers 401 to a request without a live credential and 403 to an account whose role the
// route does not admit; otherwise it runs next with the principal in the request's context.
func (s *Server) guard(a access, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if a.open || a.ownToken {
			next(w, r)
			return
		}
		refuse := writeError
		if a.page && navigation(r) {
			refuse = writePage
		}
		p, err := s.authenticate(r)
		switch {
		case errors.Is(err, errNoCredential):
			refuse(w, http.StatusUnauthorized, codeUnauthorized, "Cần đăng nhập (hoặc mã truy cập của máy) để dùng chức năng này.")
			return
		case err != nil: // the store failed: not the caller's credential
			s.storeError(w, r, err)
			return
		}
		if !slices.Contains(a.roles, p.role) {
			refuse(w, http.StatusForbidden, codeForbidden, "Tài khoản "+p.role.Label()+" không được dùng chức năng này.")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// errNoCredential is any reason a request is not signed in: no credential, a wrong, revoked or
// expired one, a disabled account.
var errNoCredential = errors.New("no live credential")

// authenticate finds the account of a bearer token or a session cookie, and what it reaches.
func (s *Server) authenticate(r *http.Request) (*principal, error) {
	ctx, now := r.Context(), s.now()
	var acc storage.Account
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || !account.LooksLikeToken(tok) {
			return nil, errNoCredential
		}
		a, err := s.Accounts.TokenAccount(ctx, account.Hash(tok), now)
		if err != nil {
			return nil, credentialErr(err)
		}
		acc = a
	} else if c, err := r.Cookie(sessionCookie); err == nil {
		hash := account.Hash(c.Value)
		ss, err := s.Accounts.Session(ctx, hash, now)
		if err != nil {
			return nil, credentialErr(err)
		}
		if !account.SessionLive(ss.CreatedAt, ss.SeenAt, now) {
			if err := s.Accounts.EndSession(ctx, hash); err != nil {
				return nil, err
			}
			return nil, errNoCredential
		}
		acc = ss.Account
	} else {
		return nil, errNoCredential
	}
	if acc.Disabled {
		return nil, errNoCredential
	}
	return s.principalOf(r, acc)
}

func credentialErr(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return errNoCredential
	}
	return err
}

// principalOf returns the principal of acc: its agency and those under it, and for a station only
// what it uploaded.
func (s *Server) principalOf(r *http.Request, acc storage.Account) (*principal, error) {
	role, err := account.ParseRole(acc.Role)
	if err != nil {
		return nil, errNoCredential
	}
	agencies, err := s.Accounts.Subtree(r.Context(), acc.Agency)
	if err != nil {
		return nil, credentialErr(err)
	}
	p := &principal{account: acc, role: role, scope: storage.Scope{Agencies: agencies}, client: clientAddr(r)}
	if role == account.Station {
		p.scope.Uploader = acc.ID
	}
	return p, nil
}

// clientAddr is the address the request came from. sohoa listens on its own; behind a reverse
// proxy this is the proxy (X-Forwarded-For is not trusted: any client can write it).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// record appends e to the access trail as done by the request's principal, before the data it is
// about is served: a read that cannot be recorded is not answered (Nghị định 13/2023). It answers
// the request itself and returns false when that fails.
func (s *Server) record(w http.ResponseWriter, r *http.Request, e storage.Event) bool {
	p := who(r)
	e.Actor, e.Client = p.account.Name, p.client
	e.Agencies = append(e.Agencies, p.account.Agency)
	// Text people typed goes into text and jsonb columns, which refuse NUL and invalid UTF-8.
	e.Query = storable(e.Query)
	for k, v := range e.Detail {
		if str, ok := v.(string); ok {
			e.Detail[k] = storable(str)
		}
	}
	if err := s.Dossiers.Log(r.Context(), e); err != nil {
		s.storeError(w, r, err)
		return false
	}
	return true
}

// storable is s as PostgreSQL text can hold it.
func storable(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// visibleDocument answers 404 unless the principal reaches the document id.
func (s *Server) visibleDocument(w http.ResponseWriter, r *http.Request, id string) bool {
	if err := s.Records.Visible(r.Context(), id, who(r).scope); err != nil {
		s.storeError(w, r, err)
		return false
	}
	return true
}

// visibleDossier answers 404 unless the dossier id is of the principal's agencies.
func (s *Server) visibleDossier(w http.ResponseWriter, r *http.Request, id string) bool {
	if err := s.Dossiers.DossierVisible(r.Context(), id, who(r).scope); err != nil {
		s.storeError(w, r, err)
		return false
	}
	return true
}

// actor is the request's principal as storage records a change.
func (s *Server) actor(r *http.Request) storage.Actor {
	p := who(r)
	return storage.Actor{Name: p.account.Name, Client: p.client}
}
