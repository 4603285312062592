// DOM and formatting helpers shared by the screens. Text from the server is only ever placed with
// text nodes (see h), never parsed as HTML.

import { api, enc, isAbort, retryDocument } from './api.js';
import { STAGE_NAME, STATUS } from './names.js';

export const FAST = 2000; // while something is moving, so staff see each stage pass
export const SLOW = 15000; // otherwise: another counter may still upload, but nobody is waiting on it
export const RETRY = 5000; // after a failed refresh: soon, but without hammering a server that is down
export const PAGE = 20;

// h builds an element. Children are appended as nodes or text, so server strings stay text.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

// swap replaces a container's content and puts keyboard focus back on the equivalent control
// (matched by data-key), so the periodic refresh never yanks focus from someone using Tab.
export function swap(container, ...nodes) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.key : undefined;
  container.replaceChildren(...nodes.flat(Infinity).filter((n) => n != null && n !== false));
  if (key) container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

const timeFmt = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const clockFmt = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', second: '2-digit',
});
export const num = new Intl.NumberFormat('vi-VN');
const num1 = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
const num2 = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

export const fmtTime = (s) => (s ? timeFmt.format(new Date(s)) : '—');
export const fmtClock = (s) => clockFmt.format(s ? new Date(s) : new Date());

// fmtDate shows a YYYY-MM-DD date the Vietnamese way, dd/mm/yyyy, without moving it across a time zone.
export function fmtDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (s || '—');
}

export function fmtSize(n) {
  if (n < 1024) return `${num.format(n)} byte`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${num1.format(v)} ${units[i]}`;
}

export function fmtSeconds(s) {
  if (s < 1) return `${num.format(Math.max(1, Math.round(s * 1000)))} ms`;
  if (s < 60) return `${num2.format(s)} giây`;
  const t = Math.round(s);
  return `${Math.floor(t / 60)} phút ${t % 60} giây`;
}

// How long ago, in words: a station's last report.
export function fmtAgo(s) {
  if (!s) return 'chưa bao giờ';
  const sec = Math.max(0, Math.round((Date.now() - new Date(s).getTime()) / 1000));
  if (sec < 60) return `${sec} giây trước`;
  if (sec < 3600) return `${Math.floor(sec / 60)} phút trước`;
  if (sec < 86400) return `${Math.floor(sec / 3600)} giờ trước`;
  return `${Math.floor(sec / 86400)} ngày trước`;
}

// source is "api", "notification:<key>" or "sweep:<key>" (the object key in the inbox bucket).
export function fmtSource(src) {
  const i = src.indexOf(':');
  const kind = i < 0 ? src : src.slice(0, i), key = i < 0 ? '' : src.slice(i + 1);
  if (kind === 'api') return 'Tải lên qua trang này hoặc API';
  if (kind === 'notification') return `Kho lưu trữ báo có tệp mới: ${key}`;
  if (kind === 'sweep') return `Quét định kỳ hộp thư đến của kho: ${key}`;
  if (kind === 'stack') return 'Tách ra từ một tệp quét cả xấp hồ sơ';
  return src;
}

export function badge(doc) {
  let text = STATUS[doc.status] ?? doc.status;
  if (doc.status === 'processing' && STAGE_NAME[doc.stage]) text += ` — ${STAGE_NAME[doc.stage]}`;
  return h('span', { class: `badge badge--${doc.status}` }, text);
}

export const docHref = (id) => `#/ho-so/${enc(id)}`;
export const dossierHref = (id) => `#/tthc/${enc(id)}`;
export const fileHref = (id) => `/api/v1/documents/${enc(id)}/file`;

// The screen-reader announcer in index.html: results that arrive without a page change. Messages
// arriving together (several uploads finishing) are read as one, instead of each replacing the last.
const spoken = [];
export function announce(text) {
  if (spoken.push(text) > 1) return;
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = spoken.splice(0).join(' '); }, 300);
}

export function notice(kind, ...content) {
  return h('p', { class: `notice notice--${kind}` }, ...content);
}

// focusNotice shows a notice in box and moves the keyboard to it.
export function focusNotice(box, kind, ...content) {
  const n = notice(kind, ...content);
  n.tabIndex = -1;
  swap(box, n);
  n.focus();
  return n;
}

// busy marks a button as working (aria-disabled: a disabled button drops keyboard focus) and
// returns the function that restores it; busy(b) on a busy button returns null.
export function busy(b, text) {
  if (b.getAttribute('aria-disabled') === 'true') return null;
  const was = b.textContent;
  b.setAttribute('aria-disabled', 'true');
  if (text) b.textContent = text;
  return () => { b.removeAttribute('aria-disabled'); b.textContent = was; };
}

// poll calls fn now and again after the delay (ms) it returns, or never again if it returns 0.
// It waits while the tab is hidden (the intake page stays open all day) and stops on abort.
// The returned function refreshes at once; a call during a run queues one more run right after.
export function poll(fn, signal) {
  let timer = 0, running = false, again = false, due = false;
  const run = async () => {
    clearTimeout(timer);
    if (signal.aborted) return;
    if (document.hidden) { due = true; return; }
    if (running) { again = true; return; }
    running = true;
    due = false;
    let delay = SLOW;
    try { delay = await fn(); } catch (e) { if (!isAbort(e)) console.warn(e); } finally { running = false; }
    if (signal.aborted) return;
    if (again) { again = false; run(); } else if (delay > 0) timer = setTimeout(run, delay);
  };
  document.addEventListener('visibilitychange', () => { if (!document.hidden && due) run(); }, { signal });
  signal.addEventListener('abort', () => clearTimeout(timer));
  run();
  return run;
}

