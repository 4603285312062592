package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/sohoa-vn/sohoa/storage"
)

// Store is one backend of every interface that shares documents: what Accounts tests.
type Store interface {
	storage.Records
	storage.Dossiers
	storage.Accounts
	storage.Trail
	storage.Stations
	storage.Catalogue
	storage.Reports
}

// The agencies of the suite: a province office with a district under it and a ward under that, and
// another district beside it.
const (
	province = "000.00.00.H26"
	district = agency // the dossiers' agency
	ward     = "000.01.53.H26"
	other    = "000.00.54.H26"
)

// Accounts runs the conformance suite of storage.Accounts and storage.Trail, and of the scopes
// Records and Dossiers take. open returns a new, empty store for each subtest.
func Accounts(t *testing.T, open func(t *testing.T) Store) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, Store)
	}{
		{"Subtree", accountsSubtree},
		{"Accounts", accountsAccounts},
		{"Tokens", accountsTokens},
		{"Sessions", accountsSessions},
		{"Scope", accountsScope},
		{"Trail", accountsTrail},
		{"Stations", accountsStations},
		{"Agencies", accountsAgencies},
		{"Catalogue", catalogueImport},
		{"Reports", reportsIndicators},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, open(t)) })
	}
}

func agencies(t *testing.T, s storage.Accounts) {
	t.Helper()
	ctx := t.Context()
	must(t, s.EnsureAgency(ctx, province, "Văn phòng UBND tỉnh", ""))
	must(t, s.EnsureAgency(ctx, district, "UBND quận Lê Chân", province))
	must(t, s.EnsureAgency(ctx, ward, "UBND phường Máy Chai", district))
	must(t, s.EnsureAgency(ctx, other, "UBND quận Ngô Quyền", province))
}

func accountsSubtree(t *testing.T, s Store) {
	agencies(t, s)
	for _, c := range []struct {
		agency string
		want   []string
	}{
		{province, []string{province, district, ward, other}},
		{district, []string{district, ward}},
		{ward, []string{ward}},
	} {
		got, err := s.Subtree(t.Context(), c.agency)
		slices.Sort(c.want)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("Subtree(%s) = %v, %v; want %v", c.agency, got, err, c.want)
		}
	}
	if _, err := s.Subtree(t.Context(), "000.00.99.H26"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Subtree of an unknown agency: %v; want ErrNotFound", err)
	}
}

func accountsAccounts(t *testing.T, s Store) {
	ctx := t.Context()
	agencies(t, s)
	a, err := s.CreateAccount(ctx, storage.NewAccount{Name: "lan", Role: "clerk", Agency: district, PasswordHash: "h1"})
	if err != nil || a.ID == 0 || a.Name != "lan" || a.Role != "clerk" || a.Agency != district || a.PasswordHash != "h1" || a.Disabled {
		t.Fatalf("CreateAccount = %+v, %v", a, err)
	}
	if _, err := s.CreateAccount(ctx, storage.NewAccount{Name: "lan", Role: "admin", Agency: district}); !errors.Is(err, storage.ErrExists) {
		t.Errorf("a second account lan: %v; want ErrExists", err)
	}
	if _, err := s.CreateAccount(ctx, storage.NewAccount{Name: "minh", Role: "clerk", Agency: "000.00.99.H26"}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an account of an unknown agency: %v; want ErrNotFound", err)
	}
	must(t, errOnly(s.CreateAccount(ctx, storage.NewAccount{Name: "an", Role: "auditor", Agency: province})))
	if list, err := s.ListAccounts(ctx); err != nil || len(list) != 2 || list[0].Name != "an" || list[1].Name != "lan" {
		t.Errorf("ListAccounts = %+v, %v; want an, lan", list, err)
	}

	until := time.Now().Add(time.Hour).Truncate(time.Second)
	for i := 1; i <= 3; i++ {
		if n, err := s.SignInFailed(ctx, "lan", 3, until); err != nil || n != i {
			t.Fatalf("failure %d counted %d, %v", i, n, err)
		}
		a, _ := s.Account(ctx, "lan")
		if locked := a.LockedUntil != nil && a.LockedUntil.Equal(until); locked != (i == 3) {
			t.Errorf("after %d failures of 3 locked until %v", i, a.LockedUntil)
		}
	}
	stolen := []byte("session-of-lan-stolen-0123456789")
	must(t, s.StartSession(ctx, "lan", stolen, time.Now()))
	must(t, s.SetPassword(ctx, "lan", "h2"))
	if _, err := s.Session(ctx, stolen, time.Now()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a session from before SetPassword: %v; want it ended", err)
	}
	if a, _ := s.Account(ctx, "lan"); a.PasswordHash != "h2" || a.Failures != 0 || a.LockedUntil != nil {
		t.Errorf("after SetPassword: %+v; want the new hash, no failures, no lock", a)
	}
	s.SignInFailed(ctx, "lan", 3, until)
	must(t, s.SignedIn(ctx, "lan"))
	if a, _ := s.Account(ctx, "lan"); a.Failures != 0 {
		t.Errorf("failures after SignedIn: %d", a.Failures)
	}
	hash := []byte("session-of-lan-0123456789abcdef0")
	must(t, s.StartSession(ctx, "lan", hash, time.Now()))
	must(t, s.Disable(ctx, "lan"))
	if a, _ := s.Account(ctx, "lan"); !a.Disabled {
		t.Error("Disable did not disable")
	}
	if _, err := s.Session(ctx, hash, time.Now()); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a disabled account's session: %v; want ErrNotFound", err)
	}
	for name, err := range map[string]error{
		"Account":     errOnly(s.Account(ctx, "nobody")),
		"SetPassword": s.SetPassword(ctx, "nobody", "h"),
		"Disable":     s.Disable(ctx, "nobody"),
		"SignedIn":    s.SignedIn(ctx, "nobody"),
	} {
		if !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s of an unknown account: %v; want ErrNotFound", name, err)
		}
	}
}

