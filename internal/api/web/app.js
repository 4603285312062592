// The sohoa pages: counter staff upload scans and follow them, archivists search signed records,
// auditors read the access trail. Each person signs in; what the page offers follows the account's
// role (the matrix in the README), and the server checks it again on every call.
// Everything goes through the public JSON API (schemas/openapi.yaml); there is no build step, so this
// is plain modern JavaScript. Text from the server is only ever placed with textContent / text nodes
// (see h), never parsed as HTML.

const STAGES = [
  ['ingest', 'Tiếp nhận'],
  ['ocr', 'Nhận dạng chữ (OCR)'],
  ['code', 'Cấp mã'],
  ['pdfa', 'Tạo PDF/A'],
  ['sign', 'Ký số'],
  ['index', 'Lập chỉ mục'],
];
const STAGE_NAME = Object.fromEntries(STAGES);
const STAGE_ORDER = Object.fromEntries(STAGES.map(([name], i) => [name, i]));
const STATUS = { received: 'Đã nhận', processing: 'Đang xử lý', done: 'Hoàn tất', failed: 'Lỗi', split: 'Đã tách' };
const ACTIVE = new Set(['received', 'processing']);

const FAST = 2000; // while something is moving, so staff see each stage pass
const SLOW = 15000; // otherwise: another counter may still upload, but nobody is waiting on it
const RETRY = 5000; // after a failed refresh: soon, but without hammering a server that is down
const PAGE = 20;
const PARALLEL_UPLOADS = 2; // enough to keep the link busy without starving the status polls

// ---------------------------------------------------------------------------------------------
// DOM and formatting helpers

// h builds an element. Children are appended as nodes or text, so server strings stay text.
function h(tag, props = {}, ...children) {
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
function swap(container, ...nodes) {
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
const num = new Intl.NumberFormat('vi-VN');
const num1 = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });
const num2 = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

const fmtTime = (s) => (s ? timeFmt.format(new Date(s)) : '—');
const fmtClock = (s) => clockFmt.format(s ? new Date(s) : new Date());