// pager is the paging of the intake list, the search results and the access trail.
export function pager(total, offset, hrefFor, label) {
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const page = Math.floor(offset / PAGE) + 1;
  if (pages <= 1 && page <= 1) return null;
  const link = (p, text, key) => (p >= 1 && p <= pages && p !== page
    ? h('a', { class: 'btn btn--ghost', href: hrefFor(p), 'data-key': key }, text)
    : h('span', { class: 'btn btn--ghost', 'aria-disabled': 'true' }, text));
  return h('nav', { class: 'pager', 'aria-label': label },
    link(page - 1, '← Trang trước', 'prev'),
    h('span', { class: 'pager__pos' }, `Trang ${num.format(page)} / ${num.format(pages)}`),
    link(page + 1, 'Trang sau →', 'next'));
}

export function pageParam(params) {
  const p = parseInt(params.get('trang') ?? '1', 10);
  return Number.isFinite(p) && p > 1 ? p : 1;
}

// pagedUpdate is the update of a view with paged results (search, access trail). Paging from the
// bottom of the list starts the keyboard and the reader at the new results.
export function pagedUpdate(load, pagerBox, status) {
  return async (params) => {
    const fromPager = pagerBox.contains(document.activeElement);
    window.scrollTo(0, 0);
    await load(params);
    if (fromPager) status.focus();
  };
}

// formField builds a labelled input with a hint and a place for its error, wired for screen readers.
export function formField(id, label, { hint, required, tag = 'input', ...attrs } = {}) {
  const input = h(tag, {
    id, name: id, ...(tag === 'input' ? { type: 'text' } : {}), autocomplete: 'off', required, 'data-key': id,
    'aria-describedby': `${id}-err${hint ? ` ${id}-hint` : ''}`, ...attrs,
  });
  const err = h('p', { id: `${id}-err`, class: 'field__error' });
  const box = h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    input,
    hint ? h('p', { id: `${id}-hint`, class: 'field__hint muted small' }, hint) : null,
    err);
  const setError = (text) => {
    err.textContent = text || '';
    if (text) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  return { box, input, err, setError };
}

// retryButton asks the API to run a failed document again and reports the outcome in msgBox. It is
// offered only when the document's retryable is true: a bad input cannot be mended by running it
// again (the caller checks; this checks again).
export function retryButton(doc, cls, key, msgBox, what, after) {
  if (doc.status !== 'failed' || doc.retryable !== true) return null;
  const b = h('button', { type: 'button', class: cls, 'data-key': key }, 'Làm lại');
  b.addEventListener('click', async () => {
    const restore = busy(b, 'Đang gửi…');
    if (!restore) return;
    let d = null;
    try {
      d = await retryDocument(doc.id);
      focusNotice(msgBox, 'ok', `Đã cho chạy lại ${what} từ bước ${STAGE_NAME[doc.stage] ?? doc.stage}.`);
    } catch (e) {
      swap(msgBox, notice('error', `Không làm lại được ${what}: ${e.message}`));
      announce(`Không làm lại được: ${e.message}`);
      restore();
    }
    after(d);
  });
  return b;
}

export function hasFiles(e) {
  return [...(e.dataTransfer?.types ?? [])].includes('Files');
}

// dropZone is a place to drop scans, with a file input behind a button for the keyboard.
export function dropZone(id, title, hintText, onFiles) {
  const input = h('input', {
    type: 'file', id, class: 'visually-hidden', multiple: true,
    accept: '.jpg,.jpeg,.png,.tif,.tiff,.pdf,image/jpeg,image/png,image/tiff,application/pdf',
    'aria-describedby': `${id}-hint`,
  });
  input.addEventListener('change', () => { onFiles([...input.files]); input.value = ''; });
  const drop = h('div', { class: 'drop drop--compact' },
    h('p', { class: 'drop__title' }, title),
    input,
    h('label', { for: id, class: 'btn btn--primary' }, 'Chọn tệp…'),
    h('p', { id: `${id}-hint`, class: 'muted drop__hint' }, hintText));
  drop.addEventListener('click', (e) => { if (!e.target.closest('label, input')) input.click(); });
  // A counter, because dragenter/dragleave also fire for each child the pointer crosses.
  let depth = 0;
  drop.addEventListener('dragenter', (e) => { if (hasFiles(e)) { e.preventDefault(); depth++; drop.classList.add('drop--over'); } });
  drop.addEventListener('dragover', (e) => { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } });
  drop.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; drop.classList.remove('drop--over'); } });
  drop.addEventListener('drop', (e) => { e.preventDefault(); depth = 0; drop.classList.remove('drop--over'); onFiles([...e.dataTransfer.files]); });
  return { drop, input };
}

// loadFailed shows why a view's record could not be read and returns when to try again: never for
// one that does not exist (or is out of reach: the API answers 404 alike).
export function loadFailed(e, root, heading, box) {
  if (e.status === 404) {
    heading.textContent = 'Không tìm thấy hồ sơ';
    root.querySelectorAll('section').forEach((s) => s.remove());
    swap(box, notice('error', e.message));
    return 0;
  }
  swap(box, notice('error', `Không tải được hồ sơ: ${e.message}`));
  return RETRY;
}

// cached runs a GET once per view and keeps its answer (the agencies, for names in lists).
export function cached(path) {
  let p = null;
  return (signal) => {
    p ??= api(path, { signal }).catch((e) => { p = null; if (isAbort(e)) throw e; return null; });
    return p;
  };
}
