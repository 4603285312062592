// Browser tests of sohoa's screens: Playwright (playwright-core) driving Debian's Chromium against
// a running sohoa, under the server's own Content-Security-Policy. Run by TestScreens
// (cmd/sohoa/screens_test.go), which starts the system, makes the accounts and passes:
//   SOHOA_BASE       http://host:port of sohoa
//   SOHOA_USERS      JSON {clerk: [name, password], archivist: […], auditor: […], admin: […]}
//   SOHOA_CITIZEN    the owner whose paper (SOHOA_REUSE_ID) the store holds
//   SOHOA_STATION    a station account the admin gives a token
//   SOHOA_SCANS      folder of sample scans
//   SOHOA_ARTEFACTS  where screenshots and the axe reports go
//   CHROMIUM         the browser (default /usr/bin/chromium)
// Each flow waits for states, never for times. Any console error or uncaught exception fails.

import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const env = (k, d) => process.env[k] ?? d ?? (() => { throw new Error(`${k} is not set`); })();
const base = env('SOHOA_BASE');
const users = JSON.parse(env('SOHOA_USERS'));
const citizen = env('SOHOA_CITIZEN');
const reuseID = env('SOHOA_REUSE_ID');
const station = env('SOHOA_STATION');
const scans = env('SOHOA_SCANS');
const out = env('SOHOA_ARTEFACTS');
mkdirSync(out, { recursive: true });

const LONG = 10 * 60 * 1000; // the pipeline on two shared cores: a bound, not an expectation
const step = (s) => console.log(`— ${s}`);
const failures = [];
function check(ok, what) {
  if (!ok) { failures.push(what); console.log(`FAIL: ${what}`); }
}

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
context.setDefaultTimeout(60_000);
const page = await context.newPage();

// Endpoints the lead adds on main; until they are merged here their flows are skipped, said so.
const absent = new Set();
for (const path of ['/api/v1/procedures?q=1', '/api/v1/agencies', '/api/v1/accounts', '/api/v1/tokens']) {
  const r = await context.request.get(base + path);
  if (r.status() === 404) absent.add(path.split('?')[0]);
}
if (absent.size) console.log(`NOTE: not on this server yet (their parts are skipped): ${[...absent].join(', ')}`);

// The console: every error fails, but for the expected 401 of GET /api/v1/session on a signed-out
// page and the 404s of the endpoints found absent above.
const consoleErrors = [];
let signedOut = true;
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  const url = m.location()?.url ?? '';
  const path = url.startsWith(base) ? new URL(url).pathname : '';
  if (signedOut && path === '/api/v1/session' && m.text().includes('401')) return;
  if (absent.has(path) && m.text().includes('404')) return;
  consoleErrors.push(`${m.text()} (${url})`);
});
page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));
const requests = [];
page.on('request', (r) => requests.push(r.url()));

