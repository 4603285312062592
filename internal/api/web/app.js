// The sohoa pages: counter staff open dossiers and follow their papers, archivists search signed
// records, administrators keep stations and accounts, auditors read the access trail. Each person
// signs in; what the page offers follows the account's role (the matrix in the README), and the
// server checks it again on every call. Everything goes through the public JSON API
// (schemas/openapi.yaml) in js/api.js; there is no build step: each screen is an ES module.
//
// Routes: #/tiep-nhan[?trang=&trang-thai=], #/ho-so-tthc (open a dossier), #/tthc/<id> (a dossier),
// #/tra-cuu?q=&…, #/ho-so/<id> (a document), #/quan-tri, #/nhat-ky?…, #/bao-cao?ky=&co-quan=… (the
// plan's indicators).

import { api } from './js/api.js';
import { may, state } from './js/session.js';
import { setup, showSignIn, signedIn, signedOutNotice } from './js/signin.js';
import { dossierFormView, dossierView, forgetUploads, intakeView } from './js/counter.js';
import { documentView, searchView } from './js/archive.js';
import { adminView } from './js/admin.js';
import { auditView } from './js/audit.js';
import { dashboardView } from './js/dashboard.js';
import { hasFiles } from './js/ui.js';

const views = {
  'tiep-nhan': intakeView, 'ho-so-tthc': dossierFormView, tthc: dossierView,
  'tra-cuu': searchView, 'ho-so': documentView, 'quan-tri': adminView, 'nhat-ky': auditView, 'bao-cao': dashboardView,
};
// What each view needs; a view the role may not use is not offered, and its address leads home.
const NEEDS = {
  'tiep-nhan': 'list', 'ho-so-tthc': 'counter', tthc: 'read', 'tra-cuu': 'read', 'ho-so': 'list',
  'quan-tri': 'admin', 'nhat-ky': 'audit', 'bao-cao': 'reports',
};
const home = () => (may('counter') ? 'ho-so-tthc' : may('read') ? 'tra-cuu' : may('list') ? 'tiep-nhan' : 'nhat-ky');
// The nav item lit for each view; a document's detail belongs to no item.
const NAV_OF = { tthc: 'ho-so-tthc' };
let current = null;
let moveFocus = false; // the next view takes focus even though it is the first (after sign-in)

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const qi = raw.indexOf('?');
  const path = qi < 0 ? raw : raw.slice(0, qi);
  const [name, arg = ''] = path.split('/');
  let id = arg;
  try { id = decodeURIComponent(arg); } catch { /* keep it as typed */ }
  return { name, arg: id, params: new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1)) };
}

function route() {
  if (!state.me) return; // the sign-in form is up; the address waits for it
  // Only #/… is a route; anything else (an in-page anchor) must not replace the current view.
  if (current && !location.hash.startsWith('#/')) return;
  const r = parseHash();
  if (!views[r.name] || !may(NEEDS[r.name])) {
    location.replace(`#/${home()}`); // its hashchange comes back here
    return;
  }
  if (r.name !== 'ho-so') state.backHref = location.hash;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === (NAV_OF[r.name] ?? r.name)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  // Paging or filtering within a view keeps the view (and its upload panel and focus).
  if (current && current.name === r.name && current.arg === r.arg && current.view.update) {
    current.view.update(r.params);
    return;
  }
  const first = !current && !moveFocus;
  moveFocus = false;
  current?.view.unmount();
  const main = document.getElementById('main');
  main.replaceChildren();
  current = { name: r.name, arg: r.arg, view: views[r.name](main, r.arg, r.params) };
  if (!first) {
    window.scrollTo(0, 0);
    // Tell screen-reader users the page changed, unless the view already put focus somewhere.
    const f = document.activeElement;
    if (!main.contains(f) || f === main) main.querySelector('h1')?.focus();
  }
}

setup({
  route(focus) { moveFocus = focus; route(); },
  unmount() { current?.view.unmount(); current = null; },
  paintNav() {
    const nav = document.getElementById('nav');
    for (const a of nav.querySelectorAll('[data-nav]')) a.parentElement.hidden = !may(NEEDS[a.dataset.nav]);
    document.querySelector('.brand a').href = `#/${home()}`;
  },
  signedOut: forgetUploads,
});

// The page before accounts kept a typed staff name and one shared list of dossiers in the browser;
// a counter machine is shared, so they go, and nothing of the kind is read.
try { localStorage.removeItem('sohoa.staff'); localStorage.removeItem('sohoa.recentDossiers'); } catch { /* no storage */ }

// boot asks who is signed in (the cookie may outlive a reload) and shows the view or the form.
async function boot() {
  let who;
  try {
    who = await api('/api/v1/session', { session: false });
  } catch (e) {
    showSignIn(e.status === 401 ? signedOutNotice() : { kind: 'error', text: e.message });
    return;
  }
  signedIn(who, false);
}

// Dropping a file beside the drop zone would make the browser open it and leave the page.
for (const type of ['dragover', 'drop']) {
  window.addEventListener(type, (e) => { if (hasFiles(e)) e.preventDefault(); });
}
// The skip link targets #main, which is not a route: move focus without touching the hash.
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
window.addEventListener('hashchange', route);
boot();
