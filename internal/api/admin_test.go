package api

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/storage"
)

// An admin makes an account (its generated password signs in), gives it a token that works, revokes
// the token, resets the password and disables the account; each step does what it says, and is in
// the trail. Accounts of another agency are out of reach.
func TestAdminManagesAccountsAndTokens(t *testing.T) {
	r := newRig(t)
	var made struct {
		Account  AccountJSON
		Password string
	}
	a := r.sendJSON(http.MethodPost, "/api/v1/accounts", map[string]string{"name": "lan", "role": "clerk"})
	a.wantStatus(t, http.StatusCreated)
	a.decode(t, &made)
	if made.Account.Name != "lan" || made.Account.Agency != testAgency || made.Account.RoleLabel == "" || len(made.Password) < 12 {
		t.Fatalf("made %+v", made)
	}
	signIn := func(password string) int {
		return r.anonymous().sendJSON(http.MethodPost, "/api/v1/session", map[string]string{"name": "lan", "password": password}).status
	}
	if code := signIn(made.Password); code != http.StatusOK {
		t.Errorf("signing in with the generated password: %d", code)
	}
	r.sendJSON(http.MethodPost, "/api/v1/accounts", map[string]string{"name": "lan", "role": "clerk"}).wantError(t, http.StatusConflict, codeExists)
	r.sendJSON(http.MethodPost, "/api/v1/accounts", map[string]string{"name": "x", "role": "king"}).wantError(t, http.StatusBadRequest, codeBadRequest)

	var tok struct{ ID, Account, Token string }
	r.sendJSON(http.MethodPost, "/api/v1/accounts/lan/tokens", "").decode(t, &tok)
	lan := *r
	lan.token = tok.Token
	if got := lan.get("/api/v1/session"); got.status != http.StatusOK {
		t.Errorf("the new token: %d", got.status)
	}
	var tokens struct{ Tokens []TokenJSON }
	r.get("/api/v1/tokens").decode(t, &tokens)
	if !slices.ContainsFunc(tokens.Tokens, func(x TokenJSON) bool { return x.ID == tok.ID && x.Account == "lan" }) {
		t.Errorf("tokens %+v lack %s", tokens.Tokens, tok.ID)
	}
	r.sendJSON(http.MethodDelete, "/api/v1/tokens/"+tok.ID, "").wantStatus(t, http.StatusNoContent)
	lan.get("/api/v1/session").wantError(t, http.StatusUnauthorized, codeUnauthorized)

	var reset struct{ Password string }
	r.sendJSON(http.MethodPost, "/api/v1/accounts/lan/password", "").decode(t, &reset)
	if signIn(made.Password) == http.StatusOK || signIn(reset.Password) != http.StatusOK {
		t.Error("after a reset the old password still signs in, or the new one does not")
	}
	r.sendJSON(http.MethodPost, "/api/v1/accounts/lan/disable", "").wantStatus(t, http.StatusOK)
	if signIn(reset.Password) == http.StatusOK {
		t.Error("a disabled account signs in")
	}

	// Another agency's admin sees none of it and can touch none of it.
	must(t, r.store.EnsureAgency(t.Context(), otherAgency, "UBND quận Ngô Quyền", ""))
	o := r.as("quan-tri-khac", account.Admin, otherAgency)
	var theirs struct{ Accounts []AccountJSON }
	o.get("/api/v1/accounts").decode(t, &theirs)
	if slices.ContainsFunc(theirs.Accounts, func(a AccountJSON) bool { return a.Name == "lan" }) {
		t.Error("another agency's admin lists lan")
	}
	o.sendJSON(http.MethodPost, "/api/v1/accounts/lan/tokens", "").wantError(t, http.StatusNotFound, codeNotFound)
	o.sendJSON(http.MethodPost, "/api/v1/accounts", map[string]string{"name": "moi", "role": "clerk", "agency": testAgency}).
		wantError(t, http.StatusNotFound, codeNotFound)

	_, events, err := r.store.Audit(t.Context(), storage.AuditQuery{Scope: &storage.Scope{Agencies: []string{testAgency}}, Limit: 100})
	must(t, err)
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"account.created", "token.created", "token.revoked", "account.password_reset", "account.disabled"} {
		if !slices.Contains(actions, want) {
			t.Errorf("the trail %v lacks %s", actions, want)
		}
	}
}

