package api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sohoa-vn/sohoa/internal/account"
	"github.com/sohoa-vn/sohoa/internal/clock"
	"github.com/sohoa-vn/sohoa/storage"
)

// matrix is who may call each route: the README prints it. S station, C clerk, A archivist, U
// auditor, D admin; "open" needs no credential, "events" and "metrics" their tokens.
var matrix = map[string]string{
	"POST /api/v1/session":                         "open",
	"GET /api/v1/session":                          "S C A U D",
	"DELETE /api/v1/session":                       "S C A U D",
	"POST /api/v1/documents":                       "S C D",
	"GET /api/v1/documents":                        "S C A D",
	"GET /api/v1/documents/{id}":                   "S C A D",
	"GET /api/v1/documents/{id}/file":              "C A D",
	"GET /api/v1/documents/{id}/text":              "C A D",
	"GET /api/v1/documents/{id}/pages":             "C A D",
	"GET /api/v1/documents/{id}/pages/{n}/image":   "C A D",
	"POST /api/v1/documents/{id}/pages/{n}/review": "C A D",
	"GET /api/v1/documents/{id}/history":           "C A D",
	"POST /api/v1/documents/{id}/retry":            "C A D",
	"POST /api/v1/documents/{id}/accept-signature": "A D",
	"GET /api/v1/documents/{id}/verification":      "C A D",
	"GET /api/v1/documents/{id}/metadata":          "C A D",
	"PUT /api/v1/documents/{id}/paper":             "C A D",
	"POST /api/v1/dossiers":                        "C D",
	"GET /api/v1/dossiers/{id}":                    "C A D",
	"GET /api/v1/dossiers/{id}/dvcqg":              "C A D",
	"GET /api/v1/dvcqg":                            "C A D",
	"GET /api/v1/dossiers/{id}/eark":               "A D",
	"GET /api/v1/dossiers/{id}/receipt":            "C D",
	"GET /api/v1/dossiers/{id}/cover":              "C D",
	"GET /api/v1/dossiers/{id}/separator":          "C D",
	"GET /api/v1/separator":                        "C D",
	"POST /api/v1/dossiers/{id}/documents":         "S C D",
	"POST /api/v1/dossiers/{id}/reuse":             "C D",
	"GET /api/v1/owners/{id}/documents":            "C D",
	"GET /api/v1/search":                           "C A D",
	"GET /api/v1/audit":                            "U D",
	"POST /api/v1/stations/report":                 "S",
	"GET /api/v1/accounts":                         "D",
	"POST /api/v1/accounts":                        "D",
	"POST /api/v1/accounts/{name}/disable":         "D",
	"POST /api/v1/accounts/{name}/password":        "D",
	"POST /api/v1/accounts/{name}/tokens":          "D",
	"GET /api/v1/tokens":                           "D",
	"DELETE /api/v1/tokens/{id}":                   "D",
	"GET /api/v1/agencies":                         "S C A U D",
	"POST /api/v1/agencies":                        "D",
	"GET /api/v1/procedures":                       "C D",
	"GET /api/v1/reports/indicators":               "C A U D",
	"GET /api/v1/stations":                         "D",
	"POST /api/v1/inbox/events":                    "events",
	"GET /metrics":                                 "metrics",
	"GET /admin/queues/":                           "D",
	"POST /admin/queues/":                          "D",
	"DELETE /admin/queues/":                        "D",
	"GET /healthz":                                 "open",
	"GET /readyz":                                  "open",
}

var roleLetters = map[account.Role]string{account.Station: "S", account.Clerk: "C", account.Archivist: "A",
	account.Auditor: "U", account.Admin: "D"}

