// Parts of the document view (#/ho-so/<id>, archive.js) kept apart from the search: the pages as
// thumbnails (GET …/pages/{n}/image?w=), a page enlarged in a dialog with zoom, and the document's
// history as a timeline (GET …/history) with the stages of its run. Page images, thumbnails
// included, are the paper itself: each is fetched when shown (the server answers no-store and puts
// every look in the access trail), never kept by the page.

import { enc } from './api.js';
import { ACTION_WORDS, STAGE_NAME } from './names.js';
import { fmtSeconds, fmtSource, fmtTime, h, num } from './ui.js';

const THUMB = 240; // pixels asked for: a thumbnail is shown about 120 CSS pixels wide, sharp at 2×

export const pageURL = (id, n, w) => `/api/v1/documents/${enc(id)}/pages/${n}/image${w ? `?w=${w}` : ''}`;

const reviewNote = 'Cần kiểm tra';

// waiting tells a page the OCR flagged whose text nobody has checked yet (POST …/pages/{n}/review).
export const waiting = (p) => !!p?.review && !p.reviewed_by;

// thumbList shows each page as a thumbnail button, the selected one pressed, pages waiting for a
// check marked in words as well as colour. onSelect(n) is called with the page chosen.
export function thumbList(id, pages, selected, onSelect) {
  return h('ol', { class: 'thumbs', 'aria-label': 'Các trang' }, pages.map((p) => {
    const meta = [];
    if (p.confidence) meta.push(`OCR ${num.format(Math.round(p.confidence))}%`);
    const b = h('button', {
      type: 'button', class: `thumb${waiting(p) ? ' thumb--review' : ''}`, 'aria-pressed': p.n === selected ? 'true' : 'false',
      'data-key': `page:${p.n}`, 'data-page': p.n,
    },
    p.width ? h('img', {
      class: 'thumb__img', src: pageURL(id, p.n, THUMB), alt: '', loading: 'lazy', decoding: 'async',
      width: THUMB, height: Math.round((THUMB * p.height) / p.width),
    }) : h('span', { class: 'thumb__none' }, 'Không có ảnh'),
    h('span', { class: 'thumb__cap' },
      h('span', { class: 'thumb__n' }, `Trang ${num.format(p.n)}`),
      meta.length ? h('span', { class: 'thumb__meta' }, meta.join(' · ')) : null,
      waiting(p) ? h('span', { class: 'badge badge--review thumb__flag' }, reviewNote) : null));
    b.addEventListener('click', () => onSelect(p.n));
    return h('li', {}, b);
  }));
}

// The zoom steps of the enlarged page: fitted to the window, then fractions of its own size.
const ZOOMS = [0, 0.5, 0.75, 1, 1.5, 2];

