// Tiếp nhận: the counter. The documents list with plain uploads (#/tiep-nhan), opening a dossier for
// an owner (#/ho-so-tthc), and a dossier (#/tthc/<id>): the owner's still-valid papers reused with
// one click, scans dropped into it and followed stage by stage, the receipt, cover and separator.

import { api, enc, isAbort, sendFile } from './api.js';
import { ACTIVE, ACTION_WORDS, OWNER_KIND, STAGES, STAGE_ORDER, STATUS } from './names.js';
import { checkOwner } from './identity.js';
import { may, state } from './session.js';
import {
  FAST, PAGE, RETRY, SLOW, announce, badge, busy, docHref, dossierHref, dropZone, fileHref, fmtClock, fmtDate, loadFailed,
  fmtSize, fmtTime, focusNotice, formField, h, notice, num, pageParam, pager, poll, retryButton, swap,
} from './ui.js';

const PARALLEL_UPLOADS = 2; // enough to keep the link busy without starving the status polls

// ---------------------------------------------------------------------------------------------
// Uploads live outside the intake view: they keep going while staff look at a document's detail,
// and are still listed when they come back.

const uploads = [];
let uploadSeq = 0;
const uploadWatchers = new Set(); // callbacks of the mounted intake view

const notifyUploads = (finished) => { for (const w of uploadWatchers) w(finished); };
const uploadsBusy = () => uploads.some((u) => u.state === 'waiting' || u.state === 'sending' || u.state === 'checking');