function fmtSize(n) {
  if (n < 1024) return `${num.format(n)} byte`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${num1.format(v)} ${units[i]}`;
}

function fmtSeconds(s) {
  if (s < 1) return `${num.format(Math.max(1, Math.round(s * 1000)))} ms`;
  if (s < 60) return `${num2.format(s)} giây`;
  const t = Math.round(s);
  return `${Math.floor(t / 60)} phút ${t % 60} giây`;
}

// source is "api", "notification:<key>" or "sweep:<key>" (the object key in the inbox bucket).
function fmtSource(src) {
  const i = src.indexOf(':');
  const kind = i < 0 ? src : src.slice(0, i), key = i < 0 ? '' : src.slice(i + 1);
  if (kind === 'api') return 'Tải lên qua trang này hoặc API';
  if (kind === 'notification') return `Kho lưu trữ báo có tệp mới: ${key}`;
  if (kind === 'sweep') return `Quét định kỳ hộp thư đến của kho: ${key}`;
  return src;
}

function badge(doc) {
  let text = STATUS[doc.status] ?? doc.status;
  if (doc.status === 'processing' && STAGE_NAME[doc.stage]) text += ` — ${STAGE_NAME[doc.stage]}`;
  return h('span', { class: `badge badge--${doc.status}` }, text);
}

const docHref = (id) => `#/ho-so/${encodeURIComponent(id)}`;
const fileHref = (id) => `/api/v1/documents/${encodeURIComponent(id)}/file`;

// The screen-reader announcer in index.html: results that arrive without a page change. Messages
// arriving together (several uploads finishing) are read as one, instead of each replacing the last.
const spoken = [];
function announce(text) {
  if (spoken.push(text) > 1) return;
  const live = document.getElementById('live');
  live.textContent = '';
  setTimeout(() => { live.textContent = spoken.splice(0).join(' '); }, 300);
}

function notice(kind, ...content) {
  return h('p', { class: `notice notice--${kind}` }, ...content);
}

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// errorOf turns an error answer into the Vietnamese reason the API gives, or a generic one when
// something in between (a proxy, a restart) answered instead.
function errorOf(status, body) {
  try {
    const j = JSON.parse(body);
    if (j && typeof j.error === 'string' && j.error) return new ApiError(j.error, status, j.code);
  } catch { /* not JSON: fall through */ }
  if (status >= 500) return new ApiError(`Máy chủ gặp lỗi (HTTP ${status}); vui lòng thử lại sau.`, status);
  return new ApiError(`Yêu cầu không thành công (HTTP ${status}).`, status);
}

const OFFLINE = 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.';

// api calls the API; json, when given, is sent as the JSON body. A 401 means the session is gone
// (it expired, or someone signed out in another tab): the sign-in form comes back, unless the call
// is one of the sign-in form's own (session: false).
async function api(path, { method = 'GET', signal, text = false, json, session = true } = {}) {
  let res;
  const headers = { Accept: text ? 'text/plain' : 'application/json' };
  const init = { method, signal, headers };
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  try {
    res = await fetch(path, init);
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(OFFLINE, 0);
  }
  const body = await res.text();
  if (res.status === 401 && session) sessionLost();
  if (!res.ok) throw errorOf(res.status, body);
  if (text) return body;
  if (res.status === 204) return null;
  try {
    return JSON.parse(body);
  } catch {
    throw new ApiError('Máy chủ trả lời không đúng định dạng.', res.status);
  }
}

const isAbort = (e) => e?.name === 'AbortError';

const retryDocument = (id) => api(`/api/v1/documents/${encodeURIComponent(id)}/retry`, { method: 'POST' });

// poll calls fn now and again after the delay (ms) it returns, or never again if it returns 0.
// It waits while the tab is hidden (the intake page stays open all day) and stops on abort.
// The returned function refreshes at once; a call during a run queues one more run right after.
function poll(fn, signal) {
  let timer = 0, busy = false, again = false, due = false;
  const run = async () => {
    clearTimeout(timer);
    if (signal.aborted) return;
    if (document.hidden) { due = true; return; }
    if (busy) { again = true; return; }
    busy = true;
    due = false;
    let delay = SLOW;
    try { delay = await fn(); } catch (e) { console.error(e); } finally { busy = false; }
    if (signal.aborted) return;
    if (again) { again = false; run(); } else if (delay > 0) timer = setTimeout(run, delay);
  };
  document.addEventListener('visibilitychange', () => { if (!document.hidden && due) run(); }, { signal });
  signal.addEventListener('abort', () => clearTimeout(timer));
  run();
  return run;
}

// ---------------------------------------------------------------------------------------------
// Uploads live outside the intake view: they keep going while staff look at a document's detail,
// and are still listed when they come back.

const uploads = [];
let uploadSeq = 0;
const uploadWatchers = new Set(); // callbacks of the mounted intake view

function notifyUploads(finished) {
  for (const w of uploadWatchers) w(finished);
}

function addUploads(files) {
  for (const file of files) {
    const u = { key: `u${++uploadSeq}`, file, state: 'waiting', loaded: 0, doc: null, created: false, error: '' };
    u.el = h('li', { class: 'up' });
    paintUpload(u);
    uploads.unshift(u);
  }
  pumpUploads();
  notifyUploads(false);
}

const uploadsBusy = () => uploads.some((u) => u.state === 'waiting' || u.state === 'sending' || u.state === 'checking');

function pumpUploads() {
  let running = uploads.filter((u) => u.state === 'sending' || u.state === 'checking').length;
  // Oldest first: uploads is newest-first for display.
  for (let i = uploads.length - 1; i >= 0 && running < PARALLEL_UPLOADS; i--) {
    if (uploads[i].state === 'waiting') { sendUpload(uploads[i]); running++; }
  }
}

// XMLHttpRequest rather than fetch: fetch cannot report upload progress.
function sendUpload(u) {
  const xhr = new XMLHttpRequest();
  u.xhr = xhr; // aborted when the account signs out
  u.state = 'sending';
  paintUpload(u);
  xhr.open('POST', '/api/v1/documents');
  xhr.setRequestHeader('Accept', 'application/json');
  xhr.upload.addEventListener('progress', (e) => {
    u.loaded = e.loaded;
    u.total = e.lengthComputable ? e.total : u.file.size;
    paintUpload(u);
  });
  // The bytes are out; the server still checks the file and stores it before it answers.
  xhr.upload.addEventListener('load', () => { u.state = 'checking'; paintUpload(u); });
  xhr.addEventListener('load', () => {
    if (xhr.status === 200 || xhr.status === 201) {
      try {
        u.doc = JSON.parse(xhr.responseText);
        u.created = xhr.status === 201;
        u.state = 'done';
      } catch {
        u.state = 'error';
        u.error = 'Máy chủ trả lời không đúng định dạng.';
      }
    } else {
      u.state = 'error';
      u.error = errorOf(xhr.status, xhr.responseText).message;
      if (xhr.status === 401) sessionLost();
    }
    finishUpload(u);
  });
  xhr.addEventListener('error', () => {
    u.state = 'error';
    u.error = 'Không gửi được tệp: kết nối tới máy chủ bị ngắt. Kiểm tra mạng rồi chọn lại tệp.';
    finishUpload(u);
  });
  const form = new FormData();
  form.append('file', u.file, u.file.name);
  xhr.send(form);
}

function finishUpload(u) {
  paintUpload(u);
  if (u.state === 'done') {
    announce(`${u.file.name}: ${u.created ? 'đã tiếp nhận' : 'tệp này đã được tải lên trước đó'}.`);
  } else {
    announce(`${u.file.name}: lỗi. ${u.error}`);
  }
  pumpUploads();
  notifyUploads(true);
}

// paintUpload updates one upload's row in place: progress events come many times a second.
function paintUpload(u) {
  const pct = u.total ? Math.floor((u.loaded / u.total) * 100) : 0;
  let status;
  switch (u.state) {
    case 'waiting':
      status = h('span', { class: 'up__msg muted' }, 'Đang chờ gửi…');
      break;
    case 'sending':
      status = [
        h('progress', { max: 100, value: pct, 'aria-label': `Tiến độ tải lên ${u.file.name}` }),
        h('span', { class: 'up__msg' }, `Đang tải lên… ${pct}%`),
      ];
      break;
    case 'checking':
      status = [
        h('progress', { 'aria-label': `Đang kiểm tra ${u.file.name}` }),
        h('span', { class: 'up__msg' }, 'Đã gửi xong, máy chủ đang kiểm tra tệp…'),
      ];
      break;
    case 'done':
      status = h('span', { class: 'up__msg' },
        u.created ? 'Đã tiếp nhận. ' : 'Tệp này đã được tải lên trước đó. ',
        h('a', { href: docHref(u.doc.id) }, u.doc.code ? `Xem hồ sơ ${u.doc.code}` : 'Xem hồ sơ'));
      break;
    case 'error':
      status = h('span', { class: 'up__msg up__msg--error' }, u.error);
      break;
  }
  u.el.className = `up up--${u.state}`;
  u.el.replaceChildren(
    h('span', { class: 'up__file' },
      h('span', { class: 'up__name' }, u.file.name),
      h('span', { class: 'up__size muted' }, fmtSize(u.file.size))),
    h('span', { class: 'up__status' }, status),
  );
}

// ---------------------------------------------------------------------------------------------
// Pager, shared by the intake list, the search results and the access trail.

function pager(total, offset, hrefFor, label) {
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

function pageParam(params) {
  const p = parseInt(params.get('trang') ?? '1', 10);
  return Number.isFinite(p) && p > 1 ? p : 1;
}

// ---------------------------------------------------------------------------------------------
// Tiếp nhận: upload, then follow the recent documents.

function intakeView(root, _arg, params) {
  document.title = 'Tiếp nhận — Số hóa hồ sơ';
  const ctl = new AbortController();
  const { signal } = ctl;
  let page = pageParam(params);
  let status = STATUS[params.get('trang-thai')] ? params.get('trang-thai') : '';
  let lastBody = '';

  // --- upload panel
  const input = h('input', {
    type: 'file', id: 'files', class: 'visually-hidden', multiple: true,
    accept: '.jpg,.jpeg,.png,.tif,.tiff,.pdf,image/jpeg,image/png,image/tiff,application/pdf',
    'aria-describedby': 'drop-hint',
  });
  input.addEventListener('change', () => {
    addUploads([...input.files]);
    input.value = ''; // so choosing the same file again still fires change
  });
  const drop = h('div', { class: 'drop' },
    h('p', { class: 'drop__title' }, 'Kéo và thả tệp quét vào đây'),
    h('p', { class: 'drop__or muted' }, 'hoặc'),
    input,
    h('label', { for: 'files', class: 'btn btn--primary' }, 'Chọn tệp…'),
    h('p', { id: 'drop-hint', class: 'muted drop__hint' },
      'Nhận ảnh JPEG, PNG, TIFF và tệp PDF; có thể chọn nhiều tệp cùng lúc.'));
  // A click anywhere in the zone opens the picker too; the label already does so by itself.
  drop.addEventListener('click', (e) => { if (!e.target.closest('label, input')) input.click(); });
  // A counter, because dragenter/dragleave also fire for each child the pointer crosses.
  let depth = 0;
  drop.addEventListener('dragenter', (e) => { if (hasFiles(e)) { e.preventDefault(); depth++; drop.classList.add('drop--over'); } });
  drop.addEventListener('dragover', (e) => { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } });
  drop.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; drop.classList.remove('drop--over'); } });
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    drop.classList.remove('drop--over');
    addUploads([...e.dataTransfer.files]);
  });

  const upList = h('ul', { class: 'uploads', 'aria-label': 'Tệp đang và đã tải lên' });
  const clearBtn = h('button', { type: 'button', class: 'btn btn--ghost btn--small', 'data-key': 'clear' }, 'Xóa các tệp đã xong khỏi danh sách');
  clearBtn.addEventListener('click', () => {
    for (let i = uploads.length - 1; i >= 0; i--) if (uploads[i].state === 'done' || uploads[i].state === 'error') uploads.splice(i, 1);
    paintUploads();
    input.focus();
  });
  const paintUploads = () => {
    upList.replaceChildren(...uploads.map((u) => u.el));
    upList.hidden = uploads.length === 0;
    clearBtn.hidden = !uploads.some((u) => u.state === 'done' || u.state === 'error');
  };
  paintUploads();

  // --- recent documents
  const select = h('select', { id: 'status-filter', 'data-key': 'filter' },
    h('option', { value: '' }, 'Tất cả'),
    Object.entries(STATUS).map(([v, t]) => h('option', { value: v, selected: v === status }, t)));
  select.addEventListener('change', () => { location.hash = listHash(1, select.value); });
  const msg = h('div', { class: 'msg' }); // outcome of the last action (retry)
  const loadErr = h('div', { class: 'msg' }); // why the list could not be refreshed, until it can
  const table = h('div', { class: 'table-wrap' });
  const pagerBox = h('div');
  const updated = h('p', { class: 'muted small' });

  root.append(...[
    h('h1', { tabindex: -1 }, 'Tiếp nhận hồ sơ'),
    // An archivist follows the list but does not upload.
    may('upload') ? h('section', { class: 'card', 'aria-labelledby': 'up-h' },
      h('h2', { id: 'up-h' }, 'Tải tệp quét lên'),
      drop, upList, clearBtn) : null,
    h('section', { class: 'card', 'aria-labelledby': 'recent-h' },
      h('div', { class: 'section-head' },
        h('h2', { id: 'recent-h' }, 'Hồ sơ mới tiếp nhận'),
        h('div', { class: 'field field--inline' }, h('label', { for: 'status-filter' }, 'Trạng thái'), select)),
      msg, loadErr, table, pagerBox, updated),
  ].filter(Boolean));

  function listHash(p, st) {
    const q = new URLSearchParams();
    if (st) q.set('trang-thai', st);
    if (p > 1) q.set('trang', p);
    const s = q.toString();
    return `#/tiep-nhan${s ? `?${s}` : ''}`;
  }

  async function load() {
    const q = new URLSearchParams({ limit: PAGE, offset: (page - 1) * PAGE });
    if (status) q.set('status', status);
    let data;
    try {
      data = await api(`/api/v1/documents?${q}`, { signal });
    } catch (e) {
      if (isAbort(e)) return 0;
      swap(loadErr, notice('error', `Không tải được danh sách hồ sơ: ${e.message}`));
      return RETRY;
    }
    loadErr.replaceChildren();
    const body = JSON.stringify(data);
    // Most polls change nothing; leaving the table alone keeps hover, focus and selection intact.
    if (body !== lastBody) {
      lastBody = body;
      renderTable(data);
    }
    const busy = data.documents.some((d) => ACTIVE.has(d.status));
    updated.textContent = `Cập nhật lúc ${fmtClock()}. ${busy || uploadsBusy()
      ? 'Đang có hồ sơ được xử lý: tự làm mới mỗi 2 giây.'
      : 'Tự làm mới mỗi 15 giây.'}`;
    return busy || uploadsBusy() ? FAST : SLOW;
  }

  function renderTable({ total, documents }) {
    if (documents.length === 0) {
      swap(table, notice('empty', total > 0
        ? 'Trang này không có hồ sơ nào. '
        : status ? 'Không có hồ sơ nào ở trạng thái này.' : 'Chưa có hồ sơ nào. Hãy tải tệp quét lên ở phần trên.',
        total > 0 ? h('a', { href: listHash(1, status) }, 'Về trang đầu') : null));
    } else {
      swap(table, h('table', { class: 'docs' },
        h('caption', { class: 'visually-hidden' }, `Hồ sơ mới tiếp nhận, mới nhất trước; tổng cộng ${num.format(total)} hồ sơ.`),
        h('thead', {}, h('tr', {},
          ['Tệp / tiêu đề', 'Trạng thái', 'Mã hồ sơ', 'Số trang', 'Tiếp nhận lúc', 'Thao tác']
            .map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, documents.map(row))));
    }
    swap(pagerBox, pager(total, (page - 1) * PAGE, (p) => listHash(p, status), 'Phân trang danh sách hồ sơ'));
  }

  function row(d) {
    const tr = h('tr', { class: 'docs__row' },
      h('td', { 'data-label': 'Tệp / tiêu đề', class: 'docs__name' },
        h('a', { href: docHref(d.id), 'data-key': `open:${d.id}` }, d.filename || '(không tên)'),
        d.title ? h('span', { class: 'docs__title' }, d.title) : null,
        d.status === 'failed' && d.error ? h('span', { class: 'docs__error' }, d.error) : null),
      h('td', { 'data-label': 'Trạng thái' }, badge(d)),
      h('td', { 'data-label': 'Mã hồ sơ' }, d.code ? h('span', { class: 'mono nowrap' }, d.code) : h('span', { class: 'muted nowrap' }, 'Chưa cấp')),
      h('td', { 'data-label': 'Số trang', class: 'num' }, d.pages > 0 ? num.format(d.pages) : h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': 'Tiếp nhận lúc', class: 'nowrap' }, h('time', { datetime: d.created_at }, fmtTime(d.created_at))),
      h('td', { 'data-label': 'Thao tác', class: 'actions' }, actions(d)));
    // The whole row opens the detail for mouse users; the filename link is the keyboard way in.
    tr.addEventListener('click', (e) => {
      if (e.target.closest('a, button') || getSelection().toString()) return;
      location.hash = docHref(d.id);
    });
    return tr;
  }

  function actions(d) {
    const out = [];
    if (!may('read')) return h('span', { class: 'muted' }, '—'); // a scanner station sees status only
    if (d.signed) {
      out.push(h('a', { class: 'btn btn--small', href: fileHref(d.id), download: true, 'data-key': `dl:${d.id}` }, 'Tải bản ký số'));
    }
    if (d.status === 'failed' && d.retryable) { // a bad input cannot be mended by running it again
      out.push(retryButton(d, 'btn btn--small btn--warn', `retry:${d.id}`, msg, `“${d.filename}”`, () => refresh()));
    }
    return out.length ? out : h('span', { class: 'muted' }, '—');
  }

  const refresh = poll(load, signal);
  // A finished upload means a new row: show it now rather than at the next tick.
  const watcher = (finished) => { paintUploads(); if (finished) refresh(); };
  uploadWatchers.add(watcher);

  return {
    update(params) {
      page = pageParam(params);
      status = STATUS[params.get('trang-thai')] ? params.get('trang-thai') : '';
      select.value = status;
      msg.replaceChildren(); // an earlier retry's outcome would be stale on another page
      lastBody = '';
      refresh();
    },
    unmount() { ctl.abort(); uploadWatchers.delete(watcher); },
  };
}

// retryButton asks the API to run a failed document again and reports the outcome in msgBox. It is
// marked aria-disabled rather than disabled while the request runs: a disabled button drops keyboard
// focus. On success the button goes away with the next render, so focus moves to the message.
function retryButton(doc, cls, key, msgBox, what, after) {
  const b = h('button', { type: 'button', class: cls, 'data-key': key }, 'Làm lại');
  b.addEventListener('click', async () => {
    if (b.getAttribute('aria-disabled') === 'true') return;
    b.setAttribute('aria-disabled', 'true');
    b.textContent = 'Đang gửi…';
    let d = null;
    try {
      d = await retryDocument(doc.id);
      const n = notice('ok', `Đã cho chạy lại ${what} từ bước ${STAGE_NAME[doc.stage] ?? doc.stage}.`);
      n.tabIndex = -1;
      swap(msgBox, n);
      n.focus();
    } catch (e) {
      swap(msgBox, notice('error', `Không làm lại được ${what}: ${e.message}`));
      announce(`Không làm lại được: ${e.message}`);
      b.removeAttribute('aria-disabled');
      b.textContent = 'Làm lại';
    }
    after(d);
  });
  return b;
}

function hasFiles(e) {
  return [...(e.dataTransfer?.types ?? [])].includes('Files');
}

// ---------------------------------------------------------------------------------------------
// Chi tiết hồ sơ

function detailView(root, id) {
  document.title = 'Hồ sơ — Số hóa hồ sơ';
  const ctl = new AbortController();
  const { signal } = ctl;
  let lastBody = '', textKey = null;

  const heading = h('h1', { tabindex: -1 }, 'Hồ sơ');
  const sub = h('p', { class: 'subtitle' });
  const msg = h('div', { class: 'msg' }); // outcome of the last action (retry)
  const loadErr = h('div', { class: 'msg' });
  const summary = h('div');
  const timeline = h('div');
  const text = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  // A scanner station follows the stages only: the record, the text and the file are for readers.
  const reader = may('read');
  const paper = reader ? paperPanel(id, signal) : { sections: [], update() {} };
  root.append(
    h('p', { class: 'back' }, h('a', { href: backHref }, backHref.startsWith('#/tra-cuu') ? '← Kết quả tra cứu'
      : backHref.startsWith('#/tthc/') ? '← Hồ sơ thủ tục hành chính'
        : backHref.startsWith('#/nhat-ky') ? '← Nhật ký truy cập' : '← Danh sách tiếp nhận')),
    heading, sub, msg, loadErr,
    h('section', { class: 'card', 'aria-labelledby': 'info-h' }, h('h2', { id: 'info-h' }, 'Thông tin hồ sơ'), summary),
    h('section', { class: 'card', 'aria-labelledby': 'stages-h' }, h('h2', { id: 'stages-h' }, 'Các bước xử lý'), timeline),
    ...paper.sections,
    ...(reader ? [h('section', { class: 'card', 'aria-labelledby': 'text-h' }, h('h2', { id: 'text-h' }, 'Văn bản nhận dạng (OCR)'), text)] : []),
  );

  async function load() {
    let doc;
    try {
      doc = await api(`/api/v1/documents/${encodeURIComponent(id)}`, { signal });
    } catch (e) {
      if (isAbort(e)) return 0;
      if (e.status === 404) {
        heading.textContent = 'Không tìm thấy hồ sơ';
        root.querySelectorAll('section').forEach((s) => s.remove());
        swap(loadErr, notice('error', e.message));
        return 0;
      }
      swap(loadErr, notice('error', `Không tải được hồ sơ: ${e.message}`));
      return RETRY;
    }
    loadErr.replaceChildren();
    const body = JSON.stringify(doc);
    if (body !== lastBody) {
      lastBody = body;
      render(doc);
    }
    // The OCR text exists once the OCR stage is behind the document; reload it when the document
    // moves on, since a retry may have produced it again.
    const ocrDone = doc.status === 'done' || STAGE_ORDER[doc.stage] > STAGE_ORDER.ocr;
    const key = ocrDone ? doc.updated_at : '';
    if (reader && key !== textKey) {
      textKey = key;
      loadText(ocrDone, doc);
    }
    paper.update(doc);
    return ACTIVE.has(doc.status) ? FAST : SLOW;
  }

  function render(doc) {
    document.title = `${doc.code || doc.filename} — Số hóa hồ sơ`;
    heading.textContent = doc.title || doc.filename || 'Hồ sơ';
    sub.replaceChildren(...(doc.code ? ['Mã hồ sơ ', h('span', { class: 'mono' }, doc.code)] : ['Chưa cấp mã hồ sơ']));

    const field = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
    const dl = h('dl', { class: 'fields' },
      field('Trạng thái', badge(doc)),
      field('Mã hồ sơ', doc.code ? h('span', { class: 'mono' }, doc.code) : h('span', { class: 'muted' }, 'Chưa cấp')),
      field('Tiêu đề', doc.title || h('span', { class: 'muted' }, 'Chưa có')),
      field('Tên tệp gốc', doc.filename || '—'),
      field('Số trang', doc.pages > 0 ? num.format(doc.pages) : h('span', { class: 'muted' }, 'Chưa rõ')),
      field('Dung lượng', fmtSize(doc.size)),
      field('Nguồn', fmtSource(doc.source)),
      field('Ký số', doc.signed ? 'Đã ký số' : h('span', { class: 'muted' }, 'Chưa ký số')),
      field('Tiếp nhận lúc', h('time', { datetime: doc.created_at }, fmtTime(doc.created_at))),
      field('Cập nhật lúc', h('time', { datetime: doc.updated_at }, fmtTime(doc.updated_at))),
      field('SHA-256', h('code', { class: 'hash' }, doc.sha256)),
      field('Mã nội bộ (ID)', h('code', { class: 'hash' }, doc.id)));

    const acts = [];
    if (doc.signed && reader) {
      acts.push(h('a', { class: 'btn btn--primary', href: fileHref(doc.id), download: true, 'data-key': 'download' }, 'Tải bản ký số (PDF)'));
    }
    if (doc.status === 'failed' && doc.retryable && reader) {
      acts.push(retryButton(doc, 'btn btn--warn', 'retry', msg, 'hồ sơ', (d) => {
        if (d) { lastBody = JSON.stringify(d); render(d); }
        refresh();
      }));
    }

    swap(summary,
      doc.status === 'failed'
        ? notice('error', h('strong', {}, `Lỗi ở bước ${STAGE_NAME[doc.stage] ?? doc.stage}: `), doc.error || 'không rõ nguyên nhân.')
        : null,
      dl,
      acts.length ? h('div', { class: 'button-row' }, acts) : null);
    swap(timeline, stageList(doc));
  }

  async function loadText(ocrDone, doc) {
    if (!ocrDone) {
      swap(text, h('p', { class: 'muted' }, doc.status === 'failed'
        ? 'Không có văn bản: hồ sơ bị lỗi trước khi nhận dạng chữ xong.'
        : 'Văn bản sẽ hiện ở đây khi bước nhận dạng chữ xong.'));
      return;
    }
    let body;
    try {
      body = await api(`/api/v1/documents/${encodeURIComponent(id)}/text`, { signal, text: true });
    } catch (e) {
      if (isAbort(e)) return;
      textKey = null; // try again at the next poll
      swap(text, notice('error', `Không tải được văn bản: ${e.message}`));
      return;
    }
    const pages = body.split('\f');
    if (!body.trim()) {
      swap(text, h('p', { class: 'muted' }, 'Không nhận dạng được chữ nào trong tệp này.'));
      return;
    }
    // Keep the reader's place when the same text comes back after a refresh.
    const prev = text.querySelector('.ocr');
    const scroll = prev ? prev.scrollTop : 0;
    swap(text,
      h('p', { class: 'muted small' }, `${num.format(pages.length)} trang. Văn bản do máy nhận dạng, có thể còn sai sót; bản gốc là tệp PDF đã ký số.`),
      h('div', { class: 'ocr', tabindex: 0, role: 'region', 'aria-label': 'Nội dung văn bản nhận dạng' },
        pages.map((p, i) => h('section', { class: 'ocr__page', 'aria-label': `Trang ${i + 1}` },
          h('h3', { class: 'ocr__num' }, `Trang ${num.format(i + 1)}`),
          p.trim() ? h('pre', {}, p.replace(/^\n+|\s+$/g, '')) : h('p', { class: 'muted' }, 'Trang này không có chữ.')))));
    const ocr = text.querySelector('.ocr');
    if (ocr) ocr.scrollTop = scroll;
  }

  const refresh = poll(load, signal);
  return { unmount() { ctl.abort(); } };
}

// stageList shows the six stages in order, whether they ran in this run, an earlier run, or not yet.
// The API lists only the current run's stages, so after a retry the earlier stages are absent.
function stageList(doc) {
  const byName = new Map(doc.stages.map((s) => [s.name, s]));
  const cur = STAGE_ORDER[doc.stage] ?? 0;
  const total = doc.stages.reduce((t, s) => t + (s.seconds || 0), 0);
  const items = STAGES.map(([name, label], i) => {
    const s = byName.get(name);
    let state, detail = [];
    if (s) {
      state = s.status;
      if (s.status === 'done') {
        detail.push(`Xong trong ${fmtSeconds(s.seconds ?? 0)}`, `bắt đầu ${fmtClock(s.started_at)}`);
      } else if (s.status === 'running') {
        detail.push(`Đang chạy, bắt đầu ${fmtClock(s.started_at)}`);
      } else {
        detail.push(`Lỗi lúc ${fmtClock(s.finished_at || s.started_at)}`);
      }
      if (s.attempts > 1) detail.push(`đã thử ${num.format(s.attempts)} lần`);
    } else if (doc.status === 'done' || i < cur) {
      state = 'done';
      detail.push('Đã xong ở lần chạy trước');
    } else if (i === cur && doc.status === 'failed') {
      state = 'failed';
      detail.push('Lỗi');
    } else if (i === cur && ACTIVE.has(doc.status)) {
      state = 'waiting';
      detail.push('Đang chờ đến lượt');
    } else {
      state = 'pending';
      detail.push('Chưa chạy');
    }
    const stateText = { done: 'hoàn tất', running: 'đang chạy', failed: 'lỗi', waiting: 'đang chờ', pending: 'chưa chạy' }[state];
    return h('li', { class: `stage stage--${state}` },
      h('span', { class: 'stage__dot', 'aria-hidden': 'true' }),
      h('div', { class: 'stage__body' },
        h('p', { class: 'stage__name' }, label, h('span', { class: 'visually-hidden' }, ` (${stateText})`)),
        h('p', { class: 'stage__detail muted' }, detail.join(' · ')),
        s?.error ? h('p', { class: 'stage__error' }, s.error) : null));
  });
  return [
    h('ol', { class: 'stages' }, items),
    total > 0 ? h('p', { class: 'muted small' }, `Tổng thời gian các bước trong lần chạy này: ${fmtSeconds(total)}.`) : null,
  ];
}

// ---------------------------------------------------------------------------------------------
// Tra cứu

// Search snippets mark matches «like this». Only a complete «…» pair becomes a <mark>; a stray
// guillemet in the OCR text stays text. Marks separated only by spaces («khai» «sinh») are joined
// into one highlight, which reads better than a row of yellow islands.
function snippetNodes(s) {
  const text = s
    .replace(/\s*\n\s*/g, '\n') // OCR line breaks, kept (pre-line) but without blank lines
    .replace(/ \.\.\. /g, ' … '); // ts_headline's separator between fragments
  const parts = []; // [string, marked]
  const re = /«([^«»]*)»/g;
  let last = 0, m;
  while ((m = re.exec(text))) {
    const gap = text.slice(last, m.index);
    const prev = parts.at(-1);
    if (prev?.[1] && /^[ \t]+$/.test(gap)) prev[0] += gap + m[1];
    else parts.push([gap, false], [m[1], true]);
    last = re.lastIndex;
  }
  parts.push([text.slice(last), false]);
  return parts.filter(([t]) => t !== '').map(([t, marked]) => (marked ? h('mark', {}, t) : t));
}

function searchView(root, _arg, params) {
  document.title = 'Tra cứu — Số hóa hồ sơ';
  let ctl = null; // the search in flight, aborted when a newer one starts

  const input = h('input', { type: 'search', id: 'q', name: 'q', autocomplete: 'off', 'aria-describedby': 'q-hint', enterkeyhint: 'search' });
  const form = h('form', { class: 'search', role: 'search' },
    h('label', { for: 'q' }, 'Từ cần tìm'),
    h('div', { class: 'search__row' }, input, h('button', { type: 'submit', class: 'btn btn--primary' }, 'Tìm kiếm')),
    h('p', { id: 'q-hint', class: 'muted small' },
      'Gõ tiếng Việt có dấu. Đặt cụm từ trong ngoặc kép để tìm đúng cụm, ví dụ "giấy phép xây dựng"; thêm dấu trừ trước một từ để loại trừ, ví dụ -kinh.'));
  const status = h('p', { class: 'search__status', role: 'status', tabindex: -1 });
  const results = h('div');
  const pagerBox = h('div');

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) {
      status.textContent = 'Nhập từ cần tìm.';
      results.replaceChildren();
      pagerBox.replaceChildren();
      input.focus();
      return;
    }
    const hash = searchHash(q, 1);
    if (location.hash === hash) run(q, 1); // same hash fires no hashchange: search again anyway
    else location.hash = hash;
  });

  root.append(
    h('h1', { tabindex: -1 }, 'Tra cứu hồ sơ'),
    h('section', { class: 'card' }, form),
    h('section', { class: 'card', 'aria-label': 'Kết quả tra cứu' }, status, results, pagerBox));

  async function run(q, page) {
    ctl?.abort();
    ctl = new AbortController();
    input.value = q;
    if (!q) {
      status.textContent = 'Nhập từ cần tìm, ví dụ: khai sinh, giấy phép xây dựng, kế hoạch.';
      results.replaceChildren();
      pagerBox.replaceChildren();
      return;
    }
    document.title = `${q} — Tra cứu — Số hóa hồ sơ`;
    status.textContent = 'Đang tìm…';
    results.setAttribute('aria-busy', 'true');
    const offset = (page - 1) * PAGE;
    let data;
    try {
      data = await api(`/api/v1/search?${new URLSearchParams({ q, limit: PAGE, offset })}`, { signal: ctl.signal });
    } catch (e) {
      if (isAbort(e)) return;
      status.textContent = '';
      results.removeAttribute('aria-busy');
      results.replaceChildren(notice('error', `Không tra cứu được: ${e.message}`));
      pagerBox.replaceChildren();
      return;
    }
    results.removeAttribute('aria-busy');
    const { total, hits } = data;
    if (total === 0) {
      status.textContent = '';
      results.replaceChildren(notice('empty', `Không tìm thấy hồ sơ nào chứa “${q}”. Hãy kiểm tra dấu, bớt từ hoặc thử từ khác.`));
    } else if (hits.length === 0) {
      status.textContent = `Tìm thấy ${num.format(total)} hồ sơ.`;
      results.replaceChildren(notice('empty', 'Trang này không có kết quả. ', h('a', { href: searchHash(q, 1) }, 'Về trang đầu')));
    } else {
      status.textContent = hits.length < total
        ? `Tìm thấy ${num.format(total)} hồ sơ; đang xem ${num.format(offset + 1)}–${num.format(offset + hits.length)}.`
        : `Tìm thấy ${num.format(total)} hồ sơ.`;
      results.replaceChildren(h('ol', { class: 'hits', start: offset + 1 }, hits.map((hit) =>
        h('li', { class: 'hit' },
          h('h3', { class: 'hit__title' }, h('a', { href: docHref(hit.id) }, hit.title || '(Chưa có tiêu đề)')),
          h('p', { class: 'hit__code' }, 'Mã hồ sơ: ', hit.code ? h('span', { class: 'mono' }, hit.code) : h('span', { class: 'muted' }, 'chưa cấp')),
          hit.snippet ? h('p', { class: 'hit__snippet' }, snippetNodes(hit.snippet)) : null))));
    }
    swap(pagerBox, pager(total, offset, (p) => searchHash(q, p), 'Phân trang kết quả tra cứu'));
  }

  const fromParams = (p) => run((p.get('q') ?? '').trim(), pageParam(p));
  fromParams(params);
  if (!params.get('q')) input.focus();
  return { update: pagedUpdate(fromParams, pagerBox, status), unmount() { ctl?.abort(); } };
}