// openViewer shows page n of the document enlarged in a modal dialog: zoom in and out (buttons, or
// + and −, 0 to fit), the previous and next page (buttons, or the arrow keys), Esc or Đóng to close.
// Focus goes back where it was when it closes.
export function openViewer(id, pages, n, { title = '' } = {}) {
  const opener = document.activeElement;
  let i = Math.max(0, pages.findIndex((p) => p.n === n));
  let zoom = 0;
  const heading = h('h2', { id: 'viewer-h', class: 'viewer__title' });
  const img = h('img', { class: 'viewer__img', alt: '' });
  const stage = h('div', { class: 'viewer__stage', tabindex: 0, role: 'region', 'aria-labelledby': 'viewer-h' }, img);
  const level = h('span', { class: 'viewer__zoom', 'aria-live': 'polite' });
  const btn = (text, key, label, fn) => {
    const b = h('button', { type: 'button', class: 'btn btn--small btn--ghost', 'data-key': key, 'aria-label': label }, text);
    b.addEventListener('click', fn);
    return b;
  };
  const out = btn('−', 'v-out', 'Thu nhỏ', () => setZoom(zoom - 1));
  const inn = btn('+', 'v-in', 'Phóng to', () => setZoom(zoom + 1));
  const fit = btn('Vừa khung', 'v-fit', null, () => setZoom(0));
  const real = btn('100 %', 'v-100', null, () => setZoom(ZOOMS.indexOf(1)));
  const prev = btn('← Trang trước', 'v-prev', null, () => go(i - 1));
  const next = btn('Trang sau →', 'v-next', null, () => go(i + 1));
  const close = h('button', { type: 'button', class: 'btn btn--small btn--primary', 'data-key': 'v-close' }, 'Đóng');
  const dialog = h('dialog', { class: 'viewer', 'aria-labelledby': 'viewer-h' },
    h('div', { class: 'viewer__bar' }, heading,
      h('div', { class: 'viewer__tools' }, out, level, inn, fit, real, prev, next, close)),
    stage);

  function paint() {
    const p = pages[i];
    heading.textContent = `${title ? `${title} — ` : ''}Trang ${num.format(p.n)}/${num.format(pages.length)}${waiting(p) ? ` (${reviewNote.toLowerCase()})` : ''}`;
    img.alt = `Ảnh quét trang ${num.format(p.n)}`;
    img.width = p.width;
    img.height = p.height;
    img.src = pageURL(id, p.n);
    prev.setAttribute('aria-disabled', i === 0 ? 'true' : 'false');
    next.setAttribute('aria-disabled', i === pages.length - 1 ? 'true' : 'false');
    setZoom(zoom);
  }
  function setZoom(z) {
    zoom = Math.max(0, Math.min(ZOOMS.length - 1, z));
    const f = ZOOMS[zoom], p = pages[i];
    img.classList.toggle('viewer__img--fit', f === 0);
    // CSSOM, not a style attribute: the page's policy allows no inline style.
    img.style.width = f === 0 ? '' : `${Math.round(p.width * f)}px`;
    // Fitted, the level is what the window leaves room for: known once the image is laid out.
    const shown = f === 0 ? (img.complete && img.clientWidth ? img.clientWidth / p.width : null) : f;
    level.textContent = shown ? `${Math.round(shown * 100)} %` : '…';
    out.setAttribute('aria-disabled', zoom === 0 ? 'true' : 'false');
    inn.setAttribute('aria-disabled', zoom === ZOOMS.length - 1 ? 'true' : 'false');
  }
  function go(j) {
    if (j < 0 || j >= pages.length) return;
    i = j;
    paint();
    stage.scrollTo(0, 0);
  }
  dialog.addEventListener('keydown', (e) => {
    if (e.target.closest('button') && (e.key === 'Enter' || e.key === ' ')) return;
    if (e.key === '+' || e.key === '=') setZoom(zoom + 1);
    else if (e.key === '-') setZoom(zoom - 1);
    else if (e.key === '0') setZoom(0);
    else if (e.key === 'ArrowLeft' && zoom === 0) go(i - 1);
    else if (e.key === 'ArrowRight' && zoom === 0) go(i + 1);
    else return;
    e.preventDefault();
  });
  img.addEventListener('load', () => { if (ZOOMS[zoom] === 0) setZoom(0); });
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  document.body.append(dialog);
  paint();
  dialog.showModal();
  stage.focus();
  return dialog;
}

// The looks at a paper (the access trail's reads), counted rather than listed one by one in the
// timeline: a paper opened a few times a day would otherwise bury what happened to it.
const LOOKS = new Set(['document.file', 'document.text', 'document.pages', 'document.page', 'document.metadata',
  'document.verification', 'document.history', 'dossier.dvcqg', 'dossier.eark']);

const FIELD_NAMES = {
  owner_id: 'chủ sở hữu', kind: 'loại giấy tờ', notation: 'số, ký hiệu', issued_on: 'ngày ban hành', issuing_body: 'cơ quan ban hành',
  valid_until: 'hiệu lực đến', validity_scope: 'phạm vi hiệu lực', reusable: 'được dùng lại',
};

