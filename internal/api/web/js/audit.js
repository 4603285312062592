// Nhật ký truy cập: the access trail (GET /api/v1/audit), for auditors and administrators, with its
// filters, pages and CSV export.

import { api, isAbort } from './api.js';
import { ACTION_WORDS } from './names.js';
import { may } from './session.js';
import { PAGE, docHref, dossierHref, fmtTime, formField, h, notice, num, pageParam, pagedUpdate, pager, swap } from './ui.js';

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

export function auditView(root, _arg, params) {
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
      may('list') ? [' ', h('a', { href: docHref(e.document_id), class: 'small', 'aria-label': `Mở tài liệu ${e.document_id}` }, 'mở')] : null));
  }
  if (e.owner_id) {
    what.push(h('span', { class: 'audit__obj' }, 'Chủ hồ sơ ',
      narrow('chu-ho-so', e.owner_id, h('span', { class: 'mono' }, e.owner_id), `Lọc theo chủ hồ sơ ${e.owner_id}`)));
  }
  if (e.dossier_id) {
    const short = h('span', { class: 'mono' }, e.dossier_id.slice(0, 8));
    what.push(h('span', { class: 'audit__obj' }, 'Hồ sơ TTHC ', may('read') ? h('a', { href: dossierHref(e.dossier_id), 'aria-label': `Mở hồ sơ TTHC ${e.dossier_id}` }, short) : short));
  }
  const words = ACTION_WORDS[e.action];
  return h('tr', { 'data-action': e.action },
    h('td', { 'data-label': 'Thời điểm', class: 'nowrap' }, h('time', { datetime: e.at }, fmtTime(e.at))),
    h('td', { 'data-label': 'Tài khoản' }, e.account ? narrow('tai-khoan', e.account, e.account, `Lọc theo tài khoản ${e.account}`) : '—'),
    h('td', { 'data-label': 'Hoạt động' }, words ?? h('span', { class: 'mono' }, e.action),
      words ? h('span', { class: 'audit__code mono' }, e.action) : null),
    h('td', { 'data-label': 'Đối tượng' }, what.length ? what : h('span', { class: 'muted' }, '—')),
    h('td', { 'data-label': 'Nội dung tra cứu' }, e.query ? h('q', {}, e.query) : h('span', { class: 'muted' }, '—')),
    h('td', { 'data-label': 'Máy trạm' }, e.client ? h('span', { class: 'mono' }, e.client) : h('span', { class: 'muted' }, '—')));
}
