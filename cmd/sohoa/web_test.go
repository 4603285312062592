package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpfetch "github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/sohoa-vn/sohoa/internal/testenv"
)

// pageCSP is the Content-Security-Policy the hardening work puts on every answer: the browser serves
// the page under it, so a page that needs inline script or style fails this test.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// probeStyle is the style attribute the test sets to see the policy refuse it; the refusal names the
// attribute's hash, which tells it from a refusal of the page's own.
const probeStyle = "display: none"

// The web page in headless Chromium against a running sohoa: signed out it shows the sign-in form,
// and a wrong password the API's Vietnamese reason; a clerk signs in, sees the clerk's navigation,
// uploads a scan through the file input and sees it reach Hoàn tất; a session that ends in the
// middle of work brings the form back on the same address, and signing in again returns there;
// signing out ends the session and brings the form back.
func TestWebPage(t *testing.T) {
	b := newBrowser(t)
	sys := startSystem(t)
	const citizen = "031085012345"
	const name, password = "lan", "mật khẩu của Lan 2026"
	const auditor, auditorPassword = "thu", "mật khẩu của Thu 2026"
	sys.commandWithInput(t, password+"\n", "users", "add", name, "--role", "clerk", "--password-stdin")
	sys.commandWithInput(t, auditorPassword+"\n", "users", "add", auditor, "--role", "auditor", "--password-stdin")

	b.do(chromedp.Navigate(sys.base + "/#/tiep-nhan"))
	b.do(chromedp.WaitVisible(chromedp.CSS("#signin-name")))
	// The policy is in force: a style attribute set now is refused (checkConsole knows its refusal).
	if got := b.eval(`(() => { const p = document.createElement('p'); p.setAttribute('style', '` + probeStyle + `'); document.body.append(p);
		const shown = getComputedStyle(p).display; p.remove(); return shown; })()`); got != "block" {
		t.Fatalf("a style attribute applies (display %v): the page is not served under the Content-Security-Policy", got)
	}
	if hidden := b.eval(`document.getElementById('nav').hidden && document.getElementById('account').hidden`); hidden != true {
		t.Error("signed out, the navigation or the account box is shown")
	}

	// A wrong password: the API's reason, and the keyboard back in the emptied password field.
	b.do(chromedp.SendKeys(chromedp.CSS("#signin-name"), name),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), "sai mật khẩu"),
		chromedp.Click(chromedp.CSS(".signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#signin-msg .notice--error")))
	if got := b.text("#signin-msg"); got != "Sai tên tài khoản hoặc mật khẩu." {
		t.Errorf("after a wrong password the form says %q", got)
	}
	if got := b.eval(`[document.activeElement.id, document.getElementById('signin-password').value]`); !equalJS(got, []any{"signin-password", ""}) {
		t.Errorf("after a wrong password focus and password field are %v; want the emptied password field focused", got)
	}

	// Signed in: who, in the header, and the clerk's entries only.
	b.do(chromedp.SendKeys(chromedp.CSS("#signin-password"), password),
		chromedp.Click(chromedp.CSS(".signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#account .account__name")))
	if got := b.text("#account .account__who"); !strings.Contains(got, name) || !strings.Contains(got, "Cán bộ một cửa") {
		t.Errorf("the header shows %q; want the account %s and its role Cán bộ một cửa", got, name)
	}
	navs := b.eval(`[...document.querySelectorAll('#nav [data-nav]')].filter((a) => !a.parentElement.hidden).map((a) => a.dataset.nav)`)
	if !equalJS(navs, []any{"tiep-nhan", "ho-so-tthc", "tra-cuu", "bao-cao"}) {
		t.Errorf("a clerk is offered %v", navs)
	}
	if got := b.eval(`[location.hash, document.activeElement.tagName, document.activeElement.textContent]`); !equalJS(got, []any{"#/tiep-nhan", "H1", "Tiếp nhận hồ sơ"}) {
		t.Errorf("after sign-in the address, the focused element and its text are %v; want the intake view's heading", got)
	}

	// An upload through the file input, followed until the pipeline is done with it.
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{filepath.Join(testenv.Samples(t), "scans", "khai-sinh.png")}),
		chromedp.WaitVisible(chromedp.CSS(".uploads .up--done")))
	if got := b.text(".uploads .up--done"); !strings.Contains(got, "khai-sinh.png") || !strings.Contains(got, "Đã tiếp nhận.") {
		t.Errorf("the finished upload reads %q", got)
	}
	b.waitFor("the uploaded scan's row to read Hoàn tất", 4*time.Minute,
		`[...document.querySelectorAll('table.docs tbody tr')].some((tr) => tr.textContent.includes('khai-sinh.png') && tr.querySelector('.badge--done')?.textContent === 'Hoàn tất')`)

	// A dossier opened through the form, with no field for the clerk (the account is the actor); a
	// paper uploaded into it; the owner's store looked at with the dossier as the purpose.
	b.eval(`location.hash = '#/ho-so-tthc'`)
	b.do(chromedp.WaitVisible(chromedp.CSS("#owner_id")))
	if got := b.eval(`document.querySelectorAll('#staff, #d-staff').length`); got != float64(0) {
		t.Errorf("the dossier form still has %v staff fields", got)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#owner_id"), citizen), chromedp.SendKeys(chromedp.CSS("#procedure_code"), "1.001193"),
		chromedp.SendKeys(chromedp.CSS("#procedure_name"), "Đăng ký khai sinh"),
		chromedp.Click(chromedp.CSS("main form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#d-files")))
	b.waitFor("the dossier's code", time.Minute, `/^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$/.test(document.querySelector('h1.dcode').textContent)`)
	b.do(chromedp.SetUploadFiles(chromedp.CSS("#d-files"), []string{filepath.Join(testenv.Samples(t), "scans", "dkdn.jpg")}),
		chromedp.WaitVisible(chromedp.CSS(".uploads .up--done")))
	b.waitFor("the dossier's history to name the clerk", time.Minute,
		`[...document.querySelectorAll('.history__item')].some((li) => li.textContent.includes('Nộp giấy tờ tại quầy') && li.textContent.includes('Cán bộ: `+name+`'))`)
	store := `document.querySelector('[aria-labelledby=d-store-h]')`
	b.waitFor("the owner's store to load", time.Minute, store+`.querySelector('.papers, .notice') !== null`)
	if got := b.eval(store + `.querySelector('.notice--error')?.textContent ?? ''`); got != "" {
		t.Errorf("the owner's store: %v", got)
	}

	// The session ends in the middle of work: the next call's 401 brings the form back, the address
	// stays, and signing in again (the name offered) lands on that view.
	if _, err := chromedp.Call(b.ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	b.eval(`location.hash = '#/tra-cuu?q=khai+sinh'`)
	b.do(chromedp.WaitVisible(chromedp.CSS("#signin-password")))
	if got := b.text("main .notice--error"); !strings.Contains(got, "Phiên đăng nhập đã hết hạn") {
		t.Errorf("the form after a lost session says %q", got)
	}
	if got := b.eval(`[location.hash, document.getElementById('signin-name').value, document.activeElement.id]`); !equalJS(got, []any{"#/tra-cuu?q=khai+sinh", name, "signin-password"}) {
		t.Errorf("after a lost session the address, the name offered and the focused field are %v", got)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#signin-password"), password),
		chromedp.Click(chromedp.CSS(".signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("ol.hits .hit")))
	if got := b.eval(`[document.querySelector('main h1').textContent, document.getElementById('q').value]`); !equalJS(got, []any{"Tra cứu hồ sơ", "khai sinh"}) {
		t.Errorf("signed in again, the view is %v; want the search that was open", got)
	}

	// Signing out: the form again, the account's last address gone, and the session over for the
	// server too.
	b.do(chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#signin-name")))
	if got := b.text("main .notice--ok"); got != "Đã đăng xuất." {
		t.Errorf("after sign-out the form says %q", got)
	}
	if got := b.eval(`location.hash`); got != "" {
		t.Errorf("after sign-out the address still holds %q", got)
	}
	if hidden := b.eval(`document.getElementById('nav').hidden && document.getElementById('account').hidden`); hidden != true {
		t.Error("signed out, the navigation or the account box is still shown")
	}
	if status := b.eval(`fetch('/api/v1/session').then((r) => r.status)`); status != float64(401) {
		t.Errorf("after sign-out GET /api/v1/session answers %v; want 401", status)
	}

	// An auditor: signed in on the access trail, offered it and the reports only, with the clerk's search in
	// it; a filter narrows it, and the CSV link exports what it shows.
	b.signIn(auditor, auditorPassword)
	b.do(chromedp.WaitVisible(chromedp.CSS("table.audit tbody tr")))
	if got := b.eval(`[location.hash, ...[...document.querySelectorAll('#nav [data-nav]')].filter((a) => !a.parentElement.hidden).map((a) => a.dataset.nav)]`); !equalJS(got, []any{"#/nhat-ky", "nhat-ky", "bao-cao"}) {
		t.Errorf("an auditor's address and entries are %v; want the access trail and the reports only", got)
	}
	if got := b.text("#account .account__who"); !strings.Contains(got, "Kiểm tra viên") {
		t.Errorf("the header shows %q for an auditor", got)
	}
	rows := `[...document.querySelectorAll('table.audit tbody tr')].map((tr) => [...tr.cells].map((td) => td.innerText.trim()))`
	if got := b.eval(rows + `.some((r) => r[1] === '` + name + `' && r[2].startsWith('Tra cứu') && r[4].includes('khai sinh'))`); got != true {
		t.Errorf("the trail has no row of %s's search for khai sinh: %v", name, b.eval(rows))
	}
	// Each read of the dossier is in the trail too, so the look at the store may be a page back.
	looks := b.eval(`fetch('/api/v1/audit?account=` + name + `&owner=` + citizen + `&limit=1000').then((r) => r.json())
		.then((j) => j.events.filter((e) => e.action === 'owner.viewed').length)`)
	if n, _ := looks.(float64); n < 1 {
		t.Errorf("the trail has %v looks of %s at %s's papers", looks, name, citizen)
	}
	b.do(chromedp.SendKeys(chromedp.CSS("#a-tai-khoan"), auditor), chromedp.Click(chromedp.CSS("form[role=search] button[type=submit]")))
	b.waitFor("the trail filtered by the auditor's account", time.Minute,
		`location.hash === '#/nhat-ky?tai-khoan=`+auditor+`' && document.querySelector('main .notice--empty') !== null`)
	b.eval(`document.getElementById('a-tai-khoan').value = ''`)
	b.do(chromedp.SendKeys(chromedp.CSS("#a-tai-khoan"), name), chromedp.Click(chromedp.CSS("form[role=search] button[type=submit]")))
	b.waitFor("the trail filtered by the clerk's account", time.Minute,
		`location.hash === '#/nhat-ky?tai-khoan=`+name+`' && `+rows+`.length > 0 && `+rows+`.every((r) => r[1] === '`+name+`')`)
	csv := b.eval(`(async () => { const a = document.querySelector('a[data-key=csv]'); const r = await fetch(a.href);
		return [new URL(a.href).search, r.status, r.headers.get('content-type'), (await r.text()).split('\n')[0]]; })()`)
	if !equalJS(csv, []any{"?account=" + name + "&format=csv", float64(200), "text/csv; charset=utf-8", "id,at,account,action,document_id,owner_id,dossier_id,query,client"}) {
		t.Errorf("the CSV link: %v", csv)
	}
	b.do(chromedp.Click(chromedp.CSS("#sign-out")), chromedp.WaitVisible(chromedp.CSS("#signin-name")))
	b.checkConsole()
}

// signIn signs in through the form.
func (b *browser) signIn(name, password string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS("#signin-name")))
	b.eval(`document.getElementById('signin-name').value = ''`)
	b.do(chromedp.SendKeys(chromedp.CSS("#signin-name"), name),
		chromedp.SendKeys(chromedp.CSS("#signin-password"), password),
		chromedp.Click(chromedp.CSS(".signin button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#account .account__name")))
}

// browser is a headless Chromium tab for one test, serving the page under pageCSP and keeping what
// the page wrote to its console.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// newBrowser starts Chromium with the flags this closed network needs (no background connections
// that would be refused) and a fresh profile. Chromium missing is a failure: the test needs it.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	testenv.Need(t, "chromium")
	path, _ := exec.LookPath("chromium")
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("lang", "vi-VN"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithErrorf(t.Logf))
	t.Cleanup(cancel)
	b := &browser{t: t, ctx: ctx}

	// Every page load gets the policy: paused at the response, answered with the same body and one
	// more header.
	paused := chromedp.Events(ctx, cdpfetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			body, err := chromedp.Call(ctx, cdpfetch.GetResponseBody, cdpfetch.GetResponseBodyParams{RequestID: ev.RequestID})
			if err != nil {
				chromedp.Call(ctx, cdpfetch.ContinueRequest, cdpfetch.ContinueRequestParams{RequestID: ev.RequestID})
				continue
			}
			headers := append(slices.Clone(ev.ResponseHeaders), &cdpfetch.HeaderEntry{Name: "Content-Security-Policy", Value: pageCSP})
			chromedp.Call(ctx, cdpfetch.FulfillRequest, cdpfetch.FulfillRequestParams{RequestID: ev.RequestID,
				ResponseCode: ev.ResponseStatusCode, ResponseHeaders: headers, Body: body.Body})
		}
	}()
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	if _, err := chromedp.Call(ctx, cdpfetch.Enable, cdpfetch.EnableParams{Patterns: []*cdpfetch.RequestPattern{
		{URLPattern: "*", ResourceType: network.ResourceTypeDocument, RequestStage: cdpfetch.RequestStageResponse}}}); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return b
}