// forgetUploads aborts and drops this account's uploads: the next person at the counter starts clean.
export function forgetUploads() {
  for (const u of uploads) u.req?.abort();
  uploads.length = 0;
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

// pumpQueue starts waiting uploads of list, oldest first (lists are newest-first for display),
// until PARALLEL_UPLOADS run.
function pumpQueue(list, send) {
  let running = list.filter((u) => u.state === 'sending' || u.state === 'checking').length;
  for (let i = list.length - 1; i >= 0 && running < PARALLEL_UPLOADS; i--) {
    if (list[i].state === 'waiting') { send(list[i]); running++; }
  }
}

// startUpload sends u's file to url, painting its row as the bytes go out.
function startUpload(u, url, paint) {
  u.state = 'sending';
  paint(u);
  u.req = sendFile(url, u.file, (loaded, total) => {
    if (loaded < 0) u.state = 'checking'; else { u.loaded = loaded; u.total = total; }
    paint(u);
  });
  return u.req;
}

const pumpUploads = () => pumpQueue(uploads, sendUpload);

async function sendUpload(u) {
  startUpload(u, '/api/v1/documents', paintUpload);
  try {
    const { status, body } = await u.req;
    u.doc = body;
    u.created = status === 201;
    u.state = 'done';
    announce(`${u.file.name}: ${u.created ? 'đã tiếp nhận' : 'tệp này đã được tải lên trước đó'}.`);
  } catch (e) {
    if (isAbort(e)) return;
    u.state = 'error';
    u.error = e.message;
    announce(`${u.file.name}: lỗi. ${u.error}`);
  }
  paintUpload(u);
  pumpUploads();
  notifyUploads(true);
}

function uploadStatus(u, doneText) {
  const pct = u.total ? Math.floor((u.loaded / u.total) * 100) : 0;
  switch (u.state) {
    case 'waiting': return h('span', { class: 'up__msg muted' }, 'Đang chờ gửi…');
    case 'sending': return [
      h('progress', { max: 100, value: pct, 'aria-label': `Tiến độ tải lên ${u.file.name}` }),
      h('span', { class: 'up__msg' }, `Đang tải lên… ${pct}%`)];
    case 'checking': return [
      h('progress', { 'aria-label': `Đang kiểm tra ${u.file.name}` }),
      h('span', { class: 'up__msg' }, 'Đã gửi xong, máy chủ đang kiểm tra tệp…')];
    case 'done': return h('span', { class: 'up__msg' }, doneText());
    default: return h('span', { class: 'up__msg up__msg--error' }, u.error);
  }
}

function paintRow(u, doneText) {
  u.el.className = `up up--${u.state}`;
  u.el.replaceChildren(
    h('span', { class: 'up__file' }, h('span', { class: 'up__name' }, u.file.name), h('span', { class: 'up__size muted' }, fmtSize(u.file.size))),
    h('span', { class: 'up__status' }, uploadStatus(u, doneText)));
}

// paintUpload updates one upload's row in place: progress events come many times a second.
function paintUpload(u) {
  paintRow(u, () => [u.created ? 'Đã tiếp nhận. ' : 'Tệp này đã được tải lên trước đó. ',
    h('a', { href: docHref(u.doc.id) }, u.doc.code ? `Xem hồ sơ ${u.doc.code}` : 'Xem hồ sơ')]);
}

// ---------------------------------------------------------------------------------------------
// Tiếp nhận: upload, then follow the recent documents.

export function intakeView(root, _arg, params) {
  document.title = 'Tiếp nhận — Số hóa hồ sơ';
  const ctl = new AbortController();
  const { signal } = ctl;
  let page = pageParam(params);
  let status = STATUS[params.get('trang-thai')] ? params.get('trang-thai') : '';
  let lastBody = '';

  const { drop } = dropZone('files', 'Kéo và thả tệp quét vào đây', 'Nhận ảnh JPEG, PNG, TIFF và tệp PDF; có thể chọn nhiều tệp cùng lúc.', addUploads);
  drop.classList.remove('drop--compact');
  const upList = h('ul', { class: 'uploads', 'aria-label': 'Tệp đang và đã tải lên' });
  const clearBtn = h('button', { type: 'button', class: 'btn btn--ghost btn--small', 'data-key': 'clear' }, 'Xóa các tệp đã xong khỏi danh sách');
  clearBtn.addEventListener('click', () => {
    for (let i = uploads.length - 1; i >= 0; i--) if (uploads[i].state === 'done' || uploads[i].state === 'error') uploads.splice(i, 1);
    paintUploads();
    document.getElementById('files')?.focus();
  });
  const paintUploads = () => {
    upList.replaceChildren(...uploads.map((u) => u.el));
    upList.hidden = uploads.length === 0;
    clearBtn.hidden = !uploads.some((u) => u.state === 'done' || u.state === 'error');
  };
  paintUploads();

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
    const moving = data.documents.some((d) => ACTIVE.has(d.status)) || uploadsBusy();
    updated.textContent = `Cập nhật lúc ${fmtClock()}. ${moving
      ? 'Đang có hồ sơ được xử lý: tự làm mới mỗi 2 giây.'
      : 'Tự làm mới mỗi 15 giây.'}`;
    return moving ? FAST : SLOW;
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
    out.push(retryButton(d, 'btn btn--small btn--warn', `retry:${d.id}`, msg, `“${d.filename}”`, () => refresh()));
    return out.some(Boolean) ? out : h('span', { class: 'muted' }, '—');
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

// ---------------------------------------------------------------------------------------------
// Hồ sơ TTHC: open a dossier for a citizen or a business.

const RECENT_MAX = 8;
// Each account has its own list: a counter machine is shared, and one clerk's dossiers are no
// business of the next one's. It only offers links; nothing in it is ever sent as who acted.
const recentKey = () => `sohoa.recentDossiers.${state.me?.name ?? ''}`;

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

// procedurePicker makes the procedure code field a combobox over GET /api/v1/procedures?q= (by code
// or name, with or without diacritics): choosing fills the code and the name. Without the
// catalogue (an older server) the fields are typed by hand.
function procedurePicker(codeField, nameField, signal) {
  const input = codeField.input;
  const list = h('ul', { id: 'procedure-list', class: 'combo__list', role: 'listbox', 'aria-label': 'Thủ tục tìm thấy', hidden: true });
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', 'procedure-list');
  codeField.box.classList.add('combo');
  codeField.box.insertBefore(list, codeField.err);
  let items = [], active = -1, timer = 0, ctl = null, catalogue = true;

  const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
  const paint = () => {
    list.replaceChildren(...items.map((p, i) => {
      const li = h('li', { id: `proc-${i}`, role: 'option', class: 'combo__opt', 'aria-selected': i === active ? 'true' : 'false' },
        h('span', { class: 'mono' }, p.code), ' — ', p.name);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); choose(i); });
      return li;
    }));
    list.hidden = items.length === 0;
    input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
    if (active >= 0) input.setAttribute('aria-activedescendant', `proc-${active}`); else input.removeAttribute('aria-activedescendant');
  };
  const choose = (i) => {
    const p = items[i];
    if (!p) return;
    input.value = p.code;
    nameField.input.value = p.name;
    codeField.setError('');
    close();
    announce(`Đã chọn thủ tục ${p.code}: ${p.name}.`);
  };
  const search = async () => {
    const q = input.value.trim();
    if (!catalogue || q.length < 2) { items = []; close(); return; }
    ctl?.abort();
    ctl = new AbortController();
    try {
      const data = await api(`/api/v1/procedures?${new URLSearchParams({ q })}`, { signal: AbortSignal.any([signal, ctl.signal]) });
      items = (data?.procedures ?? []).slice(0, 8);
      active = -1;
      paint();
    } catch (e) {
      if (isAbort(e)) return;
      if (e.status === 404 || e.status === 405) catalogue = false; // no catalogue on this server
      items = [];
      close();
    }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 200); });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); active = (active + 1) % items.length; paint(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); active = (active - 1 + items.length) % items.length; paint(); }
    else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); choose(active); }
    else if (e.key === 'Escape') { e.preventDefault(); close(); }
  });
  input.addEventListener('blur', () => setTimeout(close, 100));
}