// An admin adds agencies under its own, never moves one it does not reach; every account lists them.
func TestAdminAddsAgencies(t *testing.T) {
	r := newRig(t)
	const ward = "000.01.53.H26"
	r.sendJSON(http.MethodPost, "/api/v1/agencies", map[string]string{"id": ward, "name": "UBND phường Máy Chai", "parent": testAgency}).
		wantStatus(t, http.StatusCreated)
	must(t, r.store.EnsureAgency(t.Context(), otherAgency, "UBND quận Ngô Quyền", ""))
	r.sendJSON(http.MethodPost, "/api/v1/agencies", map[string]string{"id": otherAgency, "name": "chiếm", "parent": testAgency}).
		wantError(t, http.StatusConflict, codeExists)
	r.sendJSON(http.MethodPost, "/api/v1/agencies", map[string]string{"id": "000.02.53.H26", "name": "x", "parent": otherAgency}).
		wantError(t, http.StatusNotFound, codeNotFound)
	var got struct {
		Agencies []struct{ ID, Name, Parent string }
	}
	r.as("tram", account.Station, ward).get("/api/v1/agencies").decode(t, &got)
	if len(got.Agencies) != 3 || !slices.ContainsFunc(got.Agencies, func(a struct{ ID, Name, Parent string }) bool {
		return a.ID == ward && a.Parent == testAgency
	}) {
		t.Errorf("agencies %+v", got.Agencies)
	}
	if subtree, _ := r.store.Subtree(t.Context(), otherAgency); len(subtree) != 1 {
		t.Errorf("the other agency was moved: its subtree is %v", subtree)
	}
}

// Every agency is listed with its level, for the report's agency picker.
func TestAgenciesCarryTheirLevel(t *testing.T) {
	r := newRig(t)
	const province = "000.00.00.H26"
	must(t, r.store.ImportAgencies(t.Context(), []storage.Agency{
		{ID: province, Name: "UBND thành phố Hải Phòng", Level: storage.LevelProvince},
		{ID: testAgency, Name: "UBND quận Lê Chân", Parent: province, Level: storage.LevelDistrict},
	}))
	var got struct {
		Agencies []struct{ ID, Parent, Level string }
	}
	r.get("/api/v1/agencies").decode(t, &got)
	levels := map[string]string{}
	for _, a := range got.Agencies {
		levels[a.ID] = a.Level
	}
	if levels[province] != "tinh" || levels[testAgency] != "huyen" || len(levels) != 2 {
		t.Errorf("agencies %+v", got.Agencies)
	}
}

// The counter finds procedures by code or name without diacritics, and gives a dossier its return
// appointment, which cannot be in the past.
func TestProceduresAndDueDates(t *testing.T) {
	r := newRig(t)
	d := r.openDossier(citizen) // names 1.001234 Đăng ký khai sinh
	var found struct{ Procedures []map[string]string }
	r.get("/api/v1/procedures?q=dang%20ky").decode(t, &found)
	if len(found.Procedures) != 1 || found.Procedures[0]["code"] != "1.001234" {
		t.Errorf("procedures %+v", found.Procedures)
	}
	if d.DueAt != "" {
		t.Errorf("a dossier given no appointment has due_at %q", d.DueAt)
	}
	body := func(due string) map[string]string {
		return map[string]string{"owner_id": citizen, "procedure_code": "1.001234", "due_at": due}
	}
	tomorrow := time.Now().Add(24 * time.Hour).Format(time.DateOnly)
	var withDue DossierJSON
	r.sendJSON(http.MethodPost, "/api/v1/dossiers", body(tomorrow)).decode(t, &withDue)
	if withDue.DueAt != tomorrow {
		t.Errorf("due_at %q, want %s", withDue.DueAt, tomorrow)
	}
	r.sendJSON(http.MethodPost, "/api/v1/dossiers", body("2020-01-01")).wantError(t, http.StatusBadRequest, codeBadDate)
	r.sendJSON(http.MethodPost, "/api/v1/dossiers", body("15/12/2026")).wantError(t, http.StatusBadRequest, codeBadDate)
}