// pagedUpdate is the update of a view with paged results (search, access trail). Paging from the
// bottom of the list starts the keyboard and the reader at the new results.
function pagedUpdate(load, pagerBox, status) {
  return async (params) => {
    const fromPager = pagerBox.contains(document.activeElement);
    window.scrollTo(0, 0);
    await load(params);
    if (fromPager) status.focus();
  };
}

function searchHash(q, page) {
  const p = new URLSearchParams({ q });
  if (page > 1) p.set('trang', page);
  return `#/tra-cuu?${p}`;
}

// ---------------------------------------------------------------------------------------------
// Hồ sơ thủ tục hành chính: open a dossier for a citizen or a business, attach its papers (scanned
// at the counter or reused from the e-data store), print the receipt.

const RECENT_MAX = 8;
// Each account has its own list: a counter machine is shared, and one clerk's dossiers are no
// business of the next one's.
const recentKey = () => `sohoa.recentDossiers.${me?.name ?? ''}`;

function storeGet(key, fallback) {
  try {
    const v = localStorage.getItem(key);
    return v == null ? fallback : JSON.parse(v);
  } catch { return fallback; }
}
function storeSet(key, value) {
  try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode: forget it */ }
}

// The dossiers this counter opened or looked at lately: the API has no list of dossiers.
function rememberDossier(d) {
  const list = storeGet(recentKey(), []);
  const rest = (Array.isArray(list) ? list : []).filter((x) => x && x.id !== d.id);
  rest.unshift({ id: d.id, code: d.code, owner: d.owner?.name || d.owner?.id || '', procedure: d.procedure_name || d.procedure_code || '', at: d.received_at });
  storeSet(recentKey(), rest.slice(0, RECENT_MAX));
}