export function dossierFormView(root) {
  document.title = 'Hồ sơ TTHC — Số hóa hồ sơ';
  const ctl = new AbortController();
  const f = {
    owner_id: formField('owner_id', 'Số định danh cá nhân hoặc mã số thuế', {
      required: true, inputmode: 'numeric', maxlength: 20, class: 'mono', spellcheck: 'false',
      hint: 'Công dân: số định danh cá nhân (CCCD) 12 chữ số. Doanh nghiệp: mã số thuế 10 chữ số, hoặc NNNNNNNNNN-NNN với đơn vị phụ thuộc.',
    }),
    owner_name: formField('owner_name', 'Họ tên công dân hoặc tên tổ chức'),
    procedure_code: formField('procedure_code', 'Thủ tục hành chính', {
      required: true, class: 'mono', spellcheck: 'false',
      hint: 'Gõ mã (ví dụ 1.001193) hoặc tên thủ tục để tìm trong danh mục; dùng phím mũi tên để chọn, Enter để lấy.',
    }),
    procedure_name: formField('procedure_name', 'Tên thủ tục'),
    due_at: formField('due_at', 'Ngày hẹn trả kết quả', { type: 'date', hint: 'In trên giấy tiếp nhận.' }),
  };
  const ownerOk = h('p', { id: 'owner_id-ok', class: 'field__ok small', 'aria-live': 'polite' });
  f.owner_id.box.insertBefore(ownerOk, f.owner_id.err);
  f.owner_id.err.setAttribute('aria-live', 'polite');
  const check = (partial) => {
    const r = checkOwner(f.owner_id.input.value, { partial });
    f.owner_id.setError(r.ok ? '' : r.message);
    ownerOk.textContent = r.ok ? `✓ ${r.message}` : '';
    return r.ok;
  };
  f.owner_id.input.addEventListener('input', () => check(true));
  f.owner_id.input.addEventListener('blur', () => { if (f.owner_id.input.value.trim()) check(false); });
  procedurePicker(f.procedure_code, f.procedure_name, ctl.signal);

  const formErr = h('div', { class: 'msg', tabindex: -1 });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Tiếp nhận hồ sơ');
  const form = h('form', { class: 'form form--two', novalidate: true },
    h('fieldset', { class: 'form__group' }, h('legend', {}, 'Chủ hồ sơ'), f.owner_id.box, f.owner_name.box),
    h('fieldset', { class: 'form__group' }, h('legend', {}, 'Thủ tục'), f.procedure_code.box, f.procedure_name.box, f.due_at.box),
    // The receiving clerk is the signed-in account: the server records it, nobody types it.
    h('p', { class: 'muted small form__wide' }, 'Cán bộ tiếp nhận: ', h('strong', {}, state.me.name), ` (${state.me.role_label || state.me.role}).`),
    h('div', { class: 'form__wide' }, formErr, h('div', { class: 'button-row' }, submit)));

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
    for (const x of Object.values(f)) x.setError('');
    formErr.replaceChildren();
    const body = Object.fromEntries(Object.entries(f).map(([k, x]) => [k, x.input.value.trim()]));
    if (!body.due_at) delete body.due_at;
    const missing = [];
    if (!check(false)) missing.push(f.owner_id);
    if (!body.procedure_code) { f.procedure_code.setError('Chọn hoặc nhập mã thủ tục hành chính.'); missing.push(f.procedure_code); }
    if (missing.length) { missing[0].input.focus(); return; }
    const restore = busy(submit, 'Đang tiếp nhận…');
    if (!restore) return;
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
      else if (err.message.includes('due_at')) target = f.due_at;
      if (target) {
        ownerOk.textContent = '';
        target.setError(err.message);
        target.input.focus();
      } else {
        swap(formErr, notice('error', `Không tiếp nhận được hồ sơ: ${err.message}`));
        formErr.focus();
      }
      restore();
    }
  });
  f.owner_id.input.focus();
  return { unmount() { ctl.abort(); } };
}