// do runs the actions, each waiting at most a minute.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fail(err)
	}
}

// eval evaluates a JavaScript expression in the page (awaiting a promise) and returns its value as
// JSON decodes it.
func (b *browser) eval(expr string) any {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.fail(err)
	}
	return v
}

// text is the visible text of the first element matching the CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fail(err)
	}
	return strings.TrimSpace(s)
}

// waitFor waits until the JavaScript condition holds, failing the test after within.
func (b *browser) waitFor(what string, within time.Duration, cond string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(250*time.Millisecond))); err != nil {
		b.fail(err, "waiting for "+what)
	}
}

// fail stops the test with what the page shows and what it wrote to its console.
func (b *browser) fail(err error, doing ...string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 10*time.Second)
	defer cancel()
	shown, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText`))
	b.t.Fatalf("%s: %v\nthe page:\n%s\nits console:\n%s", strings.Join(doing, " "), err, shown, b.consoleText())
}

func (b *browser) consoleText() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out strings.Builder
	for _, m := range b.console {
		out.WriteString(string(m.Type) + ": " + m.String() + "\n")
	}
	return out.String()
}

// checkConsole fails the test for an uncaught exception or a refusal by the Content-Security-Policy.
// The 401s of the signed-out page are expected, and logged by the browser as failed loads.
func (b *browser) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	sum := sha256.Sum256([]byte(probeStyle))
	probe := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	for _, m := range b.console {
		if m.IsException() || strings.Contains(m.String(), "Content Security Policy") && !strings.Contains(m.String(), probe) {
			b.t.Errorf("the page's console: %s: %s (%s:%d)", m.Type, m, m.URL, m.Line+1)
		}
	}
}

// equalJS compares a value from eval with a Go slice of the same JSON shape.
func equalJS(got any, want []any) bool {
	g, ok := got.([]any)
	return ok && slices.Equal(g, want)
}