const dossierHref = (id) => `#/tthc/${encodeURIComponent(id)}`;
const OWNER_KIND = { citizen: 'Công dân', business: 'Doanh nghiệp, tổ chức', organization: 'Tổ chức' };

// field builds a labelled text input with a hint and a place for its error, wired for screen readers.
function formField(id, label, { hint, required, ...attrs } = {}) {
  const input = h('input', {
    id, name: id, type: 'text', autocomplete: 'off', required, 'data-key': id,
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
  return { box, input, setError };
}

function dossierFormView(root) {
  document.title = 'Hồ sơ TTHC — Số hóa hồ sơ';
  const ctl = new AbortController();
  const f = {
    owner_id: formField('owner_id', 'Số định danh cá nhân hoặc mã số thuế', {
      required: true, inputmode: 'numeric', maxlength: 20, class: 'mono', autocomplete: 'off', spellcheck: 'false',
      hint: 'Công dân: số định danh cá nhân (CCCD) 12 chữ số. Doanh nghiệp: mã số thuế 10 chữ số, hoặc NNNNNNNNNN-NNN với đơn vị phụ thuộc.',
    }),
    owner_name: formField('owner_name', 'Họ tên công dân hoặc tên tổ chức', { autocomplete: 'off' }),
    procedure_code: formField('procedure_code', 'Mã thủ tục hành chính', {
      required: true, class: 'mono', spellcheck: 'false', hint: 'Theo Cơ sở dữ liệu quốc gia về thủ tục hành chính, ví dụ 1.001193.',
    }),
    procedure_name: formField('procedure_name', 'Tên thủ tục', {}),
  };
  const formErr = h('div', { class: 'msg', tabindex: -1 });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Tiếp nhận hồ sơ');
  const form = h('form', { class: 'form', novalidate: true },
    h('fieldset', { class: 'form__group' }, h('legend', {}, 'Chủ hồ sơ'), f.owner_id.box, f.owner_name.box),
    h('fieldset', { class: 'form__group' }, h('legend', {}, 'Thủ tục'), f.procedure_code.box, f.procedure_name.box),
    // The receiving clerk is the signed-in account: the server records it, nobody types it.
    h('p', { class: 'muted small' }, 'Cán bộ tiếp nhận: ', h('strong', {}, me.name), '.'),
    formErr,
    h('div', { class: 'button-row' }, submit));

  const recent = storeGet(recentKey(), []);
  root.append(...[
    h('h1', { tabindex: -1 }, 'Tiếp nhận hồ sơ thủ tục hành chính'),
    h('section', { class: 'card', 'aria-label': 'Mở hồ sơ mới' }, form),
    Array.isArray(recent) && recent.length
      ? h('section', { class: 'card', 'aria-labelledby': 'recent-d-h' },
        h('h2', { id: 'recent-d-h' }, 'Hồ sơ mở gần đây trên máy này'),
        h('ul', { class: 'recent' }, recent.map((d) => h('li', {},
          h('a', { href: dossierHref(d.id), class: 'mono' }, d.code || d.id),
          ' ', h('span', { class: 'muted' }, [d.owner, d.procedure].filter(Boolean).join(' — ')),
          d.at ? h('span', { class: 'muted small' }, ` · ${fmtTime(d.at)}`) : null))))
      : null].filter(Boolean));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.getAttribute('aria-disabled') === 'true') return;
    for (const x of Object.values(f)) x.setError('');
    formErr.replaceChildren();
    const body = Object.fromEntries(Object.entries(f).map(([k, x]) => [k, x.input.value.trim()]));
    const missing = [];
    if (!body.owner_id) { f.owner_id.setError('Nhập số định danh cá nhân hoặc mã số thuế.'); missing.push(f.owner_id); }
    if (!body.procedure_code) { f.procedure_code.setError('Nhập mã thủ tục hành chính.'); missing.push(f.procedure_code); }
    if (missing.length) { missing[0].input.focus(); return; }
    submit.setAttribute('aria-disabled', 'true');
    submit.textContent = 'Đang tiếp nhận…';
    try {
      const d = await api('/api/v1/dossiers', { method: 'POST', json: body, signal: ctl.signal });
      rememberDossier(d);
      announce(`Đã tiếp nhận hồ sơ ${d.code}.`);
      location.hash = dossierHref(d.id);
    } catch (err) {
      if (isAbort(err)) return;
      // The identifier's errors carry a code (citizen_…, tax_code_…, owner_…); the missing procedure
      // has none but names its field. Anything else belongs to the whole form.
      const c = err.code || '';
      let target = null;
      if (/^(citizen|tax_code|owner)/.test(c)) target = f.owner_id;
      else if (err.message.includes('procedure_code')) target = f.procedure_code;
      if (target) {
        target.setError(err.message);
        target.input.focus();
      } else {
        swap(formErr, notice('error', `Không tiếp nhận được hồ sơ: ${err.message}`));
        formErr.focus();
      }
      submit.removeAttribute('aria-disabled');
      submit.textContent = 'Tiếp nhận hồ sơ';
    }
  });
  f.owner_id.input.focus();
  return { unmount() { ctl.abort(); } };
}

// sendFile posts one file as multipart field "file", reporting upload progress; it resolves with the
// parsed answer and rejects with an ApiError carrying the API's Vietnamese reason.
function sendFile(url, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.upload.addEventListener('load', () => onProgress(-1, 0));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try { resolve(JSON.parse(xhr.responseText)); } catch { reject(new ApiError('Máy chủ trả lời không đúng định dạng.', xhr.status)); }
      } else {
        if (xhr.status === 401) sessionLost();
        reject(errorOf(xhr.status, xhr.responseText));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError('Không gửi được tệp: kết nối tới máy chủ bị ngắt. Kiểm tra mạng rồi chọn lại tệp.', 0)));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

// The words of the events in a dossier's history and in the access trail. Events in a dossier come
// as {id, at, actor, action, document_id, detail}; the Go field names are accepted too (ev).
const ACTION_WORDS = {
  'dossier.received': 'Tiếp nhận hồ sơ',
  'dossier.viewed': 'Xem hồ sơ TTHC',
  'dossier.receipt': 'In giấy tiếp nhận',
  'dossier.cover': 'In phiếu bìa',
  'dossier.separator': 'In tờ phân cách',
  'stack.split': 'Tách tệp quét thành các giấy tờ',
  'stack.dossier_refused': 'Phiếu bìa ghi hồ sơ không nhận được',
  'document.attached': 'Nộp giấy tờ tại quầy',
  'document.reused': 'Dùng lại giấy tờ có trong kho',
  'document.file': 'Tải tệp đã ký số',
  'document.text': 'Xem văn bản nhận dạng',
  'document.pages': 'Xem ảnh các trang',
  'document.metadata': 'Xem thông tin văn bản',
  'document.verification': 'Kiểm tra chữ ký số',
  'document.retried': 'Cho xử lý lại',
  'paper.updated': 'Xác nhận thông tin giấy tờ',
  'owner.viewed': 'Xem kho giấy tờ của chủ hồ sơ',
  'search': 'Tra cứu',
  'signature.accepted': 'Chấp nhận chữ ký của bản gốc',
  'pdf.rendered': 'Dựng ảnh các trang PDF',
  'pdfa.not_conformant': 'Ghi nhận bản gốc không đạt PDF/A',
  'page.converted': 'Chuyển trang sang PDF/A',
};
const ev = (e, k) => e[k] ?? e[k.toLowerCase()] ?? e[k.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()];