// ---------------------------------------------------------------------------------------------
// A dossier at the counter.

const ev = (e, k) => e[k] ?? e[k.toLowerCase()] ?? e[k.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()];

// progress shows how far a paper is: the six stages as steps, in the pipeline's order (its badge names
// the stage it is at), and its pages read by the OCR stage against its pages (pages_read, in a
// document's own answer: the view follows each moving paper by that answer, so the bar moves without
// a reload).
function progress(doc) {
  const byName = new Map((doc.stages ?? []).map((s) => [s.name, s]));
  const cur = STAGE_ORDER[doc.stage] ?? 0;
  let done = 0;
  const STATE_WORDS = { done: 'xong', running: 'đang chạy', failed: 'lỗi', waiting: 'đang chờ', pending: 'chưa chạy' };
  const steps = STAGES.map(([name, label], i) => {
    const s = byName.get(name);
    let st = 'pending';
    if (doc.status === 'done' || s?.status === 'done' || i < cur) st = 'done';
    else if (s?.status === 'running') st = 'running';
    else if (doc.status === 'failed' && i === cur) st = 'failed';
    else if (i === cur && ACTIVE.has(doc.status)) st = 'waiting';
    if (st === 'done') done++;
    return h('li', { class: `step step--${st}`, title: `${label}: ${STATE_WORDS[st]}` }, h('span', { class: 'visually-hidden' }, `${label}: ${STATE_WORDS[st]}`));
  });
  const review = doc.review?.length ? h('span', { class: 'badge badge--review' }, `Cần kiểm tra trang ${doc.review.join(', ')}`) : null;
  if (doc.status === 'split') return h('span', { class: 'muted small' }, `Đã tách thành ${num.format(doc.parts?.length ?? 0)} giấy tờ`);
  // A listing has no pages_read: a paper past the OCR stage has read them all.
  const pastOCR = doc.status === 'done' || cur > STAGE_ORDER.ocr;
  const read = doc.pages_read ?? (pastOCR ? doc.pages : 0);
  const moving = ACTIVE.has(doc.status);
  const pages = doc.pages > 0 ? h('span', { class: 'prog__pages' },
    moving && !pastOCR ? h('progress', { max: doc.pages, value: read, 'aria-label': `Số trang đã đọc của ${doc.filename || 'giấy tờ'}` }) : null,
    `${num.format(read)}/${num.format(doc.pages)} trang đã đọc`) : null;
  return h('div', { class: 'prog', 'data-pages': doc.pages, 'data-pages-read': read, 'data-stage': doc.stage },
    h('ol', { class: 'steps', 'aria-label': `Tiến độ: ${done}/${STAGES.length} bước` }, steps),
    h('span', { class: 'small muted' }, `${done}/${STAGES.length} bước`),
    pages, review);
}

// reuseReason says why a paper from the store can stand in for a new one (the once-only principle).
function reuseReason(p) {
  const why = [];
  why.push(p.signed ? 'đã số hóa và ký số' : 'đã số hóa');
  why.push(p.valid_until ? `còn hiệu lực đến ${fmtDate(p.valid_until)}` : 'không có thời hạn hiệu lực');
  if (p.dossiers?.length) why.push(`đã nộp trong hồ sơ ${p.dossiers.join(', ')}`);
  return `Dùng lại được vì giấy tờ ${why.join(', ')}; chủ hồ sơ không phải nộp lại bản giấy.`;
}