// routeRequest is a request to rt with its path parameters filled in with values that exist, so that an
// admitted role gets past the guard; what the handler then answers does not matter here.
func routeRequest(rt route, doc, dossier string) *http.Request {
	path := rt.path
	if strings.HasPrefix(path, "/api/v1/dossiers/") {
		path = strings.Replace(path, "{id}", dossier, 1)
	}
	path = strings.Replace(path, "/owners/{id}", "/owners/"+citizen, 1)
	path = strings.Replace(path, "{id}", doc, 1)
	req := httptest.NewRequest(rt.method, path, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	if strings.HasSuffix(rt.path, "/documents") && rt.method == http.MethodPost {
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x") // what the hardening admits on uploads
	}
	return req
}

// Every route is closed without a credential but sign-in, the health checks and the pages' assets;
// each role reaches exactly the routes of the matrix, and is refused the others with 403.
func TestEveryRouteIsGuarded(t *testing.T) {
	r := newRig(t)
	doc := r.receive("giay.png", scanPNG(1)).ID
	dossier := r.openDossier(citizen).ID
	routes := r.srv.routes()
	if len(routes) != len(matrix) {
		t.Errorf("%d routes, %d in the matrix: every route must be in it", len(routes), len(matrix))
	}
	for _, rt := range routes {
		key := rt.method + " " + rt.path
		want, ok := matrix[key]
		if !ok {
			t.Errorf("%s is not in the matrix", key)
			continue
		}
		a := r.anonymous().do(routeRequest(rt, doc, dossier))
		if open := want == "open"; open == (a.status == http.StatusUnauthorized) {
			t.Errorf("%s without a credential: %d (%s); want open %v", key, a.status, a.body, open)
		}
		if want == "open" || want == "events" || want == "metrics" {
			continue
		}
		for _, role := range account.Roles {
			a := r.as("kiem-tra-"+string(role), role, testAgency).do(routeRequest(rt, doc, dossier))
			admitted := slices.Contains(strings.Fields(want), roleLetters[role])
			if refused := a.status == http.StatusForbidden || a.status == http.StatusUnauthorized; refused == admitted {
				t.Errorf("%s as %s: %d (%s); want admitted %v", key, role, a.status, a.body, admitted)
			}
		}
	}
	for _, path := range []string{"/", "/app.js", "/style.css"} {
		if a := r.anonymous().get(path); a.status != http.StatusOK {
			t.Errorf("GET %s without a credential: %d; the page and its assets are open", path, a.status)
		}
	}
	for _, auth := range []string{"Bearer sohoa_0123456789ab_" + strings.Repeat("x", 43), "Bearer nonsense", "Basic YWRtaW46YWRtaW4="} {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/documents", nil)
		req.Header.Set("Authorization", auth)
		r.anonymous().do(req).wantError(t, http.StatusUnauthorized, codeUnauthorized)
	}
}

const otherAgency = "000.00.54.H26"

// An account of another agency finds none of this agency's documents, dossiers or events: each is
// answered as if it did not exist, and lists and searches leave them out. The agency above both
// reaches both; an owner look-up reaches every agency's papers, and is logged for each.
func TestOtherAgencySeesNothing(t *testing.T) {
	r := newRig(t)
	d := r.openDossier(citizen)
	doc := r.attach(d.ID, "", "khai-sinh.png", scanPNG(7)).Document.ID
	r.read[doc] = []storage.PageResult{{Text: "Giấy khai sinh Nguyễn Văn An", Confidence: 95}}
	r.finish(doc)

	must(t, r.store.EnsureAgency(t.Context(), "000.00.00.H26", "UBND tỉnh", ""))
	must(t, r.store.EnsureAgency(t.Context(), testAgency, "", "000.00.00.H26"))
	must(t, r.store.EnsureAgency(t.Context(), otherAgency, "UBND quận Ngô Quyền", "000.00.00.H26"))
	for _, role := range []account.Role{account.Clerk, account.Archivist, account.Admin} {
		o := r.as("khac-"+string(role), role, otherAgency)
		for _, path := range []string{"/api/v1/documents/" + doc, "/api/v1/documents/" + doc + "/file", "/api/v1/documents/" + doc + "/text",
			"/api/v1/documents/" + doc + "/pages", "/api/v1/documents/" + doc + "/metadata", "/api/v1/documents/" + doc + "/verification",
			"/api/v1/dossiers/" + d.ID} {
			o.get(path).wantError(t, http.StatusNotFound, codeNotFound)
		}
		var list DocumentList
		o.get("/api/v1/documents").decode(t, &list)
		if list.Total != 0 {
			t.Errorf("%s of another agency lists %d documents", role, list.Total)
		}
		var found SearchResult
		o.get("/api/v1/search?q=khai+sinh").decode(t, &found)
		if found.Total != 0 {
			t.Errorf("%s of another agency finds %+v", role, found)
		}
		o.sendJSON(http.MethodPut, "/api/v1/documents/"+doc+"/paper", map[string]any{"kind": "x"}).wantError(t, http.StatusNotFound, codeNotFound)
	}
	o := r.as("khac-clerk", account.Clerk, otherAgency)
	o.upload("/api/v1/dossiers/"+d.ID+"/documents", "them.png", scanPNG(8)).wantError(t, http.StatusNotFound, codeNotFound)
	o.get("/api/v1/dossiers/"+d.ID+"/receipt").wantError(t, http.StatusNotFound, codeNotFound)
	// The same bytes uploaded by another agency are not handed back.
	o.upload("/api/v1/documents", "lai.png", scanPNG(7)).wantError(t, http.StatusConflict, codeDuplicateElsewhere)

	// Once-only: the other agency's clerk looks the owner up and reuses the paper into its own dossier.
	a := o.get("/api/v1/owners/" + citizen + "/documents?valid=true&purpose=hồ+sơ+mới")
	a.wantStatus(t, http.StatusOK)
	if !strings.Contains(string(a.body), doc) {
		t.Fatalf("the owner look-up of another agency does not show the paper: %s", a.body)
	}
	theirs := o.openDossier(citizen)
	o.sendJSON(http.MethodPost, "/api/v1/dossiers/"+theirs.ID+"/reuse", map[string]string{"document_id": doc}).wantStatus(t, http.StatusCreated)
	o.get("/api/v1/documents/"+doc+"/file").wantStatus(t, http.StatusOK) // now in a dossier of theirs

	for _, c := range []struct {
		agency string
		want   []string
	}{
		{testAgency, []string{"owner.viewed", "document.reused", "document.file"}},
		{otherAgency, []string{"search", "owner.viewed", "dossier.received", "document.reused", "document.file"}},
	} {
		var trail struct{ Events []AuditEvent }
		r.as("kiem-tra-"+c.agency, account.Auditor, c.agency).get("/api/v1/audit?account=khac-clerk").decode(t, &trail)
		var got []string
		for _, e := range slices.Backward(trail.Events) {
			got = append(got, e.Action)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("the auditor of %s sees the other clerk's %v; want %v", c.agency, got, c.want)
		}
	}

	province := r.as("tinh", account.Archivist, "000.00.00.H26")
	province.get("/api/v1/documents/"+doc+"/text").wantStatus(t, http.StatusOK)
	var all DocumentList
	province.get("/api/v1/documents").decode(t, &all)
	if all.Total != 1 {
		t.Errorf("the province lists %d documents; want the district's one", all.Total)
	}
}

// A station uploads for its agency and reads the status of what it uploaded, and nothing else.
func TestStationReachesItsOwnUploads(t *testing.T) {
	r := newRig(t)
	st := r.as("may-quet-1", account.Station, testAgency)
	a := st.upload("/api/v1/documents", "quet.png", scanPNG(3))
	a.wantStatus(t, http.StatusCreated)
	mine := a.document(t).ID
	if d := r.doc(mine); d.Agency != testAgency || d.UploadedBy == 0 {
		t.Errorf("a station's upload: agency %q, uploaded by %d", d.Agency, d.UploadedBy)
	}
	theirs := r.receive("khac.png", scanPNG(4)).ID
	st.get("/api/v1/documents/"+mine).wantStatus(t, http.StatusOK)
	st.get("/api/v1/documents/"+theirs).wantError(t, http.StatusNotFound, codeNotFound)
	var list DocumentList
	st.get("/api/v1/documents").decode(t, &list)
	if list.Total != 1 || list.Documents[0].ID != mine {
		t.Errorf("a station lists %+v; want only its upload", list)
	}
	st.get("/api/v1/documents/"+mine+"/text").wantError(t, http.StatusForbidden, codeForbidden)
}

// signInRig is a rig on a fake clock with a clerk lan whose password is "mật khẩu của Lan".
func signInRig(t *testing.T) (*rig, *clock.Fake) {
	r := newRig(t)
	clk := clock.NewFake(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	r.srv.Clock = clk
	hash, err := account.HashPassword("mật khẩu của Lan")
	must(t, err)
	_, err = r.store.CreateAccount(t.Context(), storage.NewAccount{Name: "lan", Role: "clerk", Agency: testAgency, PasswordHash: hash})
	must(t, err)
	return r, clk
}

// Sign-in: the same answer for a wrong name and a wrong password; a lock after five wrong passwords
// that holds against the right one; a session cookie that is HttpOnly and SameSite=Strict, ends when
// idle, and ends at sign-out; a disabled account is out at once.
func TestSignIn(t *testing.T) {
	r, clk := signInRig(t)
	anon := r.anonymous()
	signIn := func(name, password string) answer {
		return anon.sendJSON(http.MethodPost, "/api/v1/session", map[string]string{"name": name, "password": password})
	}
	signIn("ai-do", "mật khẩu của Lan").wantError(t, http.StatusUnauthorized, codeBadCredentials)
	for range account.MaxFailures {
		signIn("lan", "sai").wantError(t, http.StatusUnauthorized, codeBadCredentials)
	}
	locked := signIn("lan", "mật khẩu của Lan")
	locked.wantError(t, http.StatusTooManyRequests, codeAccountLocked)
	if locked.header.Get("Retry-After") == "" {
		t.Error("a locked sign-in has no Retry-After")
	}
	clk.Advance(account.LockFor)

	a := signIn("lan", "mật khẩu của Lan")
	a.wantStatus(t, http.StatusOK)
	var me Me
	a.decode(t, &me)
	if me != (Me{Name: "lan", Role: "clerk", RoleLabel: "Cán bộ một cửa", Agency: testAgency}) {
		t.Errorf("signed in as %+v", me)
	}
	cookie := (&http.Response{Header: a.header}).Cookies()
	if len(cookie) != 1 || cookie[0].Name != sessionCookie || !cookie[0].HttpOnly || cookie[0].SameSite != http.SameSiteStrictMode || cookie[0].Secure {
		t.Fatalf("session cookie %+v; want one, HttpOnly, SameSite=Strict, not Secure without TLS", cookie)
	}
	withCookie := func(method, path string) answer {
		req := httptest.NewRequest(method, path, nil)
		req.AddCookie(cookie[0])
		return anon.do(req)
	}
	withCookie(http.MethodGet, "/api/v1/session").wantStatus(t, http.StatusOK)
	clk.Advance(account.SessionIdle - time.Minute)
	withCookie(http.MethodGet, "/api/v1/documents").wantStatus(t, http.StatusOK) // still live, and seen now
	clk.Advance(account.SessionIdle - time.Minute)
	withCookie(http.MethodGet, "/api/v1/documents").wantStatus(t, http.StatusOK)
	clk.Advance(account.SessionIdle)
	withCookie(http.MethodGet, "/api/v1/documents").wantError(t, http.StatusUnauthorized, codeUnauthorized)

	a = signIn("lan", "mật khẩu của Lan")
	cookie = (&http.Response{Header: a.header}).Cookies()
	withCookie(http.MethodDelete, "/api/v1/session").wantStatus(t, http.StatusNoContent)
	withCookie(http.MethodGet, "/api/v1/session").wantError(t, http.StatusUnauthorized, codeUnauthorized)

	tok := r.tokenOf("lan", account.Clerk, testAgency)
	must(t, r.store.Disable(t.Context(), "lan"))
	req := httptest.NewRequest(http.MethodGet, "/api/v1/session", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	anon.do(req).wantError(t, http.StatusUnauthorized, codeUnauthorized)
	signIn("lan", "mật khẩu của Lan").wantError(t, http.StatusUnauthorized, codeBadCredentials)
}

// What a clerk reads is in the trail, in order, under the clerk's account, before it is served;
// auditors read it as JSON and CSV, and the chain verifies.
func TestAccessTrail(t *testing.T) {
	r := newRig(t)
	d := r.openDossier(citizen)
	doc := r.attach(d.ID, "", "khai-sinh.png", scanPNG(9)).Document.ID
	r.read[doc] = []storage.PageResult{{Text: "Giấy khai sinh Nguyễn Văn An", Confidence: 95}}
	r.finish(doc)

	clerk := r.as("lan", account.Clerk, testAgency)
	clerk.get("/api/v1/documents/"+doc+"/file").wantStatus(t, http.StatusOK)
	clerk.get("/api/v1/documents/"+doc+"/text").wantStatus(t, http.StatusOK)
	clerk.get("/api/v1/owners/"+citizen+"/documents?purpose=TEST").wantStatus(t, http.StatusOK)
	clerk.get("/api/v1/search?q=khai+sinh").wantStatus(t, http.StatusOK)
	clerk.get("/api/v1/audit").wantError(t, http.StatusForbidden, codeForbidden)

	auditor := r.as("kiem-tra", account.Auditor, testAgency)
	var trail struct {
		Total  int
		Events []AuditEvent
	}
	auditor.get("/api/v1/audit?account=lan").decode(t, &trail)
	var got []string
	for _, e := range slices.Backward(trail.Events) {
		got = append(got, e.Action)
		if e.Account != "lan" || e.Client == "" {
			t.Errorf("event %+v: want lan's, with the client", e)
		}
	}
	if want := []string{"document.file", "document.text", "owner.viewed", "search"}; trail.Total != 4 || !slices.Equal(got, want) {
		t.Errorf("lan's trail %v (total %d); want %v", got, trail.Total, want)
	}
	if s := trail.Events[0]; s.Query != "khai sinh" {
		t.Errorf("the search event's query %q", s.Query)
	}
	csv := auditor.get("/api/v1/audit?account=lan&format=csv")
	csv.wantStatus(t, http.StatusOK)
	if lines := strings.Split(strings.TrimSpace(string(csv.body)), "\n"); len(lines) != 5 ||
		lines[0] != "id,at,account,action,document_id,owner_id,dossier_id,query,client" || !strings.Contains(lines[1], ",search,") {
		t.Errorf("CSV export:\n%s", csv.body)
	}
	auditor.get("/api/v1/documents/"+doc+"/text").wantError(t, http.StatusForbidden, codeForbidden)
	auditor.get("/api/v1/audit?from=hôm-qua").wantError(t, http.StatusBadRequest, codeBadDate)
	if n, err := storage.VerifyTrail(t.Context(), r.store); err != nil || n < 6 {
		t.Errorf("VerifyTrail = %d, %v", n, err)
	}
}

func TestCSVCellsAreNotFormulas(t *testing.T) {
	for in, want := range map[string]string{"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+1": "'+1", "-2": "'-2", "@a": "'@a",
		"khai sinh": "khai sinh", "": ""} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q; want %q", in, got, want)
		}
	}
}

// One client trying a password on many accounts locks none of them, but is held back itself after
// 20 failures in 10 minutes, even with a right password; another client is not.
func TestSignInThrottlesAClient(t *testing.T) {
	r, clk := signInRig(t)
	signIn := func(from, name, password string) answer {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/session", strings.NewReader(`{"name":"`+name+`","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = from + ":40000"
		return r.anonymous().do(req)
	}
	for i := range signInFailuresPerClient {
		signIn("203.0.113.9", "nguoi-"+strconv.Itoa(i), "123456").wantError(t, http.StatusUnauthorized, codeBadCredentials)
	}
	held := signIn("203.0.113.9", "lan", "mật khẩu của Lan")
	held.wantError(t, http.StatusTooManyRequests, codeTooManyAttempts)
	if held.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	signIn("198.51.100.4", "lan", "mật khẩu của Lan").wantStatus(t, http.StatusOK)
	clk.Advance(signInWindow)
	signIn("203.0.113.9", "lan", "mật khẩu của Lan").wantStatus(t, http.StatusOK)
}

func TestThrottleKey(t *testing.T) {
	for in, want := range map[string]string{"203.0.113.9": "203.0.113.9", "2001:db8:1:2:a:b:c:d": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64", "not-an-address": "not-an-address"} {
		if got := throttleKey(in); got != want {
			t.Errorf("throttleKey(%q) = %q; want %q", in, got, want)
		}
	}
}
