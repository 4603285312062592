package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
)

// Me is the JSON form of the signed-in account.
type Me struct {
	Name      string `json:"name"`
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	Agency    string `json:"agency"`
}

func meOf(p *principal) Me {
	return Me{Name: p.account.Name, Role: string(p.role), RoleLabel: p.role.Label(), Agency: p.account.Agency}
}

// dummyHash is checked against when no account has the name given, so that a sign-in takes as long
// whether the name exists or not.
var dummyHash, _ = account.HashPassword("no account has this password")

// signIn checks a name and password and starts a session. A wrong name, a wrong password and a
// disabled account get the same answer; MaxFailures wrong passwords in a row lock the account for
// LockFor, even against the right password.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	var b struct{ Name, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<12)).Decode(&b); err != nil || b.Name == "" {
		writeError(w, http.StatusBadRequest, codeBadRequest, "Gửi tên tài khoản và mật khẩu dạng JSON: {\"name\": …, \"password\": …}.")
		return
	}
	ctx, now, client := r.Context(), s.now(), throttleKey(clientAddr(r))
	// Every attempt is counted before the password is checked, and forgiven only when it succeeds:
	// attempts sent at once cannot all pass the limits while the slow check runs.
	throttled := s.signIns()
	if blocked, wait := throttled.attempt(client, now); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, codeTooManyAttempts,
			"Máy này đã đăng nhập sai quá nhiều lần; thử lại sau "+strconv.Itoa(max(1, int(wait.Round(time.Minute).Minutes())))+" phút.")
		return
	}
	acc, err := s.Accounts.Account(ctx, b.Name)
	if errors.Is(err, storage.ErrNotFound) {
		account.CheckPassword(dummyHash, b.Password)
		s.refuseSignIn(w, r, b.Name)
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if acc.LockedUntil != nil && now.Before(*acc.LockedUntil) {
		s.lockedOut(w, acc, now)
		return
	}
	if acc.LockedUntil != nil { // a lock served: the count starts again
		if err := s.Accounts.SignedIn(ctx, acc.Name); err != nil {
			s.storeError(w, r, err)
			return
		}
	}
	if !acc.Disabled {
		n, err := s.Accounts.SignInFailed(ctx, acc.Name, account.MaxFailures, now.Add(account.LockFor))
		if err != nil {
			s.storeError(w, r, err)
			return
		}
		if n > account.MaxFailures { // other attempts at once used up the tries
			until := now.Add(account.LockFor)
			acc.LockedUntil = &until
			s.lockedOut(w, acc, now)
			return
		}
	}
	if !account.CheckPassword(acc.PasswordHash, b.Password) || acc.Disabled {
		s.refuseSignIn(w, r, b.Name)
		return
	}
	throttled.forgive(client)
	key, hash := account.NewSessionKey()
	if err := s.Accounts.SignedIn(ctx, acc.Name); err != nil {
		s.storeError(w, r, err)
		return
	}
	if err := s.Accounts.StartSession(ctx, acc.Name, hash, now); err != nil {
		s.storeError(w, r, err)
		return
	}
	p, err := s.principalOf(r, acc)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.Log.Info("signed in", "account", acc.Name, "client", p.client)
	http.SetCookie(w, s.Guard.Cookie(sessionCookie, key, account.SessionMax))
	writeJSON(w, http.StatusOK, meOf(p))
}

// lockedOut answers a sign-in to a locked account.
func (s *Server) lockedOut(w http.ResponseWriter, acc storage.Account, now time.Time) {
	wait := acc.LockedUntil.Sub(now)
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeError(w, http.StatusTooManyRequests, codeAccountLocked,
		"Tài khoản tạm khóa vì nhập sai mật khẩu nhiều lần; thử lại sau "+strconv.Itoa(max(1, int(wait.Round(time.Minute).Minutes())))+" phút.")
}

func (s *Server) refuseSignIn(w http.ResponseWriter, r *http.Request, name string) {
	s.Log.Warn("sign-in refused", "account", name, "client", clientAddr(r))
	writeError(w, http.StatusUnauthorized, codeBadCredentials, "Sai tên tài khoản hoặc mật khẩu.")
}

// signIns is the throttle of sign-in failures by client, made at first use: Server is a struct
// literal its users fill in.
func (s *Server) signIns() *throttle {
	s.signInsOnce.Do(func() { s.signInFailures = newThrottle(signInFailuresPerClient, signInWindow) })
	return s.signInFailures
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, meOf(who(r)))
}

// signOut ends the session of the cookie sent, if any.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.EndSession(r.Context(), account.Hash(c.Value)); err != nil {
			s.storeError(w, r, err)
			return
		}
	}
	gone := s.Guard.Cookie(sessionCookie, "", 0)
	gone.MaxAge = -1 // delete it now
	http.SetCookie(w, gone)
	w.WriteHeader(http.StatusNoContent)
}