func accountsTokens(t *testing.T, s Store) {
	ctx := t.Context()
	agencies(t, s)
	a, err := s.CreateAccount(ctx, storage.NewAccount{Name: "may-quet-1", Role: "station", Agency: ward})
	must(t, err)
	tok, err := s.AddToken(ctx, "may-quet-1", "t1", []byte("hash-1"))
	if err != nil || tok.ID != "t1" || tok.AccountID != a.ID || tok.Account != "may-quet-1" {
		t.Fatalf("AddToken = %+v, %v", tok, err)
	}
	must(t, errOnly(s.AddToken(ctx, "may-quet-1", "t2", []byte("hash-2"))))
	if _, err := s.AddToken(ctx, "nobody", "t3", []byte("hash-3")); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a token of an unknown account: %v; want ErrNotFound", err)
	}
	now := time.Now().Truncate(time.Second)
	if got, err := s.TokenAccount(ctx, []byte("hash-1"), now); err != nil || got.ID != a.ID {
		t.Errorf("TokenAccount = %+v, %v", got, err)
	}
	must(t, s.RevokeToken(ctx, "t1"))
	must(t, s.RevokeToken(ctx, "t1"))
	if _, err := s.TokenAccount(ctx, []byte("hash-1"), now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a revoked token: %v; want ErrNotFound", err)
	}
	if _, err := s.TokenAccount(ctx, []byte("hash-9"), now); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an unknown token: %v; want ErrNotFound", err)
	}
	if err := s.RevokeToken(ctx, "t9"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("revoking an unknown token: %v; want ErrNotFound", err)
	}
	list, err := s.ListTokens(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	for _, tk := range list {
		if revoked := tk.RevokedAt != nil; revoked != (tk.ID == "t1") {
			t.Errorf("token %s revoked %v", tk.ID, revoked)
		}
		if used := tk.UsedAt != nil && tk.UsedAt.Equal(now); used != (tk.ID == "t1") {
			t.Errorf("token %s used at %v", tk.ID, tk.UsedAt)
		}
	}
}