// eventDetail says in words what an event of the document's history changed or why.
function eventDetail(e) {
  const d = e.detail ?? {};
  if (e.action === 'paper.updated') {
    const shown = (v) => (v === true ? 'có' : v === false ? 'không' : v === '' || v == null ? '(trống)' : `“${v}”`);
    return Object.entries(d).map(([k, v]) => `${FIELD_NAMES[k] ?? k}: ${shown(v?.old)} → ${shown(v?.new)}`).join('; ');
  }
  if (e.action === 'page.reviewed' && d.page) return `Trang ${num.format(d.page)}`;
  if (e.action === 'archive.writing' && d.sha256) return `SHA-256 ${String(d.sha256).slice(0, 16)}…`;
  if (e.action === 'signature.accepted' && d.note) return `Lý do: ${d.note}`;
  if (e.action === 'document.attached' && d.component_code) return `Mã thành phần ${d.component_code}`;
  return typeof d.reason === 'string' ? d.reason : '';
}

// timeline puts the document's history together with its receipt and the stages of its current
// run, oldest first; the looks at it are counted under it by account.
export function timeline(doc, events) {
  const items = [{ at: doc.created_at, what: 'Nhận tệp', detail: fmtSource(doc.source), who: '', kind: 'receive' }];
  for (const st of doc.stages ?? []) {
    if (st.status === 'done' && st.finished_at) {
      items.push({ at: st.finished_at, what: `Xong bước ${STAGE_NAME[st.name] ?? st.name}`, detail: st.seconds ? `trong ${fmtSeconds(st.seconds)}` : '', who: 'sohoa', kind: 'stage' });
    } else if (st.status === 'failed') {
      items.push({ at: st.finished_at || st.started_at, what: `Lỗi ở bước ${STAGE_NAME[st.name] ?? st.name}`, detail: st.error ?? '', who: 'sohoa', kind: 'failed' });
    }
  }
  const looks = new Map(); // account → count
  for (const e of events) {
    if (LOOKS.has(e.action)) {
      looks.set(e.actor || '—', (looks.get(e.actor || '—') ?? 0) + 1);
      continue;
    }
    items.push({ at: e.at, what: ACTION_WORDS[e.action] ?? e.action, detail: eventDetail(e), who: e.actor, kind: e.actor === 'sohoa' ? 'system' : 'person' });
  }
  items.sort((a, b) => new Date(a.at) - new Date(b.at));
  const total = [...looks.values()].reduce((a, b) => a + b, 0);
  const when = (it) => h('time', { datetime: it.at }, fmtTime(it.at));
  return [
    h('ol', { class: 'timeline' }, items.map((it) => h('li', { class: `timeline__item timeline__item--${it.kind}` },
      h('span', { class: 'timeline__dot', 'aria-hidden': 'true' }),
      // A stage of the run is one line; what people and the archive did gets its detail and who.
      it.kind === 'stage'
        ? h('div', { class: 'timeline__body' }, h('p', { class: 'timeline__what timeline__what--stage' }, it.what,
          h('span', { class: 'timeline__meta' }, ` · ${it.detail ? `${it.detail} · ` : ''}`, when(it))))
        : h('div', { class: 'timeline__body' },
          h('p', { class: 'timeline__what' }, it.what),
          it.detail ? h('p', { class: 'timeline__detail' }, it.detail) : null,
          h('p', { class: 'timeline__meta' }, when(it), it.who ? ` · ${it.who === 'sohoa' ? 'hệ thống sohoa' : `cán bộ ${it.who}`}` : ''))))),
    total ? h('p', { class: 'muted small timeline__looks' }, `Đã được xem ${num.format(total)} lần (mỗi lần có trong nhật ký truy cập): `,
      [...looks].map(([who, n], k) => `${k ? ', ' : ''}${who} ${num.format(n)} lần`)) : null,
  ];
}