function dossierView(root, id) {
  document.title = 'Hồ sơ TTHC — Số hóa hồ sơ';
  const ctl = new AbortController();
  const { signal } = ctl;
  let dossier = null, lastBody = '', papersKey = null;
  let stale = true; // the dossier itself must be read again: at first, and after this view changed it
  const local = []; // this view's uploads: {key, file, state, loaded, total, error, el}
  let seq = 0;

  const kicker = h('p', { class: 'kicker' }, 'Mã hồ sơ');
  const heading = h('h1', { class: 'dcode mono', tabindex: -1 }, '…');
  const loadErr = h('div', { class: 'msg' });
  const summary = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  // An archivist reads a dossier; only the counter adds papers to it and looks in the owner's store.
  const counter = may('counter');

  const docsBox = h('div', { class: 'table-wrap' });
  const upMsg = h('div', { class: 'msg' });
  const upList = h('ul', { class: 'uploads', 'aria-label': 'Tệp đang và đã gửi vào hồ sơ', hidden: true });
  const input = h('input', {
    type: 'file', id: 'd-files', class: 'visually-hidden', multiple: true,
    accept: '.jpg,.jpeg,.png,.tif,.tiff,.pdf,image/jpeg,image/png,image/tiff,application/pdf', 'aria-describedby': 'd-drop-hint',
  });
  input.addEventListener('change', () => { queue([...input.files]); input.value = ''; });
  const drop = h('div', { class: 'drop drop--compact' },
    h('p', { class: 'drop__title' }, 'Kéo và thả giấy tờ đã quét vào đây'),
    input,
    h('label', { for: 'd-files', class: 'btn btn--primary' }, 'Chọn tệp…'),
    h('p', { id: 'd-drop-hint', class: 'muted drop__hint' }, 'Mỗi tệp là một thành phần hồ sơ. Nhận JPEG, PNG, TIFF và PDF.'));
  drop.addEventListener('click', (e) => { if (!e.target.closest('label, input')) input.click(); });
  let depth = 0;
  drop.addEventListener('dragenter', (e) => { if (hasFiles(e)) { e.preventDefault(); depth++; drop.classList.add('drop--over'); } });
  drop.addEventListener('dragover', (e) => { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer.dropEffect = 'copy'; } });
  drop.addEventListener('dragleave', () => { if (--depth <= 0) { depth = 0; drop.classList.remove('drop--over'); } });
  drop.addEventListener('drop', (e) => { e.preventDefault(); depth = 0; drop.classList.remove('drop--over'); queue([...e.dataTransfer.files]); });

  const papersMsg = h('div', { class: 'msg' });
  const papersBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  const papersRefresh = h('button', { type: 'button', class: 'btn btn--ghost btn--small', 'data-key': 'papers-refresh' }, 'Làm mới');
  papersRefresh.addEventListener('click', () => loadPapers(true));
  const historyBox = h('div');
  const updated = h('p', { class: 'muted small' });

  root.append(...[
    h('p', { class: 'back' }, h('a', { href: counter ? '#/ho-so-tthc' : backHref }, counter ? '← Tiếp nhận hồ sơ TTHC' : '← Quay lại')),
    h('div', { class: 'dhead' }, h('div', {}, kicker, heading)),
    loadErr,
    h('section', { class: 'card', 'aria-labelledby': 'd-info-h' }, h('h2', { id: 'd-info-h', class: 'visually-hidden' }, 'Thông tin hồ sơ'), summary),
    h('section', { class: 'card', 'aria-labelledby': 'd-docs-h' },
      h('h2', { id: 'd-docs-h' }, 'Thành phần hồ sơ'), docsBox,
      counter ? [h('h3', { class: 'subhead' }, 'Nộp thêm giấy tờ'), upMsg, drop, upList] : null),
    counter ? h('section', { class: 'card', 'aria-labelledby': 'd-store-h' },
      h('div', { class: 'section-head' }, h('h2', { id: 'd-store-h' }, 'Giấy tờ đã có trong kho'), papersRefresh),
      h('p', { class: 'muted small' }, 'Giấy tờ đã số hóa, còn hiệu lực và được phép dùng lại của chủ hồ sơ: không cần yêu cầu nộp lại. Mỗi lần xem được ghi nhật ký, với mã hồ sơ này làm mục đích.'),
      papersMsg, papersBox) : null,
    h('section', { class: 'card', 'aria-labelledby': 'd-hist-h' }, h('h2', { id: 'd-hist-h' }, 'Lịch sử hồ sơ'), historyBox),
    updated].filter(Boolean));

  // Between its own changes, the view follows the statuses of the dossier's papers rather than
  // reading the dossier again: each read of a dossier is an event of the access trail, a status is
  // not. A paper another counter attaches shows at the next visit.
  async function withStatuses(d) {
    const docs = await Promise.all(d.documents.map((a) => (!ACTIVE.has(a.document.status) ? a.document
      : api(`/api/v1/documents/${encodeURIComponent(a.document.id)}`, { signal }).catch((e) => {
        if (isAbort(e) || e.status === 401) throw e;
        return a.document; // try again at the next tick
      }))));
    return { ...d, documents: d.documents.map((a, i) => ({ ...a, document: docs[i] })) };
  }

  async function load() {
    let d;
    try {
      d = stale ? await api(`/api/v1/dossiers/${encodeURIComponent(id)}`, { signal }) : await withStatuses(dossier);
      stale = false;
    } catch (e) {
      if (isAbort(e)) return 0;
      if (e.status === 404) {
        kicker.textContent = '';
        heading.classList.remove('dcode', 'mono');
        heading.textContent = 'Không tìm thấy hồ sơ';
        root.querySelectorAll('section').forEach((s) => s.remove());
        swap(loadErr, notice('error', e.message));
        return 0;
      }
      swap(loadErr, notice('error', `Không tải được hồ sơ: ${e.message}`));
      return RETRY;
    }
    loadErr.replaceChildren();
    const body = JSON.stringify(d);
    if (body !== lastBody) {
      lastBody = body;
      const first = !dossier;
      dossier = d;
      if (first) rememberDossier(d);
      workingDossier = { id: d.id, code: d.code };
      render(d);
    }
    // The store's answer changes when a paper here finishes (it becomes reusable) or is attached.
    const key = d.documents.map((a) => `${a.document.id}:${a.document.status}`).join(',');
    if (counter && key !== papersKey) { papersKey = key; loadPapers(false); }
    const busy = d.documents.some((a) => ACTIVE.has(a.document.status)) || local.some((u) => u.state === 'sending' || u.state === 'checking' || u.state === 'waiting');
    updated.textContent = `Cập nhật lúc ${fmtClock()}. ${busy ? 'Có giấy tờ đang được xử lý: tự làm mới mỗi 2 giây.' : 'Các giấy tờ đã xử lý xong.'}`;
    return busy ? FAST : 0; // nothing left to follow; a new upload or reuse starts again
  }

  function render(d) {
    document.title = `${d.code} — Hồ sơ TTHC — Số hóa hồ sơ`;
    heading.textContent = d.code;
    const field = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
    const owner = d.owner || {};
    swap(summary,
      h('dl', { class: 'fields' },
        field('Chủ hồ sơ', owner.name ? h('strong', {}, owner.name) : h('span', { class: 'muted' }, 'Chưa ghi tên'),
          ' · ', h('span', { class: 'mono' }, owner.id), owner.kind ? h('span', { class: 'muted' }, ` (${OWNER_KIND[owner.kind] ?? owner.kind})`) : null),
        field('Thủ tục', h('span', { class: 'mono' }, d.procedure_code), d.procedure_name ? ` — ${d.procedure_name}` : null),
        field('Tiếp nhận lúc', h('time', { datetime: d.received_at }, fmtTime(d.received_at))),
        field('Cán bộ tiếp nhận', d.staff || h('span', { class: 'muted' }, 'Không ghi')),
        field('Cơ quan tiếp nhận', d.agency_name || '—', d.agency ? h('span', { class: 'muted' }, ` (${d.agency})`) : null)),
      counter ? h('div', { class: 'button-row' },
        h('a', { class: 'btn btn--primary', href: d.receipt || `/api/v1/dossiers/${encodeURIComponent(d.id)}/receipt`, target: '_blank', rel: 'noopener', 'data-key': 'receipt' },
          'In giấy tiếp nhận', h('span', { class: 'visually-hidden' }, ' (mở tệp PDF trong thẻ mới)')),
        h('a', { class: 'btn', href: `/api/v1/dossiers/${encodeURIComponent(d.id)}/cover`, target: '_blank', rel: 'noopener', 'data-key': 'cover',
          title: 'Đặt lên trên cùng xấp giấy tờ khi quét cả hồ sơ một lần' },
          'In phiếu bìa', h('span', { class: 'visually-hidden' }, ' (mở tệp PDF trong thẻ mới)')),
        h('a', { class: 'btn', href: `/api/v1/dossiers/${encodeURIComponent(d.id)}/separator`, target: '_blank', rel: 'noopener', 'data-key': 'separator',
          title: 'Đặt giữa hai giấy tờ khi quét; tờ này không được lưu vào hồ sơ' },
          'In tờ phân cách', h('span', { class: 'visually-hidden' }, ' (mở tệp PDF trong thẻ mới)'))) : null);
    renderDocs(d);
    renderHistory(d);
  }

  function renderDocs(d) {
    if (!d.documents.length) {
      swap(docsBox, notice('empty', 'Hồ sơ chưa có giấy tờ nào. Gửi tệp quét ở phần dưới, hoặc dùng lại giấy tờ đã có trong kho.'));
      return;
    }
    swap(docsBox, h('table', { class: 'docs' },
      h('caption', { class: 'visually-hidden' }, `Thành phần hồ sơ: ${num.format(d.documents.length)} giấy tờ.`),
      h('thead', {}, h('tr', {}, ['Mã thành phần', 'Giấy tờ', 'Trạng thái', 'Nguồn', 'Đính kèm lúc'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, d.documents.map((a) => {
        const doc = a.document;
        return h('tr', {},
          h('td', { 'data-label': 'Mã thành phần' }, h('span', { class: 'mono nowrap' }, a.component_code)),
          h('td', { 'data-label': 'Giấy tờ', class: 'docs__name' },
            h('a', { href: docHref(doc.id), 'data-key': `doc:${doc.id}` }, doc.title || doc.filename || '(không tên)'),
            doc.title && doc.filename ? h('span', { class: 'docs__title' }, doc.filename) : null,
            doc.status === 'failed' && doc.error ? h('span', { class: 'docs__error' }, doc.error) : null),
          h('td', { 'data-label': 'Trạng thái' }, badge(doc)),
          h('td', { 'data-label': 'Nguồn' },
            a.reused ? h('span', { class: 'badge badge--reused' }, 'Lấy từ kho') : h('span', { class: 'muted' }, 'Nộp tại quầy'),
            a.role === 'result' ? [' ', h('span', { class: 'badge badge--result' }, 'Kết quả')] : null),
          h('td', { 'data-label': 'Đính kèm lúc', class: 'nowrap' }, h('time', { datetime: a.attached_at }, fmtTime(a.attached_at))));
      }))));
  }

  function renderHistory(d) {
    const events = d.history ?? [];
    if (!events.length) { swap(historyBox, h('p', { class: 'muted' }, 'Chưa có sự kiện nào.')); return; }
    const titleOf = new Map(d.documents.map((a) => [a.document.id, a.document.title || a.document.filename]));
    swap(historyBox, h('ol', { class: 'history' }, events.map((e) => {
      const action = ev(e, 'Action'), at = ev(e, 'At'), actor = ev(e, 'Actor'), detail = ev(e, 'Detail') || {};
      const docID = ev(e, 'DocumentID');
      let words = ACTION_WORDS[action] ?? action;
      if (action === 'document.attached' && detail.role === 'result') words = 'Đính kèm kết quả giải quyết';
      const extra = [];
      if (action === 'dossier.received') {
        if (detail.procedure) extra.push(`thủ tục ${detail.procedure}`);
      } else if (docID) {
        const t = titleOf.get(docID);
        extra.push(h('a', { href: docHref(docID) }, t || 'giấy tờ'));
        if (detail.component_code) extra.push(', mã thành phần ', h('span', { class: 'mono' }, detail.component_code));
      }
      return h('li', { class: 'history__item' },
        h('time', { class: 'history__time muted', datetime: at }, fmtTime(at)),
        h('p', { class: 'history__what' }, h('strong', {}, words), extra.length ? [': ', ...extra] : null),
        h('p', { class: 'history__who muted small' }, actor ? `Cán bộ: ${actor}` : 'Không ghi tên cán bộ'));
    })));
  }

  // --- the owner's papers in the store
  let papersCtl = null;
  async function loadPapers(byHand) {
    if (!dossier) return;
    papersCtl?.abort();
    papersCtl = new AbortController();
    const s = AbortSignal.any ? AbortSignal.any([signal, papersCtl.signal]) : papersCtl.signal;
    if (byHand) papersBox.setAttribute('aria-busy', 'true');
    let data;
    try {
      // The purpose logged with the look (Nghị định 13/2023/NĐ-CP) is the dossier being received.
      data = await api(`/api/v1/owners/${encodeURIComponent(dossier.owner.id)}/documents?${new URLSearchParams({ valid: 'true', purpose: dossier.code })}`, { signal: s });
    } catch (e) {
      if (isAbort(e)) return;
      papersBox.removeAttribute('aria-busy');
      swap(papersBox, notice('error', `Không tải được kho giấy tờ: ${e.message}`));
      return;
    }
    papersBox.removeAttribute('aria-busy');
    renderPapers(data.documents ?? []);
  }

  function renderPapers(papers) {
    if (!papers.length) {
      swap(papersBox, notice('empty', 'Chủ hồ sơ chưa có giấy tờ nào còn hiệu lực và được phép dùng lại.'));
      return;
    }
    const here = new Set(dossier.documents.map((a) => a.document.id));
    swap(papersBox, h('ul', { class: 'papers' }, papers.map((p) => {
      const err = h('p', { class: 'paper__error', role: 'alert' });
      let act;
      if (here.has(p.id)) {
        act = h('span', { class: 'badge badge--done' }, 'Đã có trong hồ sơ này');
      } else {
        act = h('button', { type: 'button', class: 'btn btn--small', 'data-key': `reuse:${p.id}` }, 'Dùng lại');
        act.addEventListener('click', () => reuse(p, act, err));
      }
      const field = (label, value) => (value ? h('div', {}, h('dt', {}, label), h('dd', {}, value)) : null);
      return h('li', { class: 'paper' },
        h('div', { class: 'paper__main' },
          h('p', { class: 'paper__title' }, h('a', { href: docHref(p.id) }, p.title || p.filename || '(không tên)'),
            h('span', { class: 'paper__id muted' }, ' · ', p.code ? h('span', { class: 'mono' }, p.code) : null, p.code && p.filename ? ' · ' : null, p.filename || null)),
          h('dl', { class: 'paper__fields' },
            field('Loại', p.kind || h('span', { class: 'muted' }, 'chưa xác nhận')),
            field('Số, ký hiệu', p.notation ? h('span', { class: 'mono' }, p.notation) : null),
            field('Ngày ban hành', p.issued_on ? fmtDate(p.issued_on) : null),
            field('Hiệu lực đến', p.valid_until ? fmtDate(p.valid_until) : h('span', { class: 'muted' }, 'không thời hạn')),
            field('Từ hồ sơ', p.dossiers?.length ? p.dossiers.map((c, i) => [i ? ', ' : '', h('span', { class: 'mono' }, c)]) : h('span', { class: 'muted' }, 'chưa thuộc hồ sơ nào'))),
          err),
        h('div', { class: 'paper__act' }, act));
    })));
  }

  async function reuse(p, btn, err) {
    if (btn.getAttribute('aria-disabled') === 'true') return;
    err.textContent = '';
    papersMsg.replaceChildren();
    btn.setAttribute('aria-disabled', 'true');
    btn.textContent = 'Đang thêm…';
    try {
      const a = await api(`/api/v1/dossiers/${encodeURIComponent(id)}/reuse`, { method: 'POST', json: { document_id: p.id }, signal });
      const n = notice('ok', `Đã dùng lại “${p.title || p.filename}” làm thành phần ${a.component_code}.`);
      n.tabIndex = -1;
      swap(papersMsg, n);
      n.focus();
      stale = true;
      refresh();
    } catch (e) {
      if (isAbort(e)) return;
      err.textContent = e.message;
      btn.removeAttribute('aria-disabled');
      btn.textContent = 'Dùng lại';
    }
  }

  // --- uploads into the dossier, two at a time
  function queue(files) {
    if (!files.length) return;
    upMsg.replaceChildren();
    for (const file of files) {
      const u = { key: `d${++seq}`, file, state: 'waiting', loaded: 0, total: file.size, error: '', att: null, el: h('li', { class: 'up' }) };
      local.unshift(u);
      paint(u);
    }
    upList.replaceChildren(...local.map((u) => u.el));
    upList.hidden = false;
    pump();
    refresh();
  }
  function pump() {
    let running = local.filter((u) => u.state === 'sending' || u.state === 'checking').length;
    for (let i = local.length - 1; i >= 0 && running < PARALLEL_UPLOADS; i--) {
      if (local[i].state === 'waiting') { send(local[i]); running++; }
    }
  }
  async function send(u) {
    u.state = 'sending';
    paint(u);
    try {
      u.att = await sendFile(`/api/v1/dossiers/${encodeURIComponent(id)}/documents`, u.file, (loaded, total) => {
        if (loaded < 0) u.state = 'checking'; else { u.loaded = loaded; u.total = total; }
        paint(u);
      });
      u.state = 'done';
      announce(`${u.file.name}: đã thêm vào hồ sơ.`);
    } catch (e) {
      u.state = 'error';
      u.error = e.message;
      announce(`${u.file.name}: lỗi. ${e.message}`);
    }
    paint(u);
    pump();
    if (!signal.aborted) { stale = true; refresh(); }
  }
  function paint(u) {
    const pct = u.total ? Math.floor((u.loaded / u.total) * 100) : 0;
    const status = {
      waiting: () => h('span', { class: 'up__msg muted' }, 'Đang chờ gửi…'),
      sending: () => [h('progress', { max: 100, value: pct, 'aria-label': `Tiến độ tải lên ${u.file.name}` }), h('span', { class: 'up__msg' }, `Đang tải lên… ${pct}%`)],
      checking: () => [h('progress', { 'aria-label': `Đang kiểm tra ${u.file.name}` }), h('span', { class: 'up__msg' }, 'Máy chủ đang kiểm tra tệp…')],
      done: () => h('span', { class: 'up__msg' }, 'Đã thêm vào hồ sơ: ', h('span', { class: 'mono' }, u.att?.component_code ?? '')),
      error: () => h('span', { class: 'up__msg up__msg--error' }, u.error),
    }[u.state]();
    u.el.className = `up up--${u.state}`;
    u.el.replaceChildren(
      h('span', { class: 'up__file' }, h('span', { class: 'up__name' }, u.file.name), h('span', { class: 'up__size muted' }, fmtSize(u.file.size))),
      h('span', { class: 'up__status' }, status));
  }

  const refresh = poll(load, signal);
  return { unmount() { ctl.abort(); papersCtl?.abort(); } };
}

// fmtDate shows a YYYY-MM-DD date the Vietnamese way, dd/mm/yyyy, without moving it across a time zone.
function fmtDate(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : (s || '—');
}

// ---------------------------------------------------------------------------------------------
// A document as a paper: its Thông tư 05/2025 record, the fields read from it to confirm, and the
// check of its signatures. Shown in the document's detail.

const META_FIELDS = [
  ['docCode', 'Mã định danh văn bản'],
  ['arcFileCode', 'Mã hồ sơ'],
  ['typeName', 'Tên loại văn bản'],
  ['codeNumber', 'Số của văn bản'],
  ['codeNotation', 'Ký hiệu của văn bản'],
  ['issuedDate', 'Ngày, tháng, năm văn bản'],
  ['organName', 'Cơ quan, tổ chức ban hành'],
  ['subject', 'Trích yếu nội dung'],
  ['language', 'Ngôn ngữ'],
  ['numberOfPage', 'Số trang'],
  ['confidenceLevel', 'Mức độ tin cậy'],
  ['format', 'Định dạng'],
  ['ownerId', 'Chủ sở hữu'],
  ['validUntil', 'Hiệu lực đến'],
  ['validityScope', 'Phạm vi hiệu lực'],
  ['sha256', 'SHA-256 của tệp đã ký'],
];
const CONFIDENCE = { '01': 'Bản gốc điện tử', '02': 'Bản số hóa từ bản giấy', '03': 'Hỗn hợp' };
const LANGUAGE = { vi: 'Tiếng Việt', en: 'Tiếng Anh' };
const EXTRACTED_NAMES = {
  citizen_id: 'Số định danh cá nhân', tax_code: 'Mã số thuế', notation: 'Số, ký hiệu', number: 'Số',
  date: 'Ngày tháng', issued_date: 'Ngày ban hành', issuing_body: 'Cơ quan ban hành',
};
// Which form field an extracted value can fill.
const EXTRACTED_FILLS = { notation: 'notation', issued_date: 'issued_on', issuing_body: 'issuing_body' };

const CHECKS = [
  ['byte_range_check', 'Phạm vi ký bao trùm toàn bộ tệp'],
  ['integrity', 'Nội dung không bị sửa đổi sau khi ký'],
  ['signature', 'Giá trị chữ ký hợp lệ'],
  ['chain', 'Chứng thư số dẫn tới tổ chức chứng thực tin cậy'],
  ['certificate_validity', 'Chứng thư số còn hiệu lực lúc ký'],
  ['timestamp_check', 'Dấu thời gian'],
];

// checkDetail puts the verifier's few English details into Vietnamese; other text is shown as is.
function checkDetail(s) {
  if (!s) return '';
  if (s === 'no timestamp') return 'Không có dấu thời gian';
  const at = /^at (\d{4}-\d\d-\d\dT\S+)$/.exec(s);
  if (at) return `Tại thời điểm ${fmtTime(at[1])}`;
  if (s === 'SHA-256') return 'Thuật toán băm SHA-256';
  return s;
}

function paperPanel(id, signal) {
  const metaBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  const extractBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  const verifyBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  const sections = [
    h('section', { class: 'card', 'aria-labelledby': 'meta-h' }, h('h2', { id: 'meta-h' }, 'Thông tin văn bản (Thông tư 05/2025/TT-BNV)'), metaBox),
    h('section', { class: 'card', 'aria-labelledby': 'ext-h' }, h('h2', { id: 'ext-h' }, 'Thông tin trích xuất (cần xác nhận)'), extractBox),
    h('section', { class: 'card', 'aria-labelledby': 'ver-h' }, h('h2', { id: 'ver-h' }, 'Kiểm tra chữ ký'), verifyBox),
  ];
  let key = null, verKey = null;
  // Why the owner's papers are looked at, logged with each look: the dossier this document was
  // opened from, else what the clerk gives (purposeForm).
  let purpose = workingDossier && backHref === dossierHref(workingDossier.id) ? workingDossier.code : '';

  async function update(doc) {
    const k = `${doc.status}:${doc.updated_at}`;
    if (k !== key) { key = k; loadMeta(doc); }
    const vk = doc.signed ? doc.updated_at : '';
    if (vk !== verKey) { verKey = vk; loadVerification(doc); }
  }

  async function loadMeta(doc, paperAfterSave) {
    let meta;
    try {
      meta = await api(`/api/v1/documents/${encodeURIComponent(id)}/metadata`, { signal });
    } catch (e) {
      if (isAbort(e)) return;
      swap(metaBox, notice('error', `Không tải được thông tin văn bản: ${e.message}`));
      renderExtract(doc, null, null, null);
      return;
    }
    const field = (label, name, value) => [h('dt', {}, label, h('span', { class: 'fieldname' }, name)), h('dd', {}, value)];
    const shown = META_FIELDS.filter(([k]) => meta[k] != null && meta[k] !== '');
    swap(metaBox, shown.length
      ? h('dl', { class: 'fields' }, shown.map(([k, label]) => {
        let v = String(meta[k]);
        if (k === 'confidenceLevel') v = `${CONFIDENCE[v] ?? v} (${v})`;
        else if (k === 'language') v = LANGUAGE[v] ?? v;
        else if (k === 'issuedDate' || k === 'validUntil') v = fmtDate(v);
        else if (k === 'numberOfPage') v = num.format(meta[k]);
        const mono = ['docCode', 'arcFileCode', 'ownerId', 'codeNotation'].includes(k);
        return field(label, k, k === 'sha256' ? h('code', { class: 'hash' }, v) : mono ? h('span', { class: 'mono' }, v) : v);
      }))
      : h('p', { class: 'muted' }, 'Chưa có thông tin.'));

    // The extracted fields and the paper's confirmed values come with the owner's papers.
    let paper = paperAfterSave ?? null, ownerErr = null;
    // Each look at an owner's papers is logged, so only once the paper is done (its fields are read
    // at the last stage), not at every stage it passes.
    if (!paper && meta.ownerId && doc.status === 'done' && may('counter') && purpose) {
      try {
        const q = new URLSearchParams({ purpose });
        const data = await api(`/api/v1/owners/${encodeURIComponent(meta.ownerId)}/documents?${q}`, { signal });
        paper = (data.documents ?? []).find((p) => p.id === id) ?? null;
      } catch (e) {
        if (isAbort(e)) return;
        ownerErr = e.message;
      }
    }
    renderExtract(doc, meta, paper, ownerErr);
  }

  // purposeForm asks why the clerk looks at the owner's papers, offering the dossier last worked on.
  function purposeForm(doc) {
    const input = h('input', { id: 'p-purpose', type: 'text', class: 'mono', 'data-key': 'p-purpose', autocomplete: 'off',
      value: workingDossier?.code || null, 'aria-describedby': 'p-purpose-hint' });
    const form = h('form', { class: 'form', novalidate: true },
      h('div', { class: 'field' },
        h('label', { for: 'p-purpose' }, 'Mục đích xem kho giấy tờ của chủ hồ sơ'), input,
        h('p', { id: 'p-purpose-hint', class: 'field__hint muted small' },
          'Ví dụ mã hồ sơ TTHC đang tiếp nhận. Mỗi lần xem được ghi vào nhật ký truy cập cùng mục đích này.')),
      h('div', { class: 'button-row' }, h('button', { type: 'submit', class: 'btn' }, 'Xem các trường trích xuất')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (!input.value.trim()) { input.focus(); return; }
      purpose = input.value.trim();
      await loadMeta(doc);
      extractBox.querySelector('.extracted-out')?.focus(); // the form is gone: keep the keyboard here
    });
    return form;
  }

  function renderExtract(doc, meta, paper, ownerErr) {
    const extracted = Array.isArray(paper?.extracted) ? paper.extracted : [];
    const msg = h('div', { class: 'msg', tabindex: -1 });
    const inputs = {};
    const text = (name, label, value, attrs = {}) => {
      inputs[name] = h('input', { id: `p-${name}`, name, type: 'text', value: value || null, 'data-key': `p-${name}`, ...attrs });
      return h('div', { class: 'field' }, h('label', { for: `p-${name}` }, label), inputs[name]);
    };
    const reusable = h('select', { id: 'p-reusable', 'data-key': 'p-reusable' },
      h('option', { value: '' }, 'Giữ nguyên'),
      h('option', { value: 'true', selected: paper?.reusable === true }, 'Có'),
      h('option', { value: 'false', selected: paper?.reusable === false }, 'Không'));
    const save = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Xác nhận thông tin');
    const form = h('form', { class: 'form form--grid', novalidate: true },
      text('kind', 'Loại giấy tờ', paper?.kind ?? meta?.typeName, { placeholder: 'ví dụ: Giấy khai sinh' }),
      text('notation', 'Số, ký hiệu', paper?.notation ?? meta?.codeNotation, { class: 'mono', placeholder: 'ví dụ: 110/KH-UBND' }),
      text('issued_on', 'Ngày ban hành', paper?.issued_on ?? meta?.issuedDate, { type: 'date' }),
      text('issuing_body', 'Cơ quan ban hành', paper?.issuing_body ?? meta?.organName),
      text('valid_until', 'Hiệu lực đến', paper?.valid_until ?? meta?.validUntil, { type: 'date', 'aria-describedby': 'p-valid-hint' }),
      text('validity_scope', 'Phạm vi hiệu lực', paper?.validity_scope ?? meta?.validityScope),
      h('div', { class: 'field' }, h('label', { for: 'p-reusable' }, 'Được dùng lại'), reusable),
      h('p', { id: 'p-valid-hint', class: 'muted small form__wide' }, 'Để trống “Hiệu lực đến” nếu giấy tờ không có thời hạn.'),
      h('div', { class: 'form__wide' }, msg, h('div', { class: 'button-row' }, save)));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      if (save.getAttribute('aria-disabled') === 'true') return;
      const body = {};
      for (const k of ['kind', 'notation', 'issuing_body', 'validity_scope']) body[k] = inputs[k].value.trim();
      // A date cannot be cleared through the API; an empty one is left as it is.
      for (const k of ['issued_on', 'valid_until']) if (inputs[k].value) body[k] = inputs[k].value;
      if (reusable.value) body.reusable = reusable.value === 'true';
      save.setAttribute('aria-disabled', 'true');
      save.textContent = 'Đang lưu…';
      try {
        const p = await api(`/api/v1/documents/${encodeURIComponent(id)}/paper`, { method: 'PUT', json: body, signal });
        key = null; // reload the record with the confirmed values
        await loadMeta(doc, p);
        const n = extractBox.querySelector('.msg');
        if (n) { swap(n, notice('ok', 'Đã lưu thông tin đã xác nhận.')); n.focus(); }
      } catch (err) {
        if (isAbort(err)) return;
        swap(msg, notice('error', `Không lưu được: ${err.message}`));
        msg.focus();
        save.removeAttribute('aria-disabled');
        save.textContent = 'Xác nhận thông tin';
      }
    });

    let list;
    if (extracted.length) {
      list = h('table', { class: 'docs extracted extracted-out', tabindex: -1 },
        h('caption', { class: 'visually-hidden' }, 'Các trường máy đọc được trong văn bản nhận dạng'),
        h('thead', {}, h('tr', {}, ['Trường', 'Giá trị', 'Nguyên văn', 'Dòng', 'Độ tin cậy', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, extracted.map((x, i) => {
          // A date may be the issue date or the end of validity: staff say which.
          const targets = x.name === 'date' ? [['issued_on', 'Làm ngày ban hành'], ['valid_until', 'Làm hiệu lực đến']]
            : EXTRACTED_FILLS[x.name] ? [[EXTRACTED_FILLS[x.name], 'Điền vào biểu mẫu']] : [];
          const use = targets.map(([target, text], j) => {
            const b = h('button', { type: 'button', class: 'btn btn--small btn--ghost', 'data-key': `use:${i}:${j}`,
              'aria-label': `${text}: ${x.value}` }, text);
            b.addEventListener('click', () => { inputs[target].value = x.value; inputs[target].focus(); });
            return b;
          });
          const conf = Number(x.confidence) || 0;
          return h('tr', {},
            h('td', { 'data-label': 'Trường' }, EXTRACTED_NAMES[x.name] ?? x.name),
            h('td', { 'data-label': 'Giá trị' }, h('span', { class: 'mono' }, x.name.endsWith('date') ? fmtDate(x.value) : x.value)),
            h('td', { 'data-label': 'Nguyên văn' }, h('q', { class: 'raw' }, x.raw)),
            h('td', { 'data-label': 'Dòng', class: 'num' }, x.line ? num.format(x.line) : '—'),
            h('td', { 'data-label': 'Độ tin cậy', class: 'num' }, h('span', { class: conf < 0.6 ? 'low' : '' }, `${num.format(Math.round(conf * 100))}%`)),
            h('td', { 'data-label': '', class: 'actions' }, use));
        })));
    } else if (meta?.ownerId && doc.status === 'done' && !ownerErr && !paper && may('counter') && !purpose) {
      list = purposeForm(doc);
    } else {
      list = h('p', { class: 'muted extracted-out', tabindex: -1 },
        ownerErr ? `Không tải được các trường trích xuất: ${ownerErr}`
          : !meta?.ownerId ? 'Giấy tờ chưa thuộc về công dân hay tổ chức nào (chưa nộp vào hồ sơ TTHC), nên chưa có trường trích xuất.'
            : doc.status !== 'done' ? 'Các trường sẽ được đọc khi văn bản xử lý xong.'
              : !may('counter') ? 'Các trường trích xuất đi cùng kho giấy tờ của chủ hồ sơ, chỉ cán bộ một cửa được xem.'
                : 'Máy không đọc được trường nào trong văn bản này.');
    }
    swap(extractBox,
      h('p', { class: 'muted small' }, 'Máy đọc các trường này từ văn bản nhận dạng; cán bộ đối chiếu với bản giấy rồi xác nhận ở biểu mẫu dưới.'),
      list,
      h('h3', { class: 'subhead' }, 'Xác nhận thông tin giấy tờ'),
      form);
  }

  async function loadVerification(doc) {
    if (!doc.signed) {
      swap(verifyBox, h('p', { class: 'muted' }, doc.status === 'failed' ? 'Tài liệu bị lỗi trước khi được ký số.' : 'Tài liệu chưa được ký số; kết quả kiểm tra sẽ hiện khi ký xong.'));
      return;
    }
    let r;
    try {
      r = await api(`/api/v1/documents/${encodeURIComponent(id)}/verification`, { signal });
    } catch (e) {
      if (isAbort(e)) return;
      verKey = null;
      swap(verifyBox, notice('error', `Không kiểm tra được chữ ký: ${e.message}`));
      return;
    }
    const mark = (ok) => h('span', { class: `check__mark check__mark--${ok ? 'ok' : 'bad'}`, 'aria-hidden': 'true' }, ok ? '✓' : '✗');
    const sigs = r.signatures ?? [];
    swap(verifyBox,
      r.valid
        ? notice('ok', h('strong', {}, '✓ Chữ ký hợp lệ. '), `Tệp có ${num.format(sigs.length)} chữ ký, tất cả đều đạt.`)
        : notice('error', h('strong', {}, '✗ Chữ ký không hợp lệ. '), sigs.length ? 'Xem các mục không đạt bên dưới.' : 'Tệp không có chữ ký nào.'),
      r.modified_after_signing ? notice('error', 'Tệp đã bị thêm nội dung sau chữ ký cuối cùng.') : null,
      sigs.map((s, i) => h('div', { class: 'sig' },
        h('h3', { class: 'subhead' }, sigs.length > 1 ? `Chữ ký ${i + 1}: ` : 'Người ký: ', s.signer || '(không rõ)',
          ' ', h('span', { class: `badge badge--${s.valid ? 'done' : 'failed'}` }, s.valid ? 'Hợp lệ' : 'Không hợp lệ')),
        h('dl', { class: 'fields' },
          s.signer_dn ? [h('dt', {}, 'Chủ thể chứng thư'), h('dd', { class: 'small' }, s.signer_dn)] : null,
          s.reason ? [h('dt', {}, 'Lý do ký'), h('dd', {}, s.reason)] : null,
          s.location ? [h('dt', {}, 'Nơi ký'), h('dd', {}, s.location)] : null,
          [h('dt', {}, 'Thời điểm ký (người ký khai)'), h('dd', {}, s.claimed_time ? h('time', { datetime: s.claimed_time }, fmtTime(s.claimed_time)) : '—')],
          [h('dt', {}, 'Dấu thời gian'), h('dd', {}, s.timestamp
            ? [h('time', { datetime: s.timestamp.time }, fmtTime(s.timestamp.time)), ` — do ${s.timestamp.tsa || '(không rõ)'} cấp`,
              s.timestamp.valid ? '' : h('span', { class: 'bad' }, ' (không hợp lệ)')]
            : h('span', { class: 'muted' }, 'Không có (chưa cấu hình máy chủ dấu thời gian)'))]),
        h('ul', { class: 'checks' }, CHECKS.map(([k, label]) => {
          const c = s[k];
          if (!c) return null;
          return h('li', { class: `check check--${c.ok ? 'ok' : 'bad'}` }, mark(c.ok),
            h('span', {}, h('span', { class: 'visually-hidden' }, c.ok ? 'Đạt: ' : 'Không đạt: '), label,
              c.detail ? h('span', { class: 'check__detail muted' }, ` — ${checkDetail(c.detail)}`) : null));
        })))));
  }

  return { sections, update };
}

// ---------------------------------------------------------------------------------------------
// Nhật ký truy cập: the access trail (GET /api/v1/audit), for auditors and administrators.

// The filters: [hash parameter, API parameter, label, input attributes].
const AUDIT_FILTERS = [
  ['tai-khoan', 'account', 'Tài khoản', { spellcheck: 'false' }],
  ['chu-ho-so', 'owner', 'Chủ hồ sơ (số định danh, mã số thuế)', { class: 'mono', inputmode: 'numeric', spellcheck: 'false' }],
  ['tai-lieu', 'document', 'Mã tài liệu (ID)', { class: 'mono', spellcheck: 'false' }],
  ['tu', 'from', 'Từ ngày', { type: 'date' }],
  ['den', 'to', 'Đến ngày', { type: 'date' }],
];

// auditHash is the view's address for the filters (by hash parameter) and page.
function auditHash(filters, page) {
  const p = new URLSearchParams();
  for (const [key] of AUDIT_FILTERS) if (filters[key]) p.set(key, filters[key]);
  if (page > 1) p.set('trang', page);
  const q = p.toString();
  return `#/nhat-ky${q ? `?${q}` : ''}`;
}

function auditView(root, _arg, params) {
  document.title = 'Nhật ký truy cập — Số hóa hồ sơ';
  let ctl = null; // the load in flight, aborted when a newer one starts
  const inputs = {};
  const form = h('form', { class: 'form form--grid', role: 'search', 'aria-label': 'Lọc nhật ký truy cập', novalidate: true },
    AUDIT_FILTERS.map(([key, , label, attrs]) => {
      const f = formField(`a-${key}`, label, attrs);
      inputs[key] = f.input;
      return f.box;
    }),
    h('div', { class: 'form__wide button-row' },
      h('button', { type: 'submit', class: 'btn btn--primary' }, 'Lọc'),
      h('a', { class: 'btn btn--ghost', href: '#/nhat-ky' }, 'Bỏ lọc')));
  const status = h('p', { class: 'search__status', role: 'status', tabindex: -1 });
  const csv = h('a', { class: 'btn btn--small', download: true, 'data-key': 'csv' },
    'Tải về tệp CSV', h('span', { class: 'visually-hidden' }, ' (mọi sự kiện theo bộ lọc đang chọn)'));
  const table = h('div', { class: 'table-wrap' });
  const pagerBox = h('div');

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const filters = Object.fromEntries(AUDIT_FILTERS.map(([key]) => [key, inputs[key].value.trim()]));
    const hash = auditHash(filters, 1);
    if (location.hash === hash) run(new URLSearchParams(hash.split('?')[1] ?? '')); // no hashchange: load anyway
    else location.hash = hash;
  });

  root.append(
    h('h1', { tabindex: -1 }, 'Nhật ký truy cập'),
    h('p', { class: 'muted' }, 'Mọi lần xem dữ liệu cá nhân và mọi thay đổi, mới nhất trước. Nhật ký chỉ được ghi thêm, không sửa, không xóa.'),
    h('section', { class: 'card' }, form),
    h('section', { class: 'card', 'aria-labelledby': 'audit-h' },
      h('div', { class: 'section-head' }, h('h2', { id: 'audit-h' }, 'Các sự kiện'), csv),
      status, table, pagerBox));

  async function run(p) {
    ctl?.abort();
    ctl = new AbortController();
    const filters = {}, q = new URLSearchParams();
    for (const [key, name] of AUDIT_FILTERS) {
      filters[key] = (p.get(key) ?? '').trim();
      inputs[key].value = filters[key];
      if (filters[key]) q.set(name, filters[key]);
    }
    csv.href = `/api/v1/audit?${new URLSearchParams([...q, ['format', 'csv']])}`;
    const page = pageParam(p), offset = (page - 1) * PAGE;
    status.textContent = 'Đang tải…';
    table.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api(`/api/v1/audit?${new URLSearchParams([...q, ['limit', PAGE], ['offset', offset]])}`, { signal: ctl.signal });
    } catch (e) {
      if (isAbort(e)) return;
      table.removeAttribute('aria-busy');
      status.textContent = '';
      swap(table, notice('error', `Không tải được nhật ký: ${e.message}`));
      pagerBox.replaceChildren();
      return;
    }
    table.removeAttribute('aria-busy');
    const { total, events } = data;
    status.textContent = total === 0 ? ''
      : events.length < total ? `${num.format(total)} sự kiện; đang xem ${num.format(offset + 1)}–${num.format(offset + events.length)}.`
        : `${num.format(total)} sự kiện.`;
    if (!events.length) {
      swap(table, notice('empty', total > 0 ? 'Trang này không có sự kiện nào. ' : 'Không có sự kiện nào theo bộ lọc này.',
        total > 0 ? h('a', { href: auditHash(filters, 1) }, 'Về trang đầu') : null));
    } else {
      swap(table, h('table', { class: 'docs audit' },
        h('caption', { class: 'visually-hidden' }, `Nhật ký truy cập, mới nhất trước; ${num.format(total)} sự kiện.`),
        h('thead', {}, h('tr', {}, ['Thời điểm', 'Tài khoản', 'Hoạt động', 'Đối tượng', 'Nội dung tra cứu', 'Máy trạm']
          .map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, events.map((e) => auditRow(e, filters)))));
    }
    swap(pagerBox, pager(total, offset, (n) => auditHash(filters, n), 'Phân trang nhật ký truy cập'));
  }

  run(params);
  return { update: pagedUpdate(run, pagerBox, status), unmount() { ctl?.abort(); } };
}