func accountsSessions(t *testing.T, s Store) {
	ctx := t.Context()
	agencies(t, s)
	must(t, errOnly(s.CreateAccount(ctx, storage.NewAccount{Name: "lan", Role: "clerk", Agency: district})))
	start := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	hash := []byte("0123456789abcdef0123456789abcdef")
	must(t, s.StartSession(ctx, "lan", hash, start))
	if err := s.StartSession(ctx, "nobody", []byte("x"), start); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("a session of an unknown account: %v; want ErrNotFound", err)
	}
	// Seen is recorded at most once a minute: the second call, 30 s after the first, is not.
	for i, c := range []struct{ at, seen time.Duration }{{2 * time.Minute, 0}, {150 * time.Second, 2 * time.Minute}, {5 * time.Minute, 2 * time.Minute}} {
		ss, err := s.Session(ctx, hash, start.Add(c.at))
		if want := start.Add(c.seen); err != nil || ss.Account.Name != "lan" || !ss.CreatedAt.Equal(start) || !ss.SeenAt.Equal(want) {
			t.Errorf("Session %d = %+v, %v; want lan seen at %v (as recorded before this call)", i, ss, err, want)
		}
	}
	must(t, s.EndSession(ctx, hash))
	must(t, s.EndSession(ctx, hash))
	if _, err := s.Session(ctx, hash, start); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("an ended session: %v; want ErrNotFound", err)
	}
}

// scoped creates a document of agency uploaded by account.
func scoped(t *testing.T, s Store, sha, agency string, account int64) storage.Document {
	t.Helper()
	n := newDoc(sha)
	n.Agency, n.UploadedBy = agency, account
	d, _, err := s.CreateDocument(t.Context(), n)
	must(t, err)
	must(t, s.Index(t.Context(), d.ID, "Giấy khai sinh", "Giấy khai sinh của "+sha))
	return d
}