// axe on the screen as it is: no serious or critical violation. CDP's evaluate is not subject to
// the page's CSP, so the page keeps its policy while axe runs.
const axeReport = {};
async function axe(name) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeReport[name] = r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  for (const v of bad) check(false, `axe on ${name}: ${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  console.log(`   axe ${name}: ${r.violations.length} violations, ${bad.length} serious or critical`);
}
async function shot(name) {
  await page.screenshot({ path: join(out, `${name}.png`) });
}

async function signIn([name, password]) {
  await page.waitForSelector('#signin-name');
  // With the keyboard alone: the name, Tab, the password, Enter.
  await page.fill('#signin-name', '');
  await page.focus('#signin-name');
  await page.keyboard.type(name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  signedOut = false;
  await page.keyboard.press('Enter');
  await page.waitForSelector('#account .account__name');
  check((await page.textContent('#account .account__name')) === name, `the header names ${name}`);
}
async function signOut() {
  signedOut = true; // the page reloads signed out, and asks GET /api/v1/session: 401 is expected
  await page.click('#sign-out');
  await page.waitForSelector('#signin-name');
  await page.waitForSelector('main .notice--ok');
  check((await page.textContent('main .notice--ok')).includes('Đã đăng xuất'), 'the form says the account signed out');
}

try {
  // ------------------------------------------------------------------ sign-in
  step('sign-in screen');
  await page.goto(`${base}/`);
  await page.waitForSelector('#signin-name');
  const csp = (await context.request.get(`${base}/`)).headers()['content-security-policy'] ?? '';
  check(csp.includes("script-src 'self'") && !csp.includes('unsafe-inline'), `the page is served under a strict CSP: ${csp}`);
  await axe('signin');
  await shot('signin');

  // ------------------------------------------------------------------ counter
  step('clerk: open a dossier');
  await signIn(users.clerk);
  await page.waitForSelector('#owner_id');
  check(await page.evaluate(() => location.hash === '#/ho-so-tthc'), 'a clerk starts at the counter');
  await page.fill('#owner_id', '0100109107');
  await page.press('#owner_id', 'Tab');
  check((await page.textContent('#owner_id-err')).includes('chữ số kiểm tra'), 'a tax code with a wrong check digit is refused as typed');
  await page.fill('#owner_id', '');
  await page.focus('#owner_id');
  await page.keyboard.type(citizen);
  await page.waitForSelector('#owner_id-ok:has-text("CCCD")');
  check((await page.textContent('#owner_id-err')) === '', 'a valid CCCD has no error');
  await page.focus('#procedure_code');
  if (!absent.has('/api/v1/procedures')) {
    await page.keyboard.type('khai sinh');
    await page.waitForSelector('#procedure-list [role=option]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    check((await page.inputValue('#procedure_code')) !== '' && (await page.inputValue('#procedure_name')) !== '', 'choosing a procedure fills its code and name');
  } else {
    await page.keyboard.type('1.001193');
    await page.fill('#procedure_name', 'Đăng ký khai sinh');
  }
  const due = new Date(Date.now() + 15 * 86400e3).toISOString().slice(0, 10);
  await page.fill('#due_at', due);
  await axe('counter-open');
  await shot('counter-open');
  await page.click('main form button[type=submit]');
  await page.waitForFunction(() => /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}$/.test(document.querySelector('h1.dcode')?.textContent ?? ''));
  const dossierCode = await page.textContent('h1.dcode');
  console.log(`   dossier ${dossierCode}`);

  step('clerk: reuse a paper from the store');
  const paper = page.locator(`.papers .paper[data-doc="${reuseID}"]`);
  await paper.waitFor();
  check((await paper.locator('.paper__why').textContent()).startsWith('Dùng lại được vì'), 'the paper says why it can be reused');
  await paper.locator('button').click();
  await page.waitForSelector('[aria-labelledby=d-store-h] .notice--ok');
  check((await page.textContent('[aria-labelledby=d-store-h] .notice--ok')).includes('Dùng lại được vì'), 'the reuse states why');
  await page.waitForSelector(`.dossier-docs tr[data-doc="${reuseID}"]`);

  step('clerk: two scans dropped into the dossier, followed to Hoàn tất');
  await page.setInputFiles('#d-files', [join(scans, 'dkdn.jpg'), join(scans, 'xay-dung-skewed.jpg')]);
  await page.waitForFunction(() => document.querySelectorAll('.uploads .up--done').length === 2, null, { timeout: 3 * 60_000 });
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('.dossier-docs tbody tr')];
    return rows.length === 3 && rows.some((r) => r.dataset.status !== 'done') === false;
  }, null, { timeout: LONG });
  const rows = await page.$$eval('.dossier-docs tbody tr', (rs) => rs.map((r) => [r.dataset.status, r.querySelector('.steps')?.getAttribute('aria-label')]));
  check(rows.every(([s, p]) => s === 'done' && p === 'Tiến độ: 6/6 bước'), `every paper done, 6/6 steps: ${JSON.stringify(rows)}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await axe('counter-dossier');
  await shot('counter-dossier');

  step('clerk: print the receipt, the cover sheet and a separator');
  for (const key of ['receipt', 'cover', 'separator']) {
    const href = await page.getAttribute(`a[data-key=${key}]`, 'href');
    const r = await context.request.get(base + href);
    check(r.status() === 200 && r.headers()['content-type'] === 'application/pdf', `${key}: ${r.status()} ${r.headers()['content-type']}`);
  }
  const [popup] = await Promise.all([context.waitForEvent('page'), page.click('a[data-key=receipt]')]);
  await popup.close();

  step('clerk: a finished paper opened from the dossier looks at no owner listing');
  const before = requests.length;
  await page.click(`.dossier-docs tr[data-doc="${reuseID}"] a[data-key^="doc:"]`);
  await page.waitForSelector('#ver-h');
  await page.waitForSelector('.verdict');
  await page.waitForSelector('.pages .page');
  check(!requests.slice(before).some((u) => u.includes('/api/v1/owners/')), 'opening a document calls no /api/v1/owners/ listing');
  check(await page.locator('button:has-text("Làm lại")').count() === 0, 'a finished document offers no Làm lại');
  await signOut();

  // ------------------------------------------------------------------ archive
  step('archivist: find a paper without diacritics');
  await signIn(users.archivist);
  await page.waitForSelector('#q');
  await page.focus('#q');
  await page.keyboard.type('giay khai sinh');
  await page.keyboard.press('Enter');
  await page.waitForSelector('ol.hits .hit');
  check((await page.textContent('ol.hits')).toLowerCase().includes('khai sinh'), 'a hit for khai sinh');
  step('archivist: the facets narrow the search, and the filter is lifted again');
  await page.waitForSelector('nav.facets a[data-facet="agency"]');
  const agency = new URLSearchParams((await page.getAttribute('nav.facets a[data-facet="agency"]', 'href')).split('?')[1]).get('co-quan');
  await page.click('nav.facets a[data-facet="agency"]');
  await page.waitForSelector('nav.facets .facet--set a[data-key="lift-co-quan"]');
  check(await page.inputValue('#s-co-quan') === agency, `the agency filter is ${agency}: ${await page.inputValue('#s-co-quan')}`);
  check(new URL(page.url()).hash.includes(`co-quan=${agency}`), `the address names the agency: ${page.url()}`);
  await page.waitForSelector('ol.hits .hit');
  await axe('archive-search');
  await shot('archive-search');
  await page.click('nav.facets a[data-key="lift-co-quan"]');
  await page.waitForSelector('nav.facets a[data-facet="agency"]');
  check(await page.inputValue('#s-co-quan') === '', 'the agency filter is lifted');
  await page.waitForSelector('ol.hits .hit');
  const archBefore = requests.length;
  await page.click('ol.hits .hit a');
  step('archivist: the document, its signature valid, a field confirmed');
  await page.waitForSelector('.verdict');
  check((await page.textContent('.verdict')).includes('Chữ ký hợp lệ'), 'the signature is valid');
  await page.waitForSelector('.pages .page');
  await page.waitForSelector('.pagetext .ocr pre');
  await page.waitForFunction(() => { const i = document.querySelector('.scanbox img.scan'); return i && i.complete && i.naturalWidth > 0; }, null, { timeout: 60000 });
  await page.click('button[data-key=zoom]');
  await page.waitForSelector('img.scan--zoomed');
  check(await page.$eval('img.scan--zoomed', (i) => i.getBoundingClientRect().width >= i.naturalWidth - 1), 'the zoomed page is at its own size');
  await page.waitForSelector('#p-kind');
  await axe('archive-document');
  await shot('archive-document');
  await page.fill('#p-kind', 'Giấy khai sinh');
  await page.click('form[aria-label="Xác nhận thông tin giấy tờ"] button[type=submit]');
  await page.waitForSelector('[aria-labelledby=ext-h] .notice--ok');
  await page.waitForSelector('dd[data-field=typeName]:has-text("Giấy khai sinh")');
  check(!requests.slice(archBefore).some((u) => u.includes('/api/v1/owners/')), 'the archivist\'s document view calls no owner listing');
  await signOut();

  // ------------------------------------------------------------------ admin
  step('admin: stations, and a token for a station');
  await signIn(users.admin);
  await page.evaluate(() => { location.hash = '#/quan-tri'; });
  await page.waitForSelector(`.stations tr[data-station="${station}"]`);
  let token = '';
  if (!absent.has('/api/v1/accounts') && !absent.has('/api/v1/tokens')) {
    await page.click(`button[data-key="token:${station}"]`);
    await page.waitForSelector('#ad-accounts .secret');
    token = (await page.textContent('#ad-accounts .secret')).trim();
    check(token.startsWith('sohoa_'), `the new token is shown once: ${token.slice(0, 8)}…`);
    await page.waitForSelector(`.tokens tr[data-account="${station}"]`);
    const r = await context.request.get(`${base}/api/v1/session`, { headers: { Authorization: `Bearer ${token}` } });
    check(r.status() === 200 && (await r.json()).name === station, 'the token signs in as the station');
  } else {
    console.log('SKIPPED: the admin adds a station token (GET /api/v1/accounts, POST …/tokens are not on this server)');
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await axe('admin');
  await shot('admin');
  await signOut();

  // ------------------------------------------------------------------ audit
  step('auditor: those actions in the trail');
  await signIn(users.auditor);
  await page.waitForSelector('table.audit tbody tr');
  check(await page.evaluate(() => location.hash === '#/nhat-ky'), 'an auditor starts at the trail');
  await page.fill('#a-tai-khoan', users.clerk[0]);
  await page.press('#a-tai-khoan', 'Enter');
  await page.waitForFunction((n) => location.hash === `#/nhat-ky?tai-khoan=${n}`
    && [...document.querySelectorAll('table.audit tbody tr')].every((tr) => tr.cells[1].innerText.trim() === n), users.clerk[0]);
  const actionsOf = (name) => page.evaluate(async (n) => (await (await fetch(`/api/v1/audit?account=${encodeURIComponent(n)}&limit=1000`)).json()).events.map((e) => e.action), name);
  const clerkActs = await actionsOf(users.clerk[0]);
  for (const a of ['dossier.received', 'owner.viewed', 'document.reused', 'document.attached', 'dossier.receipt']) check(clerkActs.includes(a), `the trail has the clerk's ${a}`);
  const archActs = await actionsOf(users.archivist[0]);
  for (const a of ['search', 'document.verification', 'document.page', 'paper.updated']) check(archActs.includes(a), `the trail has the archivist's ${a}: ${JSON.stringify(archActs)}`);
  check(!archActs.includes('owner.viewed'), 'the archivist looked at no owner listing');
  if (token) {
    const adminActs = await actionsOf(users.admin[0]);
    check(adminActs.some((a) => a.startsWith('token')), `the trail has the admin's token: ${JSON.stringify(adminActs)}`);
  }
  const csv = await page.evaluate(async () => { const a = document.querySelector('a[data-key=csv]'); const r = await fetch(a.href); return [r.status, r.headers.get('content-type')]; });
  check(csv[0] === 200 && csv[1].startsWith('text/csv'), `the CSV export: ${csv}`);
  await axe('audit');
  await shot('audit');
  await signOut();
} catch (e) {
  failures.push(`${e.message}`);
  console.log(`FAIL: ${e.stack}`);
  try {
    await page.screenshot({ path: join(out, 'failure.png') });
    console.log(`the page at ${page.url()}:\n${(await page.innerText('body')).slice(0, 3000)}`);
  } catch { /* the page is gone */ }
}

for (const c of consoleErrors) failures.push(`console: ${c}`);
writeFileSync(join(out, 'axe.json'), JSON.stringify(axeReport, null, 2));
await browser.close();
if (failures.length) {
  console.log(`\n${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\nall flows passed; screenshots and axe.json in ${out}`);