export function dossierView(root, id) {
  document.title = 'Hồ sơ TTHC — Số hóa hồ sơ';
  const ctl = new AbortController();
  const { signal } = ctl;
  let dossier = null, lastBody = '', papersKey = null;
  let stale = true; // the dossier itself must be read again: at first, and after this view changed it
  const local = []; // this view's uploads
  let seq = 0;

  const kicker = h('p', { class: 'kicker' }, 'Mã hồ sơ');
  const heading = h('h1', { class: 'dcode mono', tabindex: -1 }, '…');
  const loadErr = h('div', { class: 'msg' });
  const summary = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  // An archivist reads a dossier; only the counter adds papers to it and looks in the owner's store.
  const counter = may('counter');

  const docsBox = h('div', { class: 'table-wrap' });
  const docsMsg = h('div', { class: 'msg' });
  const upMsg = h('div', { class: 'msg' });
  const upList = h('ul', { class: 'uploads', 'aria-label': 'Tệp đang và đã gửi vào hồ sơ', hidden: true });
  const { drop } = dropZone('d-files', 'Kéo và thả giấy tờ đã quét vào đây',
    'Mỗi tệp là một thành phần hồ sơ. Nhận JPEG, PNG, TIFF và PDF. Tệp từ máy quét của quầy hiện ở đây khi đến.', queue);

  const papersMsg = h('div', { class: 'msg' });
  const papersBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  const papersRefresh = h('button', { type: 'button', class: 'btn btn--ghost btn--small', 'data-key': 'papers-refresh' }, 'Làm mới');
  papersRefresh.addEventListener('click', () => loadPapers(true));
  const historyBox = h('div');
  const updated = h('p', { class: 'muted small' });

  root.append(...[
    h('p', { class: 'back' }, h('a', { href: counter ? '#/ho-so-tthc' : state.backHref }, counter ? '← Tiếp nhận hồ sơ TTHC' : '← Quay lại')),
    h('div', { class: 'dhead' }, h('div', {}, kicker, heading)),
    loadErr,
    h('section', { class: 'card', 'aria-labelledby': 'd-info-h' }, h('h2', { id: 'd-info-h', class: 'visually-hidden' }, 'Thông tin hồ sơ'), summary),
    h('div', { class: counter ? 'cols' : '' },
      counter ? h('section', { class: 'card', 'aria-labelledby': 'd-store-h' },
        h('div', { class: 'section-head' }, h('h2', { id: 'd-store-h' }, 'Giấy tờ còn hiệu lực trong kho'), papersRefresh),
        h('p', { class: 'muted small' }, 'Giấy tờ đã số hóa, còn hiệu lực và được phép dùng lại của chủ hồ sơ: không cần yêu cầu nộp lại. Mỗi lần xem được ghi nhật ký, với mã hồ sơ này làm mục đích.'),
        papersMsg, papersBox) : null,
      h('section', { class: 'card', 'aria-labelledby': 'd-docs-h' },
        h('h2', { id: 'd-docs-h' }, 'Thành phần hồ sơ'), docsMsg, docsBox,
        counter ? [h('h3', { class: 'subhead' }, 'Nộp thêm giấy tờ'), upMsg, drop, upList] : null)),
    h('section', { class: 'card', 'aria-labelledby': 'd-hist-h' }, h('h2', { id: 'd-hist-h' }, 'Lịch sử hồ sơ'), historyBox),
    updated].filter(Boolean));

  // Between its own changes, the view follows the statuses of the dossier's papers rather than
  // reading the dossier again: each read of a dossier is an event of the access trail, a status is
  // not. A paper another counter or the station attaches shows at the next read.
  async function withStatuses(d) {
    const docs = await Promise.all(d.documents.map((a) => (!ACTIVE.has(a.document.status) ? a.document
      : api(`/api/v1/documents/${enc(a.document.id)}`, { signal }).catch((e) => {
        if (isAbort(e) || e.status === 401) throw e;
        return a.document; // try again at the next tick
      }))));
    return { ...d, documents: d.documents.map((a, i) => ({ ...a, document: docs[i] })) };
  }

  async function load() {
    let d;
    try {
      d = stale ? await api(`/api/v1/dossiers/${enc(id)}`, { signal }) : await withStatuses(dossier);
      stale = false;
    } catch (e) {
      if (isAbort(e)) return 0;
      if (e.status === 404) { kicker.textContent = ''; heading.classList.remove('dcode', 'mono'); }
      return loadFailed(e, root, heading, loadErr);
    }
    loadErr.replaceChildren();
    const body = JSON.stringify(d);
    if (body !== lastBody) {
      lastBody = body;
      const first = !dossier;
      dossier = d;
      if (first) rememberDossier(d);
      state.workingDossier = { id: d.id, code: d.code };
      render(d);
    }
    // The store's answer changes when a paper is attached (it shows as here).
    const key = d.documents.map((a) => a.document.id).join(',');
    if (counter && key !== papersKey) { papersKey = key; loadPapers(false); }
    const moving = d.documents.some((a) => ACTIVE.has(a.document.status)) || local.some((u) => u.state === 'sending' || u.state === 'checking' || u.state === 'waiting');
    updated.textContent = `Cập nhật lúc ${fmtClock()}. ${moving ? 'Có giấy tờ đang được xử lý: tự làm mới mỗi 2 giây.' : 'Các giấy tờ đã xử lý xong.'}`;
    return moving ? FAST : 0; // nothing left to follow; a new upload or reuse starts again
  }

  function sheet(path, key, text, title) {
    return h('a', { class: key === 'receipt' ? 'btn btn--primary' : 'btn', href: `/api/v1/dossiers/${enc(id)}/${path}`, target: '_blank', rel: 'noopener', 'data-key': key, title },
      text, h('span', { class: 'visually-hidden' }, ' (mở tệp PDF trong thẻ mới)'));
  }

  function render(d) {
    document.title = `${d.code} — Hồ sơ TTHC — Số hóa hồ sơ`;
    heading.textContent = d.code;
    const field = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
    const owner = d.owner || {};
    swap(summary,
      h('dl', { class: 'fields fields--wide' },
        field('Chủ hồ sơ', owner.name ? h('strong', {}, owner.name) : h('span', { class: 'muted' }, 'Chưa ghi tên'),
          ' · ', h('span', { class: 'mono' }, owner.id), owner.kind ? h('span', { class: 'muted' }, ` (${OWNER_KIND[owner.kind] ?? owner.kind})`) : null),
        field('Thủ tục', h('span', { class: 'mono' }, d.procedure_code), d.procedure_name ? ` — ${d.procedure_name}` : null),
        field('Tiếp nhận lúc', h('time', { datetime: d.received_at }, fmtTime(d.received_at))),
        field('Hẹn trả', d.due_at ? fmtDate(d.due_at) : h('span', { class: 'muted' }, 'Chưa hẹn')),
        field('Cán bộ tiếp nhận', d.staff || h('span', { class: 'muted' }, 'Không ghi')),
        field('Cơ quan tiếp nhận', d.agency_name || '—', d.agency ? h('span', { class: 'muted' }, ` (${d.agency})`) : null)),
      counter ? h('div', { class: 'button-row' },
        sheet('receipt', 'receipt', 'In giấy tiếp nhận', 'Giấy tiếp nhận và hẹn trả kết quả, có mã QR'),
        sheet('cover', 'cover', 'In phiếu bìa', 'Đặt lên trên cùng xấp giấy tờ khi quét cả hồ sơ một lần'),
        sheet('separator', 'separator', 'In tờ phân cách', 'Đặt giữa hai giấy tờ khi quét; tờ này không được lưu vào hồ sơ')) : null);
    renderDocs(d);
    renderHistory(d);
  }

  function renderDocs(d) {
    if (!d.documents.length) {
      swap(docsBox, notice('empty', 'Hồ sơ chưa có giấy tờ nào. Gửi tệp quét ở phần dưới, hoặc dùng lại giấy tờ đã có trong kho.'));
      return;
    }
    swap(docsBox, h('table', { class: 'docs dossier-docs' },
      h('caption', { class: 'visually-hidden' }, `Thành phần hồ sơ: ${num.format(d.documents.length)} giấy tờ.`),
      h('thead', {}, h('tr', {}, ['Giấy tờ', 'Trạng thái và tiến độ', 'Nguồn'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, d.documents.map((a) => {
        const doc = a.document;
        return h('tr', { 'data-doc': doc.id, 'data-status': doc.status },
          h('td', { 'data-label': 'Giấy tờ', class: 'docs__name' },
            h('a', { href: docHref(doc.id), 'data-key': `doc:${doc.id}` }, doc.title || doc.filename || '(không tên)'),
            h('span', { class: 'docs__title' }, h('span', { class: 'mono' }, a.component_code), doc.filename ? ` · ${doc.filename}` : ''),
            doc.status === 'failed' && doc.error ? h('span', { class: 'docs__error' }, doc.error) : null),
          h('td', { 'data-label': 'Trạng thái và tiến độ' }, badge(doc), progress(doc),
            counter ? retryButton(doc, 'btn btn--small btn--warn', `retry:${doc.id}`, docsMsg, `“${doc.filename}”`, () => { stale = true; refresh(); }) : null),
          h('td', { 'data-label': 'Nguồn' },
            a.reused ? h('span', { class: 'badge badge--reused' }, 'Lấy từ kho') : h('span', { class: 'muted' }, 'Nộp tại quầy'),
            a.role === 'result' ? [' ', h('span', { class: 'badge badge--result' }, 'Kết quả')] : null));
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

  // --- the owner's papers in the store, once the dossier is open
  let papersCtl = null;
  async function loadPapers(byHand) {
    if (!dossier) return;
    papersCtl?.abort();
    papersCtl = new AbortController();
    const s = AbortSignal.any([signal, papersCtl.signal]);
    if (byHand) papersBox.setAttribute('aria-busy', 'true');
    let data;
    try {
      // The purpose logged with the look (Nghị định 13/2023/NĐ-CP) is the dossier being received.
      data = await api(`/api/v1/owners/${enc(dossier.owner.id)}/documents?${new URLSearchParams({ valid: 'true', purpose: dossier.code })}`, { signal: s });
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
      const title = p.title || p.kind || p.filename || '(không tên)';
      let act;
      if (here.has(p.id)) {
        act = h('span', { class: 'badge badge--done' }, 'Đã có trong hồ sơ này');
      } else {
        act = h('button', { type: 'button', class: 'btn btn--small btn--primary', 'data-key': `reuse:${p.id}`, 'aria-describedby': `why-${p.id}` },
          'Dùng lại', h('span', { class: 'visually-hidden' }, ` ${title}`));
        act.addEventListener('click', () => reuse(p, title, act, err));
      }
      const field = (label, value) => (value ? h('div', {}, h('dt', {}, label), h('dd', {}, value)) : null);
      return h('li', { class: 'paper', 'data-doc': p.id },
        h('div', { class: 'paper__main' },
          h('p', { class: 'paper__title' }, h('a', { href: docHref(p.id) }, title),
            h('span', { class: 'paper__id muted' }, ' · ', p.code ? h('span', { class: 'mono' }, p.code) : null, p.code && p.filename ? ' · ' : null, p.filename || null)),
          h('dl', { class: 'paper__fields' },
            field('Loại', p.kind || h('span', { class: 'muted' }, 'chưa xác nhận')),
            field('Số, ký hiệu', p.notation ? h('span', { class: 'mono' }, p.notation) : null),
            field('Ngày ban hành', p.issued_on ? fmtDate(p.issued_on) : null),
            field('Hiệu lực đến', p.valid_until ? fmtDate(p.valid_until) : h('span', { class: 'muted' }, 'không thời hạn'))),
          h('p', { id: `why-${p.id}`, class: 'paper__why small' }, reuseReason(p)),
          err),
        h('div', { class: 'paper__act' }, act));
    })));
  }

  async function reuse(p, title, btn, err) {
    const restore = busy(btn, 'Đang thêm…');
    if (!restore) return;
    err.textContent = '';
    papersMsg.replaceChildren();
    try {
      const a = await api(`/api/v1/dossiers/${enc(id)}/reuse`, { method: 'POST', json: { document_id: p.id }, signal });
      focusNotice(papersMsg, 'ok', `Đã dùng lại “${title}” làm thành phần ${a.component_code}. ${reuseReason(p)}`);
      stale = true;
      refresh();
    } catch (e) {
      if (isAbort(e)) return;
      err.textContent = e.message;
      restore();
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
  const pump = () => pumpQueue(local, send);
  async function send(u) {
    startUpload(u, `/api/v1/dossiers/${enc(id)}/documents`, paint);
    try {
      u.att = (await u.req).body;
      u.state = 'done';
      announce(`${u.file.name}: đã thêm vào hồ sơ.`);
    } catch (e) {
      if (isAbort(e)) return;
      u.state = 'error';
      u.error = e.message;
      announce(`${u.file.name}: lỗi. ${e.message}`);
    }
    paint(u);
    pump();
    if (!signal.aborted) { stale = true; refresh(); }
  }
  const paint = (u) => paintRow(u, () => ['Đã thêm vào hồ sơ: ', h('span', { class: 'mono' }, u.att?.component_code ?? '')]);

  const refresh = poll(load, signal);
  // Uploads started here go on when the clerk looks at a paper meanwhile: the server attaches them.
  return { unmount() { ctl.abort(); papersCtl?.abort(); } };
}