func accountsScope(t *testing.T, s Store) {
	ctx := t.Context()
	agencies(t, s)
	station, err := s.CreateAccount(ctx, storage.NewAccount{Name: "may-quet", Role: "station", Agency: ward})
	must(t, err)
	inWard := scoped(t, s, "ward", ward, station.ID)
	inDistrict := scoped(t, s, "district", district, 0)
	elsewhere := scoped(t, s, "other", other, 0)
	reused := scoped(t, s, "reused", other, 0) // another agency's paper, in a dossier of the district
	ds := openDossier(t, s, citizen)
	attach(t, s, ds.ID, reused.ID, "component", false)

	all := []string{inWard.ID, inDistrict.ID, elsewhere.ID, reused.ID}
	for _, c := range []struct {
		name  string
		scope *storage.Scope
		want  []string
	}{
		{"unscoped", nil, all},
		{"province", &storage.Scope{Agencies: []string{province, district, ward, other}}, all},
		{"district", &storage.Scope{Agencies: []string{district, ward}}, []string{inWard.ID, inDistrict.ID, reused.ID}},
		{"other", &storage.Scope{Agencies: []string{other}}, []string{elsewhere.ID, reused.ID}},
		{"station", &storage.Scope{Agencies: []string{ward}, Uploader: station.ID}, []string{inWard.ID}},
		{"no agency", &storage.Scope{}, nil},
	} {
		docs, total, err := s.List(ctx, storage.Filter{Scope: c.scope})
		got := docIDs(docs)
		if err != nil || total != len(c.want) || !sameSet(got, c.want) {
			t.Errorf("%s: List = %v (total %d), %v; want %v", c.name, got, total, err, c.want)
		}
		n, hits, err := search(ctx, s, storage.Query{Text: "khai sinh", Scope: c.scope})
		var ids []string
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
		if err != nil || n != len(c.want) || !sameSet(ids, c.want) {
			t.Errorf("%s: Search = %v (total %d), %v; want %v", c.name, ids, n, err, c.want)
		}
		if c.scope == nil {
			continue
		}
		for _, id := range all {
			err := s.Visible(ctx, id, *c.scope)
			if want := slices.Contains(c.want, id); (err == nil) != want || err != nil && !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s: Visible(%s) = %v; want reached %v, else ErrNotFound", c.name, id, err, want)
			}
		}
	}
	if err := s.Visible(ctx, uuid.NewString(), storage.Scope{Agencies: []string{district}}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Visible of no document: %v; want ErrNotFound", err)
	}
	if err := s.Visible(ctx, create(t, s, "of-no-agency").ID, storage.Scope{Agencies: []string{district}}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Visible of a document of no agency: %v; want ErrNotFound", err)
	}
	if err := s.DossierVisible(ctx, ds.ID, storage.Scope{Agencies: []string{district}}); err != nil {
		t.Errorf("the district's dossier is not visible to it: %v", err)
	}
	for _, id := range []string{ds.ID, uuid.NewString()} {
		if err := s.DossierVisible(ctx, id, storage.Scope{Agencies: []string{other}}); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("DossierVisible(%s) to another agency: %v; want ErrNotFound", id, err)
		}
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func accountsTrail(t *testing.T, s Store) {
	ctx := t.Context()
	agencies(t, s)
	if n, err := storage.VerifyTrail(ctx, s); err != nil || n != 0 {
		t.Errorf("VerifyTrail of an empty trail = %d, %v", n, err)
	}
	theirs := scoped(t, s, "theirs", other, 0)
	ds := openDossier(t, s, citizen) // dossier.received, in the district
	must(t, s.SetPaper(ctx, theirs.ID, storage.PaperFields{OwnerID: ptr(citizen)}, storage.Actor{Name: "lan"}))
	must(t, s.Log(ctx, storage.Event{Actor: "lan", Action: "document.text", DocumentID: theirs.ID, Client: "10.0.0.7",
		Agencies: []string{district}}))
	must(t, s.Log(ctx, storage.Event{Actor: "lan", Action: "search", Query: "khai sinh", Agencies: []string{district},
		Detail: map[string]any{"ids": []string{theirs.ID}, "n": 1}}))
	must(t, s.Log(ctx, storage.Event{Actor: "an", Action: "owner.viewed", OwnerID: citizen, DossierID: ds.ID}))

	n, err := storage.VerifyTrail(ctx, s)
	if err != nil || n != 5 {
		t.Fatalf("VerifyTrail = %d, %v; want 5 events, unbroken", n, err)
	}
	total, events, err := s.Audit(ctx, storage.AuditQuery{Account: "lan"})
	if err != nil || total != 3 || len(events) != 3 || events[0].Action != "search" || events[2].Action != "paper.updated" {
		t.Fatalf("Audit of lan = %d %+v, %v; want search, document.text, paper.updated, newest first", total, events, err)
	}
	if e := events[1]; e.Client != "10.0.0.7" || !slices.Equal(e.Agencies, []string{district, other}) {
		t.Errorf("a read of another agency's paper = %+v; want the client, and both agencies", e)
	}
	if e := events[0]; e.Query != "khai sinh" || e.Detail["n"] != float64(1) {
		t.Errorf("a search event = %+v; want its query and detail", e)
	}
	for _, c := range []struct {
		name string
		q    storage.AuditQuery
		want int
	}{
		{"all", storage.AuditQuery{}, 5},
		{"owner", storage.AuditQuery{Owner: citizen}, 2},
		{"document", storage.AuditQuery{Document: theirs.ID}, 2},
		{"the other agency's", storage.AuditQuery{Scope: &storage.Scope{Agencies: []string{other}}}, 2},
		{"the district's", storage.AuditQuery{Scope: &storage.Scope{Agencies: []string{district}}}, 4},
		{"a ward's", storage.AuditQuery{Scope: &storage.Scope{Agencies: []string{ward}}}, 0},
		{"after now", storage.AuditQuery{From: ptr(time.Now().Add(time.Hour))}, 0},
		{"until now", storage.AuditQuery{To: ptr(time.Now().Add(time.Hour))}, 5},
		{"a page", storage.AuditQuery{Limit: 2, Offset: 4}, 5},
	} {
		total, events, err := s.Audit(ctx, c.q)
		if err != nil || total != c.want {
			t.Errorf("Audit %s: %d events, %v; want %d", c.name, total, err, c.want)
		}
		if c.name == "a page" && len(events) != 1 {
			t.Errorf("the last page holds %d events; want 1", len(events))
		}
	}
	whole, err := s.Chain(ctx, 0, 100)
	must(t, err)
	part, err := s.Chain(ctx, whole[1].ID, 2)
	if err != nil || len(part) != 2 || part[0].ID != whole[2].ID || part[1].ID != whole[3].ID ||
		len(part[0].Hash) != 32 || !slices.Equal(part[0].PrevHash, whole[1].Hash) {
		t.Errorf("Chain(after the second, 2) = %+v, %v; want the third and fourth, chained", part, err)
	}
}

func errOnly[T any](_ T, err error) error { return err }