// auditRow is one event. Its account, owner and document narrow the trail to themselves (an auditor
// follows a trail this way); documents and dossiers open for roles that may read them.
function auditRow(e, filters) {
  const narrow = (key, value, text, label) => h('a', { href: auditHash({ ...filters, [key]: value }, 1), 'aria-label': label }, text);
  const what = [];
  if (e.document_id) {
    what.push(h('span', { class: 'audit__obj' }, 'Tài liệu ',
      narrow('tai-lieu', e.document_id, h('span', { class: 'mono' }, e.document_id.slice(0, 8)), `Lọc theo tài liệu ${e.document_id}`),
      may('list') ? [' ', h('a', { href: docHref(e.document_id), class: 'small' }, 'mở')] : null));
  }
  if (e.owner_id) {
    what.push(h('span', { class: 'audit__obj' }, 'Chủ hồ sơ ',
      narrow('chu-ho-so', e.owner_id, h('span', { class: 'mono' }, e.owner_id), `Lọc theo chủ hồ sơ ${e.owner_id}`)));
  }
  if (e.dossier_id) {
    const short = h('span', { class: 'mono' }, e.dossier_id.slice(0, 8));
    what.push(h('span', { class: 'audit__obj' }, 'Hồ sơ TTHC ', may('read') ? h('a', { href: dossierHref(e.dossier_id) }, short) : short));
  }
  const words = ACTION_WORDS[e.action];
  return h('tr', {},
    h('td', { 'data-label': 'Thời điểm', class: 'nowrap' }, h('time', { datetime: e.at }, fmtTime(e.at))),
    h('td', { 'data-label': 'Tài khoản' }, e.account ? narrow('tai-khoan', e.account, e.account, `Lọc theo tài khoản ${e.account}`) : '—'),
    h('td', { 'data-label': 'Hoạt động' }, words ?? h('span', { class: 'mono' }, e.action),
      words ? h('span', { class: 'audit__code mono' }, e.action) : null),
    h('td', { 'data-label': 'Đối tượng' }, what.length ? what : h('span', { class: 'muted' }, '—')),
    h('td', { 'data-label': 'Nội dung tra cứu' }, e.query ? h('q', {}, e.query) : h('span', { class: 'muted' }, '—')),
    h('td', { 'data-label': 'Máy trạm' }, e.client ? h('span', { class: 'mono' }, e.client) : h('span', { class: 'muted' }, '—')));
}

