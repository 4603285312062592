// Browser tests of sohoa's screens: Playwright (playwright-core) driving Debian's Chromium against
// a running sohoa, under the server's own Content-Security-Policy. Run by TestScreens
// (cmd/sohoa/screens_test.go), which starts the system, makes the accounts and passes:
//   SOHOA_BASE       http://host:port of sohoa
//   SOHOA_USERS      JSON {clerk: [name, password], archivist: […], auditor: […], admin: […], province: […]}
//   SOHOA_CITIZEN    the owner whose paper (SOHOA_REUSE_ID) the store holds
//   SOHOA_STATION    a station account the admin gives a token
//   SOHOA_SCANS      folder of sample scans
//   SOHOA_ARTEFACTS  where screenshots and the axe reports go
//   CHROMIUM         the browser (default /usr/bin/chromium)
//   SOHOA_DEMO_YEAR, SOHOA_DEMO_DOSSIERS  the year of the sample province's dossiers, and how many
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
const demoYear = env('SOHOA_DEMO_YEAR');
const demoDossiers = Number(env('SOHOA_DEMO_DOSSIERS'));
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
async function shot(name, fullPage = false) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage });
}
const vn = new Intl.NumberFormat('vi-VN');

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

  step('clerk: two scans dropped into the dossier, followed stage by stage and page by page to Hoàn tất');
  // What each paper's row shows, recorded every 100 ms as it changes: the page must move by itself.
  await page.evaluate(() => {
    window.sohoaNotReloaded = true;
    window.sohoaProgress = [];
    const last = new Map();
    setInterval(() => {
      for (const tr of document.querySelectorAll('.dossier-docs tbody tr')) {
        const p = tr.querySelector('.prog');
        const st = { doc: tr.dataset.doc, file: tr.querySelector('.docs__title')?.textContent ?? '', status: tr.dataset.status,
          stage: p?.dataset.stage, read: Number(p?.dataset.pagesRead ?? 0), pages: Number(p?.dataset.pages ?? 0), text: p?.textContent ?? '' };
        const key = `${st.status}|${st.stage}|${st.read}/${st.pages}`;
        if (last.get(st.doc) !== key) { last.set(st.doc, key); window.sohoaProgress.push(st); }
      }
    }, 100);
  });
  await page.setInputFiles('#d-files', [join(scans, 'dkdn.jpg'), join(scans, 'ke-hoach.pdf')]);
  await page.waitForFunction(() => document.querySelectorAll('.uploads .up--done').length === 2, null, { timeout: 3 * 60_000 });
  const allDone = () => {
    const rows = [...document.querySelectorAll('.dossier-docs tbody tr')];
    return rows.length === 3 && rows.some((r) => r.dataset.status !== 'done') === false;
  };
  // A picture of a paper caught half read, when the pipeline is slow enough to be caught (no check).
  await page.waitForFunction(() => [...document.querySelectorAll('.dossier-docs .prog[data-stage=ocr]')]
    .some((p) => Number(p.dataset.pagesRead) < Number(p.dataset.pages))
    || [...document.querySelectorAll('.dossier-docs tbody tr')].every((r) => r.dataset.status === 'done'), null, { timeout: LONG });
  if (!(await page.evaluate(allDone))) await shot('counter-progress');
  await page.waitForFunction(allDone, null, { timeout: LONG });
  const rows = await page.$$eval('.dossier-docs tbody tr', (rs) => rs.map((r) => [r.dataset.status, r.querySelector('.steps')?.getAttribute('aria-label')]));
  check(rows.every(([s, p]) => s === 'done' && p === 'Tiến độ: 6/6 bước'), `every paper done, 6/6 steps: ${JSON.stringify(rows)}`);
  // The recorder ticks every 100 ms: let it see the last change too.
  await page.waitForFunction(() => window.sohoaProgress.some((p) => p.file.includes('ke-hoach.pdf') && p.status === 'done'));
  const seen = (await page.evaluate(() => window.sohoaProgress)).filter((p) => p.file.includes('ke-hoach.pdf'));
  console.log(`   ke-hoach.pdf as the counter showed it: ${seen.map((p) => `${p.status}/${p.stage} ${p.read}/${p.pages}`).join(' → ')}`);
  check(seen.length >= 2 && seen[0].status !== 'done', 'the two-page paper was seen before it was done, then done, without a reload');
  check(seen.every((p, i) => i === 0 || p.read >= seen[i - 1].read), 'its pages read never go back');
  const fin = seen.at(-1);
  check(fin?.status === 'done' && fin.pages === 2 && fin.read === 2 && fin.text.includes('2/2 trang đã đọc'), `it ends with 2/2 pages read: ${JSON.stringify(fin)}`);
  check(await page.evaluate(() => window.sohoaNotReloaded === true), 'the dossier followed its papers without reloading');
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

  step('clerk: the two-page paper opened from the dossier: thumbnails, the page enlarged, its history; no owner listing');
  const before = requests.length;
  const planID = fin.doc;
  await page.click(`.dossier-docs tr[data-doc="${planID}"] a[data-key^="doc:"]`);
  await page.waitForSelector('#ver-h');
  await page.waitForSelector('.verdict');
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('.thumbs .thumb img')];
    return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
  }, null, { timeout: 60_000 });
  const thumbs = await page.$$eval('.thumbs .thumb', (bs) => bs.map((b) => ({ n: Number(b.dataset.page), w: b.querySelector('img').naturalWidth,
    src: b.querySelector('img').getAttribute('src'), review: b.classList.contains('thumb--review'), flagged: b.textContent.includes('Cần kiểm tra') })));
  check(thumbs.every((t) => t.w === 240 && t.src.endsWith('?w=240')), `each page is a 240-pixel thumbnail made by the server: ${JSON.stringify(thumbs)}`);
  const planDoc = await page.evaluate(async (id) => (await fetch(`/api/v1/documents/${id}`)).json(), planID);
  const review = planDoc.review ?? [];
  const confidences = await page.evaluate(async (id) => (await (await fetch(`/api/v1/documents/${id}/pages`)).json()).map((p) => p.confidence), planID);
  console.log(`   pages flagged for review: ${JSON.stringify(review)}, OCR confidences ${JSON.stringify(confidences)}`);
  check(review.length > 0, 'a page of the paper is flagged for review (TestScreens sets the threshold above the samples\' confidence)');
  check(thumbs.every((t) => t.review === review.includes(t.n) && t.flagged === review.includes(t.n)), `the thumbnails mark exactly the pages flagged for review ${JSON.stringify(review)}`);
  await page.waitForSelector('.timeline .timeline__item');
  const story = await page.$$eval('.timeline .timeline__what', (ps) => ps.map((p) => p.firstChild.textContent));
  for (const w of ['Nhận tệp', 'Nộp giấy tờ tại quầy', 'Xong bước Nhận dạng chữ (OCR)', 'Ghi bản ký số vào kho lưu trữ', 'Xong bước Lập chỉ mục']) {
    check(story.includes(w), `the history has “${w}”: ${JSON.stringify(story)}`);
  }
  check(story.indexOf('Nhận tệp') === 0 && story.indexOf('Xong bước Ký số') > story.indexOf('Xong bước Tạo PDF/A'), 'the history is in the order things happened');
  await page.click('.thumb[data-page="2"]');
  await page.waitForSelector('.thumb[data-page="2"][aria-pressed="true"]');
  check((await page.textContent('.pagetext h3')) === 'Văn bản trang 2', 'choosing the second thumbnail shows the second page and its text');
  await page.waitForFunction(() => { const i = document.querySelector('.scanbox img.scan'); return i && i.complete && i.naturalWidth > 0; }, null, { timeout: 60_000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await axe('document-thumbnails');
  await shot('document-thumbnails', true);
  await page.click('button[data-key=zoom]');
  await page.waitForSelector('dialog.viewer[open]');
  check((await page.textContent('#viewer-h')).includes('Trang 2/2'), 'the enlarged page is the one chosen');
  await page.waitForFunction(() => { const i = document.querySelector('.viewer__img'); return i.complete && i.naturalWidth > 0; }, null, { timeout: 60_000 });
  await page.click('[data-key=v-100]');
  check(await page.$eval('.viewer__img', (i) => Math.abs(i.getBoundingClientRect().width - i.naturalWidth) <= 1), 'at 100 % the page is at its own size');
  await page.keyboard.press('+');
  check((await page.textContent('.viewer__zoom')) === '150 %', 'the + key zooms in');
  await page.click('[data-key=v-prev]');
  check((await page.textContent('#viewer-h')).includes('Trang 1/2'), 'the previous page in the viewer');
  await page.click('[data-key=v-fit]');
  await page.waitForFunction(() => { const i = document.querySelector('.viewer__img'); return i.complete && i.naturalWidth > 0; }, null, { timeout: 60_000 });
  await axe('document-viewer');
  await shot('document-viewer');
  await page.keyboard.press('Escape');
  await page.waitForSelector('dialog.viewer', { state: 'detached' });
  check(await page.evaluate(() => document.activeElement?.dataset.key === 'zoom'), 'closing the viewer gives focus back to its button');
  check(!requests.slice(before).some((u) => u.includes('/api/v1/owners/')), 'opening a document calls no /api/v1/owners/ listing');
  check(await page.locator('button:has-text("Làm lại")').count() === 0, 'a finished document offers no Làm lại');

  step('clerk: the text of a flagged page checked against its image');
  const flagged = review[0];
  await page.click(`.thumb[data-page="${flagged}"]`);
  await page.waitForSelector(`.thumb[data-page="${flagged}"][aria-pressed="true"]`);
  await page.click(`button[data-key="review:${flagged}"]`);
  await page.waitForSelector('.pagetext .notice--ok');
  const checkedPage = (await page.evaluate(async (id) => (await fetch(`/api/v1/documents/${id}/pages`)).json(), planID)).find((p) => p.n === flagged);
  check(checkedPage?.reviewed_by === users.clerk[0] && checkedPage.review === true, `page ${flagged} is recorded checked by ${users.clerk[0]}, its flag kept: ${JSON.stringify(checkedPage)}`);
  check((await page.textContent('.pagetext .notice--ok')).includes(users.clerk[0]), 'the page names who checked it');
  check(!(await page.$eval(`.thumb[data-page="${flagged}"]`, (b) => b.classList.contains('thumb--review'))), 'its thumbnail no longer waits for a check');
  const afterCheck = await page.evaluate(async (id) => (await fetch(`/api/v1/documents/${id}`)).json(), planID);
  check(!(afterCheck.review ?? []).includes(flagged), `the document no longer lists page ${flagged} as waiting: ${JSON.stringify(afterCheck.review)}`);
  check(await page.evaluate(() => document.activeElement?.classList.contains('notice--ok')), 'the keyboard is on the notice that the check is recorded');
  await axe('document-reviewed');
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
  await page.waitForSelector('.thumbs .thumb');
  await page.waitForSelector('.pagetext .ocr pre');
  await page.waitForFunction(() => [...document.querySelectorAll('.scanbox img.scan, .thumbs img')].every((i) => i.complete && i.naturalWidth > 0), null, { timeout: 60000 });
  await page.waitForSelector('.timeline .timeline__item');
  await page.waitForSelector('#p-kind');
  await axe('archive-document');
  await shot('archive-document');
  await page.fill('#p-kind', 'Giấy khai sinh');
  await page.click('form[aria-label="Xác nhận thông tin giấy tờ"] button[type=submit]');
  await page.waitForSelector('[aria-labelledby=ext-h] .notice--ok');
  await page.waitForSelector('dd[data-field=typeName]:has-text("Giấy khai sinh")');
  await page.waitForSelector('.timeline__item--person:has-text("Xác nhận thông tin giấy tờ"):has-text("loại giấy tờ")');
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
  for (const a of ['dossier.received', 'owner.viewed', 'document.reused', 'document.attached', 'dossier.receipt', 'page.reviewed']) check(clerkActs.includes(a), `the trail has the clerk's ${a}`);
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

  // ------------------------------------------------------------------ the province's indicators
  step("province's office: the indicators dashboard, this year then the sample province's year");
  await signIn(users.province);
  await page.click('#nav a[data-nav=bao-cao]');
  await page.waitForSelector('.kpis .kpi');
  const kpi = (i) => page.textContent(`.kpis .kpi:nth-child(${i}) .kpi__value`);
  check(Number((await kpi(1)).replace(/\./g, '')) >= 2, `this year holds the dossiers of the flows above: ${await kpi(1)}`);
  await page.selectOption('#r-kind', 'nam');
  await page.selectOption('#r-year', demoYear);
  await page.click('.report-form button[type=submit]');
  await page.waitForFunction((y) => location.hash.includes(`ky=${y}`) && document.querySelectorAll('figure.chart').length === 4
    && !document.querySelector('.report[aria-busy]'), demoYear);
  const rep = await page.evaluate(async (y) => {
    const get = async (by) => (await (await fetch(`/api/v1/reports/indicators?period=${y}&by=${by}`)).json()).rows;
    return { agency: await get('agency'), month: await get('month'), level: await get('level') };
  }, demoYear);
  check(await kpi(1) === vn.format(demoDossiers), `the year's dossiers: ${await kpi(1)}, want ${vn.format(demoDossiers)}`);
  const charts = await page.$$eval('figure.chart', (fs) => fs.map((f) => ({
    title: f.querySelector('figcaption').textContent, named: !!f.querySelector('svg[role=img] title'),
    rows: f.querySelectorAll('.chart__row').length, targets: f.querySelectorAll('.chart__target').length,
    bars: f.querySelectorAll('.chart__bar').length, marks: f.querySelectorAll('.chart__mark').length,
    met: [...f.querySelectorAll('.chart__met')].map((m) => m.textContent), tableRows: f.querySelectorAll('details tbody tr').length })));
  console.log(`   charts: ${JSON.stringify(charts.map(({ met, ...c }) => c))}`);
  const [dig, reuse, trend, levels] = charts;
  check(charts.every((c) => c.named), 'every chart is an image with a name');
  check(dig.rows === rep.agency.length && dig.targets === rep.agency.length && dig.tableRows === rep.agency.length, `a bar and a target marker per agency: ${dig.rows}/${rep.agency.length}`);
  check(reuse.rows === rep.agency.length && reuse.met.some((m) => m.includes('chưa đạt')), 'reuse per agency, with the ones short of the target said so');
  check(trend.marks === 2 * 12 && trend.tableRows === 12, `the months: ${trend.marks} points, ${trend.tableRows} table rows`);
  check(levels.bars === 2 * rep.level.length && levels.tableRows === rep.level.length, `the levels: ${levels.bars} columns for ${rep.level.length} levels`);
  const firstRate = await page.$eval('figure.chart details tbody tr td:nth-child(5)', (td) => td.textContent);
  const root = rep.agency.find((r) => r.level === 'tinh');
  check(firstRate === new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 }).format(root.digitization_rate),
    `the table beside the chart says the API's rate: ${firstRate}, ${root.digitization_rate}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('dashboard-top');
  await shot('dashboard', true);
  await page.$$eval('figure.chart details', (ds) => ds.forEach((d) => { d.open = true; }));
  await axe('dashboard');
  await page.$$eval('figure.chart details', (ds) => ds.forEach((d) => { d.open = false; }));

  step("province's office: the year's figures downloaded as CSV and XLSX");
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('a[data-key=csv]')]);
  const csvText = readFileSync(await dl.path(), 'utf8');
  const lines = csvText.trim().split(/\r?\n/);
  check(dl.suggestedFilename() === `chi-tieu-${demoYear}.csv` && csvText.startsWith('\uFEFFKỳ,Mã cơ quan'), `the CSV: ${dl.suggestedFilename()}, ${lines[0]}`);
  check(lines.length === rep.agency.length + 1 && lines.some((l) => l.includes(root.agency) && l.includes(`,${demoDossiers},`)),
    `the CSV has a line per agency, the province's with its ${demoDossiers} dossiers`);
  const xlsxAnswer = await page.evaluate(async () => {
    const r = await fetch(document.querySelector('a[data-key=xlsx]').href);
    return [r.status, r.headers.get('content-type'), String.fromCharCode(...new Uint8Array(await r.arrayBuffer()).slice(0, 2))];
  });
  check(xlsxAnswer[0] === 200 && xlsxAnswer[1].includes('spreadsheetml') && xlsxAnswer[2] === 'PK', `the XLSX: ${xlsxAnswer}`);

  step("province's office: a quarter of one district, and a range of days");
  await page.selectOption('#r-kind', 'quy');
  check(await page.isVisible('#r-quarter') && !(await page.isVisible('#r-month')) && !(await page.isVisible('#r-from')), 'a quarter asks for the year and the quarter');
  await page.selectOption('#r-quarter', '4');
  const district = rep.agency.find((r) => r.level === 'huyen');
  await page.selectOption('#r-agency', district.agency);
  await page.click('.report-form button[type=submit]');
  // The hash changes before the new report is asked for, and the year's charts are still there
  // then: wait for the district's report itself.
  await page.waitForFunction(([y, a, name]) => location.hash.includes(`ky=${y}-Q4`) && location.hash.includes(`co-quan=${a}`)
    && document.querySelector('.report__status')?.textContent.startsWith(name)
    && document.querySelectorAll('figure.chart').length === 4 && !document.querySelector('.report[aria-busy]'),
    [demoYear, district.agency, district.agency_name]);
  check(await page.$$eval('figure.chart', (fs) => fs[2].querySelectorAll('.chart__mark--dig').length) === 3, 'a quarter has three months');
  const quarterStatus = await page.textContent('.report__status');
  check(quarterStatus.startsWith(district.agency_name), `the report is the district's: ${quarterStatus}`);
  await page.selectOption('#r-kind', 'khoang');
  check(await page.isVisible('#r-from') && !(await page.isVisible('#r-year')), 'a range of days asks for its two days');
  await page.fill('#r-from', `${demoYear}-03-01`);
  await page.click('.report-form button[type=submit]');
  check((await page.textContent('.report-form .field__error')).includes('ngày kết thúc'), 'a range without its end is refused, saying why');
  await page.fill('#r-to', `${demoYear}-04-15`);
  await page.click('.report-form button[type=submit]');
  await page.waitForFunction(([y, before]) => location.hash.includes(`tu=${y}-03-01`) && location.hash.includes(`den=${y}-04-15`)
    && !document.querySelector('.report__status')?.textContent.startsWith('Đang tải')
    && document.querySelector('.report__status')?.textContent !== before
    && document.querySelectorAll('figure.chart').length === 4 && !document.querySelector('.report[aria-busy]'), [demoYear, quarterStatus]);
  check(await page.$$eval('figure.chart', (fs) => fs[2].querySelectorAll('.chart__mark--dig').length) === 2, 'March to mid-April is two months');
  await axe('dashboard-range');
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