// ---------------------------------------------------------------------------------------------
// Session: who is signed in, and what the role may use.

let me = null; // GET /api/v1/session: {name, role, role_label, agency}; null while signed out
let lastName = ''; // the account whose session ran out, offered again on the form
let workingDossier = null; // {id, code} of the dossier last open: the purpose of an owner look-up

// What each role may do, as the API's routes admit it (internal/api/api.go; the README's matrix).
// The page only hides what would be refused; the server decides.
const CAN = {
  upload: ['station', 'clerk', 'admin'],
  list: ['station', 'clerk', 'archivist', 'admin'], // the documents' status
  read: ['clerk', 'archivist', 'admin'], // papers: text, file, record, search, dossiers
  counter: ['clerk', 'admin'], // dossiers, the owner's store
  audit: ['auditor', 'admin'],
};
const may = (what) => !!me && CAN[what].includes(me.role);

// The page before accounts kept a typed staff name and one shared list of dossiers in the browser;
// a counter machine is shared, so they go.
try { localStorage.removeItem('sohoa.staff'); localStorage.removeItem('sohoa.recentDossiers'); } catch { /* no storage */ }

// showSignIn puts the sign-in form in place of the view; why, when given, says why it is back.
// The address (the hash) is left as it is, so signing in again returns to the same view.
function showSignIn(why) {
  current?.view.unmount();
  current = null;
  paintAccount();
  document.title = 'Đăng nhập — Số hóa hồ sơ';
  const name = formField('signin-name', 'Tên tài khoản', {
    required: true, autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', value: lastName || null,
  });
  const pass = formField('signin-password', 'Mật khẩu', { required: true, type: 'password', autocomplete: 'current-password' });
  const msg = h('div', { class: 'msg', id: 'signin-msg' });
  pass.input.setAttribute('aria-describedby', `${pass.input.getAttribute('aria-describedby')} signin-msg`);
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Đăng nhập');
  const form = h('form', { class: 'form signin', novalidate: true, 'aria-labelledby': 'signin-h' },
    name.box, pass.box, msg, h('div', { class: 'button-row' }, submit));
  const main = document.getElementById('main');
  main.replaceChildren(
    h('section', { class: 'card signin__card' },
      h('h1', { id: 'signin-h', tabindex: -1 }, 'Đăng nhập'),
      why ? notice(why.kind, why.text) : h('p', { class: 'muted' }, 'Đăng nhập bằng tài khoản do quản trị viên cấp.'),
      form));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (submit.getAttribute('aria-disabled') === 'true') return;
    name.setError('');
    pass.setError('');
    msg.replaceChildren();
    const n = name.input.value.trim(), p = pass.input.value;
    if (!n) { name.setError('Nhập tên tài khoản.'); name.input.focus(); return; }
    if (!p) { pass.setError('Nhập mật khẩu.'); pass.input.focus(); return; }
    submit.setAttribute('aria-disabled', 'true');
    submit.textContent = 'Đang đăng nhập…';
    try {
      signedIn(await api('/api/v1/session', { method: 'POST', json: { name: n, password: p }, session: false }), true);
    } catch (err) {
      // The API's reason: a wrong name or password, or the account locked for a while.
      swap(msg, notice('error', err.message));
      announce(err.message);
      pass.input.value = '';
      pass.input.focus();
      submit.removeAttribute('aria-disabled');
      submit.textContent = 'Đăng nhập';
    }
  });
  (lastName ? pass : name).input.focus();
}

// signedIn shows the account in the header and the view the address names; focus, after the form,
// moves to the view's heading so screen readers hear where they are.
function signedIn(who, focus) {
  me = who;
  lastName = '';
  paintAccount();
  document.getElementById('main').replaceChildren();
  moveFocus = focus;
  route();
}

// sessionLost brings the form back when a call answers 401 in the middle of work.
function sessionLost() {
  if (!me) return; // several calls in flight all answer 401: once is enough
  lastName = me.name;
  me = null;
  showSignIn({ kind: 'error', text: 'Phiên đăng nhập đã hết hạn. Đăng nhập lại để tiếp tục đúng trang đang xem.' });
  announce('Phiên đăng nhập đã hết hạn; cần đăng nhập lại.');
}

async function signOut(btn) {
  if (btn.getAttribute('aria-disabled') === 'true') return;
  btn.setAttribute('aria-disabled', 'true');
  try {
    await api('/api/v1/session', { method: 'DELETE', session: false });
  } catch (e) {
    if (e.status !== 401) { // 401: the session had ended already, which is what was asked
      btn.removeAttribute('aria-disabled');
      announce(`Không đăng xuất được: ${e.message}`);
      return;
    }
  }
  // The next person at this counter starts clean: no uploads of this account's, no dossier.
  for (const u of uploads) u.xhr?.abort();
  uploads.length = 0;
  workingDossier = null;
  me = null;
  // Nor at this account's last address (a search's words, a citizen's dossier); no hashchange.
  history.replaceState(null, '', location.pathname + location.search);
  showSignIn({ kind: 'ok', text: 'Đã đăng xuất.' });
  announce('Đã đăng xuất.');
}

// paintAccount shows who is signed in and the navigation the role may use, or neither.
function paintAccount() {
  const box = document.getElementById('account'), nav = document.getElementById('nav');
  nav.hidden = !me;
  box.hidden = !me;
  if (!me) { box.replaceChildren(); return; }
  for (const a of nav.querySelectorAll('[data-nav]')) a.parentElement.hidden = !may(NEEDS[a.dataset.nav]);
  document.querySelector('.brand a').href = `#/${home()}`;
  const out = h('button', { type: 'button', class: 'btn btn--small btn--onbrand', id: 'sign-out' }, 'Đăng xuất');
  out.addEventListener('click', () => signOut(out));
  box.replaceChildren(
    h('p', { class: 'account__who' },
      h('span', { class: 'visually-hidden' }, 'Đang đăng nhập: '),
      h('strong', { class: 'account__name' }, me.name),
      h('span', { class: 'account__role' }, me.role_label)),
    out);
}

// ---------------------------------------------------------------------------------------------
// Routing: #/tiep-nhan[?trang=&trang-thai=], #/tra-cuu?q=&trang=, #/ho-so/<id> (a document),
// #/ho-so-tthc (open a dossier), #/tthc/<id> (a dossier), #/nhat-ky?… (the access trail).

const views = {
  'tiep-nhan': intakeView, 'tra-cuu': searchView, 'ho-so': detailView,
  'ho-so-tthc': dossierFormView, tthc: dossierView, 'nhat-ky': auditView,
};
// What each view needs (CAN); a view the role may not use is not offered, and its address leads home.
const NEEDS = { 'tiep-nhan': 'list', 'tra-cuu': 'read', 'ho-so': 'list', 'ho-so-tthc': 'counter', tthc: 'read', 'nhat-ky': 'audit' };
const home = () => (may('list') ? 'tiep-nhan' : 'nhat-ky');
// The nav item lit for each view; a document's detail belongs to no item.
const NAV_OF = { tthc: 'ho-so-tthc' };
let current = null;
let moveFocus = false; // the next view takes focus even though it is the first (after sign-in)
let backHref = '#/tiep-nhan'; // where the detail's back link goes: the list or search it came from

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
  if (!me) return; // the sign-in form is up; the address waits for it
  // Only #/… is a route; anything else (an in-page anchor) must not replace the current view.
  if (current && !location.hash.startsWith('#/')) return;
  const r = parseHash();
  if (!views[r.name] || !may(NEEDS[r.name])) {
    location.replace(`#/${home()}`); // its hashchange comes back here
    return;
  }
  if (r.name !== 'ho-so') backHref = location.hash;
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

// boot asks who is signed in (the cookie may outlive a reload) and shows the view or the form.
async function boot() {
  let who;
  try {
    who = await api('/api/v1/session', { session: false });
  } catch (e) {
    showSignIn(e.status === 401 ? null : { kind: 'error', text: e.message });
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
