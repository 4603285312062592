// Tra cứu: the archive. Search with filters (kind, agency, dates, owner) and snippets
// (#/tra-cuu?…), and a document (#/ho-so/<id>): its pages as thumbnails beside their OCR text, pages
// flagged for review, a page enlarged with zoom, the signature report, the stages it went through, its
// history, and its fields to confirm (the thumbnails, the enlarged page and the history: document.js).
// Opening a document never looks at its owner's other papers: that look (owner.viewed) belongs to
// the counter, with a dossier as its purpose.

import { api, enc, isAbort, reviewPage } from './api.js';
import { ACTIVE, STAGES, STAGE_NAME, STAGE_ORDER } from './names.js';
import { may, state } from './session.js';
import {
  FAST, PAGE, RETRY, SLOW, badge, busy, cached, fileHref, fmtClock, fmtDate, fmtSeconds, fmtSize, fmtSource, fmtTime,
  announce, focusNotice, loadFailed, formField, h, notice, num, pageParam, pagedUpdate, pager, poll, retryButton, swap, docHref,
} from './ui.js';
import { timeline as historyTimeline, openViewer, pageURL, thumbList, waiting } from './document.js';

export const agencies = cached('/api/v1/agencies');

// ---------------------------------------------------------------------------------------------
// Search

// Search snippets mark matches «like this». Only a complete «…» pair becomes a <mark>; a stray
// guillemet in the OCR text stays text. Marks separated only by spaces («khai» «sinh») are joined.
function snippetNodes(s) {
  const text = s.replace(/\s*\n\s*/g, '\n').replace(/ \.\.\. /g, ' … ');
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

// The filters: [hash parameter, API parameter, label, field attributes].
const FILTERS = [
  ['loai', 'kind', 'Loại giấy tờ', { list: 'kinds', placeholder: 'ví dụ: Giấy khai sinh' }],
  ['co-quan', 'agency', 'Cơ quan', { tag: 'select' }],
  ['tu', 'from', 'Từ ngày', { type: 'date' }],
  ['den', 'to', 'Đến ngày', { type: 'date' }],
  ['chu', 'owner', 'Chủ hồ sơ (CCCD, mã số thuế)', { class: 'mono', inputmode: 'numeric', spellcheck: 'false' }],
];
const KINDS = ['Giấy khai sinh', 'Giấy chứng nhận kết hôn', 'Trích lục khai tử', 'Giấy chứng nhận quyền sử dụng đất',
  'Giấy phép xây dựng', 'Giấy chứng nhận đăng ký doanh nghiệp', 'Kế hoạch', 'Quyết định', 'Công văn'];

// The facets of the answer, in the order shown: [API facet, hash parameter it sets, heading]. A
// month sets two, tu and den.
const FACETS = [
  ['kind', 'loai', 'Loại giấy tờ'],
  ['agency', 'co-quan', 'Cơ quan'],
  ['month', null, 'Thời gian'],
  ['owner', 'chu', 'Chủ hồ sơ'],
];
// The API pages no further than this offset; an estimated total may be far larger.
const MAX_OFFSET = 10000;

// A month facet (YYYY-MM) narrows to its first and last days.
function monthRange(ym) {
  const [y, m] = ym.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { tu: `${ym}-01`, den: `${ym}-${String(last).padStart(2, '0')}` };
}

function monthLabel(ym) {
  const [y, m] = ym.split('-').map(Number);
  return `Tháng ${m}/${y}`;
}

// facetsBox shows the answer's facets as links that narrow the search v, and the filters set as
// links that lift them. A month is set when tu and den are its first and last days.
function facetsBox(facets, v, agencyName) {
  const groups = FACETS.map(([name, key, heading]) => {
    const values = facets?.[name] ?? [];
    const label = (f) => (name === 'month' ? monthLabel(f.value)
      : name === 'agency' ? (f.name || agencyName(f.value) || f.value) : f.value);
    const narrowed = (f) => (name === 'month' ? { ...v, ...monthRange(f.value) } : { ...v, [key]: f.value });
    const set = name === 'month'
      ? values.length === 1 && v.tu === monthRange(values[0].value).tu && v.den === monthRange(values[0].value).den
      : Boolean(v[key]);
    const lift = name === 'month' ? { ...v, tu: '', den: '' } : { ...v, [key]: '' };
    let items;
    if (set) {
      const f = values[0] ?? { value: v[key], count: 0 };
      items = [h('li', { class: 'facet facet--set' },
        h('span', {}, h('span', { 'aria-hidden': 'true' }, '✓ '), label(f), ' ', h('span', { class: 'facet__n' }, num.format(f.count))),
        ' ', h('a', { href: searchHash(lift, 1), 'data-key': `lift-${key ?? 'thang'}` }, h('span', {}, 'Bỏ lọc'),
          h('span', { class: 'visually-hidden' }, ` ${heading.toLowerCase()}`)))];
    } else if (values.length === 0) {
      return null;
    } else {
      items = values.map((f) => h('li', { class: 'facet' },
        h('a', { href: searchHash(narrowed(f), 1), 'data-facet': name, class: name === 'owner' ? 'mono' : null },
          label(f), ' ', h('span', { class: 'facet__n' }, h('span', { class: 'visually-hidden' }, ': '), num.format(f.count)))));
    }
    return h('section', { class: 'facets__group', 'aria-labelledby': `facet-${name}` },
      h('h3', { id: `facet-${name}`, class: 'facets__h' }, heading),
      h('ul', { class: 'facets__list' }, items));
  }).filter(Boolean);
  if (groups.length === 0) return null;
  return h('nav', { class: 'facets', 'aria-label': 'Thu hẹp kết quả' },
    h('h2', { class: 'facets__title' }, 'Thu hẹp kết quả'),
    facets.sampled
      ? h('p', { class: 'muted small' }, `Số lượng đếm trên ${num.format(facets.counted)} kết quả, không phải tất cả.`)
      : null,
    groups);
}

// found is how many the answer says it found: an estimate is "khoảng".
function found(data) {
  return `${data.total_estimated ? 'khoảng ' : ''}${num.format(data.total)}`;
}

export function searchHash(values, page = 1) {
  const p = new URLSearchParams();
  if (values.q) p.set('q', values.q);
  for (const [key] of FILTERS) if (values[key]) p.set(key, values[key]);
  if (page > 1) p.set('trang', page);
  return `#/tra-cuu?${p}`;
}

export function searchView(root, _arg, params) {
  document.title = 'Tra cứu — Số hóa hồ sơ';
  let ctl = null; // the search in flight, aborted when a newer one starts
  const life = new AbortController();

  const input = h('input', { type: 'search', id: 'q', name: 'q', autocomplete: 'off', 'aria-describedby': 'q-hint', enterkeyhint: 'search' });
  const inputs = {};
  const filters = FILTERS.map(([key, , label, attrs]) => {
    const f = formField(`s-${key}`, label, attrs);
    inputs[key] = f.input;
    return f.box;
  });
  const agencySel = inputs['co-quan'];
  agencySel.append(h('option', { value: '' }, 'Mọi cơ quan được xem'));
  const agencyNames = new Map();
  agencies(life.signal).then((data) => {
    for (const a of data?.agencies ?? []) {
      agencySel.append(h('option', { value: a.id }, `${a.name} (${a.id})`));
      agencyNames.set(a.id, a.name);
    }
    agencySel.value = params.get('co-quan') ?? '';
  }).catch(() => {});
  const form = h('form', { class: 'search', role: 'search', 'aria-label': 'Tra cứu hồ sơ' },
    h('label', { for: 'q' }, 'Từ cần tìm'),
    h('div', { class: 'search__row' }, input, h('button', { type: 'submit', class: 'btn btn--primary' }, 'Tìm kiếm')),
    h('p', { id: 'q-hint', class: 'muted small' },
      'Gõ có dấu hay không dấu đều được; kết quả đúng dấu hiện trước. Đặt cụm từ trong ngoặc kép để tìm đúng cụm, ví dụ "giấy phép xây dựng"; thêm dấu trừ trước một từ để loại trừ, ví dụ -kinh.'),
    h('fieldset', { class: 'filters' }, h('legend', {}, 'Lọc kết quả'), filters),
    h('datalist', { id: 'kinds' }, KINDS.map((k) => h('option', { value: k }))));
  const status = h('p', { class: 'search__status', role: 'status', tabindex: -1 });
  const results = h('div', { class: 'results__hits' });
  const facetBox = h('div', { class: 'results__facets' });
  const pagerBox = h('div');

  const values = () => ({ q: input.value.trim(), ...Object.fromEntries(FILTERS.map(([key]) => [key, inputs[key].value.trim()])) });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = values();
    if (!v.q) {
      status.textContent = 'Nhập từ cần tìm.';
      results.replaceChildren();
      pagerBox.replaceChildren();
      input.focus();
      return;
    }
    const hash = searchHash(v, 1);
    if (location.hash === hash) run(new URLSearchParams(hash.split('?')[1])); // no hashchange: search again
    else location.hash = hash;
  });

  root.append(
    h('h1', { tabindex: -1 }, 'Tra cứu hồ sơ'),
    h('section', { class: 'card' }, form),
    h('section', { class: 'card', 'aria-labelledby': 'hits-h' }, h('h2', { id: 'hits-h', class: 'visually-hidden' }, 'Kết quả tra cứu'), status,
      h('div', { class: 'results' }, facetBox, h('div', {}, results, pagerBox))));

  async function run(p) {
    ctl?.abort();
    ctl = new AbortController();
    const v = { q: (p.get('q') ?? '').trim() };
    input.value = v.q;
    const q = new URLSearchParams({ q: v.q });
    for (const [key, name] of FILTERS) {
      v[key] = (p.get(key) ?? '').trim();
      inputs[key].value = v[key];
      if (v[key]) q.set(name, v[key]);
    }
    if (!v.q) {
      status.textContent = 'Nhập từ cần tìm, ví dụ: khai sinh, giay phep xay dung, kế hoạch.';
      results.replaceChildren();
      facetBox.replaceChildren();
      pagerBox.replaceChildren();
      return;
    }
    const page = pageParam(p), offset = (page - 1) * PAGE;
    q.set('limit', PAGE);
    q.set('offset', offset);
    document.title = `${v.q} — Tra cứu — Số hóa hồ sơ`;
    status.textContent = 'Đang tìm…';
    results.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await api(`/api/v1/search?${q}`, { signal: ctl.signal });
    } catch (e) {
      if (isAbort(e)) return;
      status.textContent = '';
      results.removeAttribute('aria-busy');
      results.replaceChildren(notice('error', `Không tra cứu được: ${e.message}`));
      facetBox.replaceChildren();
      pagerBox.replaceChildren();
      return;
    }
    results.removeAttribute('aria-busy');
    const { total, hits } = data;
    swap(facetBox, total > 0 ? facetsBox(data.facets, v, (id) => agencyNames.get(id)) : null);
    if (total === 0) {
      status.textContent = '';
      results.replaceChildren(notice('empty', `Không tìm thấy hồ sơ nào chứa “${v.q}”${FILTERS.some(([k]) => v[k]) ? ' theo bộ lọc đã chọn' : ''}. Hãy bớt từ, bỏ bớt bộ lọc hoặc thử từ khác.`));
    } else if (hits.length === 0) {
      status.textContent = `Tìm thấy ${found(data)} hồ sơ.`;
      results.replaceChildren(notice('empty', 'Trang này không có kết quả. ', h('a', { href: searchHash(v, 1) }, 'Về trang đầu')));
    } else {
      status.textContent = hits.length < total
        ? `Tìm thấy ${found(data)} hồ sơ; đang xem ${num.format(offset + 1)}–${num.format(offset + hits.length)}.`
        : `Tìm thấy ${found(data)} hồ sơ.`;
      results.replaceChildren(h('ol', { class: 'hits', start: offset + 1 }, hits.map((hit) =>
        h('li', { class: 'hit' },
          h('h3', { class: 'hit__title' }, h('a', { href: docHref(hit.id) }, hit.title || '(Chưa có tiêu đề)')),
          h('p', { class: 'hit__code' }, 'Mã hồ sơ: ', hit.code ? h('span', { class: 'mono' }, hit.code) : h('span', { class: 'muted' }, 'chưa cấp')),
          hit.snippet ? h('p', { class: 'hit__snippet' }, snippetNodes(hit.snippet)) : null))));
    }
    swap(pagerBox, pager(Math.min(total, MAX_OFFSET), offset, (n) => searchHash(v, n), 'Phân trang kết quả tra cứu'));
  }

  run(params);
  if (!params.get('q')) input.focus();
  return { update: pagedUpdate(run, pagerBox, status), unmount() { ctl?.abort(); life.abort(); } };
}

// ---------------------------------------------------------------------------------------------
// A document

// stageList shows the six stages in order, whether they ran in this run, an earlier run, or not yet.
// The API lists only the current run's stages, so after a retry the earlier stages are absent.
export function stageList(doc) {
  const byName = new Map(doc.stages.map((s) => [s.name, s]));
  const cur = STAGE_ORDER[doc.stage] ?? 0;
  const total = doc.stages.reduce((t, s) => t + (s.seconds || 0), 0);
  const items = STAGES.map(([name, label], i) => {
    const s = byName.get(name);
    let st;
    const detail = [];
    if (s) {
      st = s.status;
      if (s.status === 'done') detail.push(`Xong trong ${fmtSeconds(s.seconds ?? 0)}`, `bắt đầu ${fmtClock(s.started_at)}`);
      else if (s.status === 'running') detail.push(`Đang chạy, bắt đầu ${fmtClock(s.started_at)}`);
      else detail.push(`Lỗi lúc ${fmtClock(s.finished_at || s.started_at)}`);
      if (s.attempts > 1) detail.push(`đã thử ${num.format(s.attempts)} lần`);
    } else if (doc.status === 'done' || i < cur) {
      st = 'done';
      detail.push('Đã xong ở lần chạy trước');
    } else if (i === cur && doc.status === 'failed') {
      st = 'failed';
      detail.push('Lỗi');
    } else if (i === cur && ACTIVE.has(doc.status)) {
      st = 'waiting';
      detail.push('Đang chờ đến lượt');
    } else {
      st = 'pending';
      detail.push('Chưa chạy');
    }
    const stateText = { done: 'hoàn tất', running: 'đang chạy', failed: 'lỗi', waiting: 'đang chờ', pending: 'chưa chạy' }[st];
    return h('li', { class: `stage stage--${st}`, 'data-stage': name },
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

function backLink() {
  const b = state.backHref;
  const text = b.startsWith('#/tra-cuu') ? '← Kết quả tra cứu'
    : b.startsWith('#/tthc/') ? '← Hồ sơ thủ tục hành chính'
      : b.startsWith('#/nhat-ky') ? '← Nhật ký truy cập' : '← Danh sách tiếp nhận';
  return h('p', { class: 'back' }, h('a', { href: b }, text));
}

export function documentView(root, id) {
  document.title = 'Hồ sơ — Số hóa hồ sơ';
  const ctl = new AbortController();
  const { signal } = ctl;
  let lastBody = '', textKey = null, metaKey = null, verKey = null, histKey = null;
  let pagesInfo = [], texts = [], selected = 1, current = null;

  const heading = h('h1', { tabindex: -1 }, 'Hồ sơ');
  const sub = h('p', { class: 'subtitle' });
  const msg = h('div', { class: 'msg' });
  const loadErr = h('div', { class: 'msg' });
  const summary = h('div');
  const timeline = h('div');
  // A scanner station follows the stages only: the record, the text and the file are for readers.
  const reader = may('read');
  const pagesBox = h('div', { class: 'pagelist' }, h('p', { class: 'muted' }, 'Đang tải…'));
  const textBox = h('div', { class: 'pagetext' });
  const metaBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  const confirmBox = h('div');
  const verifyBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));
  const historyBox = h('div', {}, h('p', { class: 'muted' }, 'Đang tải…'));

  root.append(...[
    backLink(), heading, sub, msg, loadErr,
    // The page's text and the signature first: what an archivist opens a record for.
    reader ? h('div', { class: 'cols cols--reader' },
      h('section', { class: 'card', 'aria-labelledby': 'pages-h' },
        h('h2', { id: 'pages-h' }, 'Các trang và văn bản nhận dạng (OCR)'),
        h('div', { class: 'reader' }, pagesBox, textBox)),
      h('section', { class: 'card', 'aria-labelledby': 'ver-h' }, h('h2', { id: 'ver-h' }, 'Kiểm tra chữ ký'), verifyBox)) : null,
    reader ? h('section', { class: 'card', 'aria-labelledby': 'ext-h' }, h('h2', { id: 'ext-h' }, 'Xác nhận thông tin giấy tờ'), confirmBox) : null,
    h('div', { class: 'cols' },
      h('section', { class: 'card', 'aria-labelledby': 'info-h' }, h('h2', { id: 'info-h' }, 'Thông tin hồ sơ'), summary),
      h('section', { class: 'card', 'aria-labelledby': 'stages-h' }, h('h2', { id: 'stages-h' }, 'Các bước xử lý'), timeline)),
    reader ? h('section', { class: 'card', 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, 'Lịch sử tài liệu'), historyBox) : null,
    reader ? h('section', { class: 'card', 'aria-labelledby': 'meta-h' }, h('h2', { id: 'meta-h' }, 'Thông tin văn bản (Thông tư 05/2025/TT-BNV)'), metaBox) : null,
  ].filter(Boolean));

  async function load() {
    let doc;
    try {
      doc = await api(`/api/v1/documents/${enc(id)}`, { signal });
    } catch (e) {
      if (isAbort(e)) return 0;
      return loadFailed(e, root, heading, loadErr);
    }
    loadErr.replaceChildren();
    const body = JSON.stringify(doc);
    if (body !== lastBody) { lastBody = body; render(doc); }
    if (reader) {
      // The text exists once the OCR stage is behind the document; read again when it moves on.
      const ocrDone = doc.status === 'done' || STAGE_ORDER[doc.stage] > STAGE_ORDER.ocr;
      const k = ocrDone ? doc.updated_at : '';
      if (k !== textKey) { textKey = k; loadPages(ocrDone, doc); }
      const mk = doc.status === 'done' ? doc.updated_at : '';
      if (mk !== metaKey) { metaKey = mk; loadMeta(doc); }
      const vk = doc.signed ? doc.updated_at : '';
      if (vk !== verKey) { verKey = vk; loadVerification(doc); }
      // Each read of the history is in the trail: once while the document moves, again when it stops.
      const hk = ACTIVE.has(doc.status) ? 'active' : doc.updated_at;
      if (hk !== histKey) { histKey = hk; loadHistory(doc); }
    }
    return ACTIVE.has(doc.status) ? FAST : SLOW;
  }

  async function loadHistory(doc) {
    let data;
    try {
      data = await api(`/api/v1/documents/${enc(id)}/history`, { signal });
    } catch (e) {
      if (isAbort(e)) return;
      histKey = null;
      swap(historyBox, notice('error', `Không tải được lịch sử tài liệu: ${e.message}`));
      return;
    }
    swap(historyBox, historyTimeline(doc, data.events ?? []));
  }

  function render(doc) {
    current = doc;
    document.title = `${doc.code || doc.filename} — Số hóa hồ sơ`;
    heading.textContent = doc.title || doc.filename || 'Hồ sơ';
    sub.replaceChildren(...(doc.code ? ['Mã hồ sơ ', h('span', { class: 'mono' }, doc.code)] : ['Chưa cấp mã hồ sơ']));
    const field = (label, ...value) => [h('dt', {}, label), h('dd', {}, ...value)];
    const dl = h('dl', { class: 'fields' },
      field('Trạng thái', badge(doc)),
      field('Mã hồ sơ', doc.code ? h('span', { class: 'mono' }, doc.code) : h('span', { class: 'muted' }, 'Chưa cấp')),
      field('Tên tệp gốc', doc.filename || '—'),
      field('Số trang', doc.pages > 0 ? num.format(doc.pages) : h('span', { class: 'muted' }, 'Chưa rõ'),
        doc.review?.length ? [' ', h('span', { class: 'badge badge--review' }, `Cần kiểm tra: trang ${doc.review.join(', ')}`)] : null),
      field('Dung lượng', fmtSize(doc.size)),
      field('Nguồn', fmtSource(doc.source)),
      field('Ký số', doc.signed ? 'Đã ký số' : h('span', { class: 'muted' }, 'Chưa ký số')),
      field('Tiếp nhận lúc', h('time', { datetime: doc.created_at }, fmtTime(doc.created_at))),
      field('SHA-256', h('code', { class: 'hash' }, doc.sha256)));
    const acts = [];
    if (doc.signed && reader) acts.push(h('a', { class: 'btn btn--primary', href: fileHref(doc.id), download: true, 'data-key': 'download' }, 'Tải bản ký số (PDF)'));
    if (reader) {
      acts.push(retryButton(doc, 'btn btn--warn', 'retry', msg, 'hồ sơ', (d) => {
        if (d) { lastBody = JSON.stringify(d); render(d); }
        refresh();
      }));
    }
    swap(summary,
      doc.status === 'failed'
        ? notice('error', h('strong', {}, `Lỗi ở bước ${STAGE_NAME[doc.stage] ?? doc.stage}: `), doc.error || 'không rõ nguyên nhân.',
          doc.retryable ? '' : ' Chạy lại không giúp được: cần gửi tệp khác.')
        : null,
      doc.status === 'split' && doc.parts?.length
        ? notice('ok', 'Tệp quét cả xấp đã được tách thành: ', doc.parts.map((p, i) => [i ? ', ' : '', h('a', { href: docHref(p.document_id) }, `giấy tờ ${p.n} (trang ${p.first_page}–${p.last_page})`)]))
        : null,
      dl,
      acceptForm(doc),
      acts.some(Boolean) ? h('div', { class: 'button-row' }, acts) : null);
    swap(timeline, stageList(doc));
  }

  // acceptForm lets an archivist certify a signed original whose signatures do not verify.
  function acceptForm(doc) {
    if (doc.status !== 'failed' || doc.error_code !== 'incoming_signature_invalid' || !may('accept')) return null;
    const f = formField('accept-note', 'Lý do chấp nhận chữ ký của bản gốc', { required: true });
    const b = h('button', { type: 'submit', class: 'btn btn--warn' }, 'Chấp nhận và xử lý tiếp');
    const out = h('div', { class: 'msg', tabindex: -1 });
    const form = h('form', { class: 'form', novalidate: true }, f.box, out, h('div', { class: 'button-row' }, b));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const note = f.input.value.trim();
      if (!note) { f.setError('Ghi lý do: quyết định này được lưu vào lịch sử.'); f.input.focus(); return; }
      const restore = busy(b, 'Đang gửi…');
      if (!restore) return;
      try {
        await api(`/api/v1/documents/${enc(id)}/accept-signature`, { method: 'POST', json: { note }, signal });
        focusNotice(msg, 'ok', 'Đã ghi quyết định; tài liệu được xử lý tiếp.');
        refresh();
      } catch (err) {
        if (isAbort(err)) return;
        focusNotice(out, 'error', err.message);
        restore();
      }
    });
    return form;
  }

  async function loadPages(ocrDone, doc) {
    if (!ocrDone) {
      swap(pagesBox, h('p', { class: 'muted' }, doc.status === 'failed'
        ? 'Không có văn bản: hồ sơ bị lỗi trước khi nhận dạng chữ xong.'
        : 'Các trang và văn bản sẽ hiện ở đây khi bước nhận dạng chữ xong.'));
      textBox.replaceChildren();
      return;
    }
    let body, pages;
    try {
      [pages, body] = await Promise.all([
        api(`/api/v1/documents/${enc(id)}/pages`, { signal }),
        api(`/api/v1/documents/${enc(id)}/text`, { signal, text: true }),
      ]);
    } catch (e) {
      if (isAbort(e)) return;
      textKey = null; // try again at the next poll
      swap(pagesBox, notice('error', `Không tải được các trang: ${e.message}`));
      return;
    }
    pagesInfo = pages ?? [];
    texts = body.split('\f');
    if (!pagesInfo.length) pagesInfo = texts.map((_, i) => ({ n: i + 1 }));
    if (!pagesInfo.some((p) => p.n === selected)) selected = pagesInfo[0]?.n ?? 1;
    paintPages();
  }

  function paintPages() {
    const select = (n) => { selected = n; paintPages(); };
    swap(pagesBox,
      h('p', { class: 'muted small' }, `${num.format(pagesInfo.length)} trang. Chọn một trang để xem ảnh và chữ đọc được trên trang đó.`),
      thumbList(id, pagesInfo, selected, select));
    const p = pagesInfo.find((x) => x.n === selected);
    const t = (texts[selected - 1] ?? '').replace(/^\n+|\s+$/g, '');
    const viewable = pagesInfo.filter((x) => x.width);
    const enlarge = () => openViewer(id, viewable, p.n, { title: current?.code || current?.filename || '' });
    const img = p?.width ? h('button', { type: 'button', class: 'scanbtn', 'data-key': 'enlarge-img', 'aria-label': `Phóng to ảnh quét trang ${num.format(p.n)}` },
      h('img', { class: 'scan', src: pageURL(id, p.n), alt: `Ảnh quét trang ${num.format(p.n)}`, width: p.width, height: p.height })) : null;
    img?.addEventListener('click', enlarge);
    const zoom = img ? h('button', { type: 'button', class: 'btn btn--small', 'data-key': 'zoom' }, 'Phóng to, thu nhỏ ảnh') : null;
    zoom?.addEventListener('click', enlarge);
    swap(textBox,
      img ? h('div', { class: 'scanbox' }, img) : null,
      zoom,
      h('h3', { class: 'subhead' }, `Văn bản trang ${num.format(selected)}`),
      reviewNotice(p),
      h('div', { class: 'ocr', tabindex: 0, role: 'region', 'aria-label': `Nội dung nhận dạng của trang ${selected}` },
        t ? h('pre', {}, t) : h('p', { class: 'muted' }, 'Trang này không có chữ.')),
      h('p', { class: 'muted small' }, 'Văn bản do máy nhận dạng, có thể còn sai sót; bản gốc là tệp PDF đã ký số.'));
  }

  // reviewNotice tells whether the page's text waits for a person's check, and lets an editor
  // record it; a checked page names who checked it.
  function reviewNotice(p) {
    if (!p?.review) return null;
    if (!waiting(p)) {
      const ok = notice('ok', `Chữ của trang này đã được đối chiếu với ảnh: ${p.reviewed_by}, ${fmtTime(p.reviewed_at)}.`);
      ok.tabIndex = -1; // where the keyboard goes once the check is recorded
      return ok;
    }
    const warn = notice('warn', 'Trang này được đánh dấu cần kiểm tra: máy đọc với độ tin cậy thấp, cần đối chiếu với bản giấy.');
    if (!may('edit')) return warn;
    const b = h('button', { type: 'button', class: 'btn btn--small', 'data-key': `review:${p.n}` }, 'Đã đối chiếu, chữ đúng');
    const out = h('div', { class: 'msg', tabindex: -1 });
    b.addEventListener('click', async () => {
      const restore = busy(b, 'Đang ghi…');
      if (!restore) return;
      try {
        const checked = await reviewPage(id, p.n, signal);
        pagesInfo = pagesInfo.map((x) => (x.n === checked.n ? checked : x));
        paintPages();
        textBox.querySelector('.notice--ok')?.focus();
        announce(`Đã ghi nhận chữ trang ${num.format(checked.n)} đã được đối chiếu.`);
        refresh();
      } catch (err) {
        if (isAbort(err)) return;
        focusNotice(out, 'error', err.message);
        restore();
      }
    });
    return h('div', {}, warn, out, h('div', { class: 'button-row' }, b));
  }

  async function loadMeta(doc) {
    if (doc.status !== 'done') {
      swap(metaBox, h('p', { class: 'muted' }, 'Thông tin văn bản có khi tài liệu xử lý xong.'));
      swap(confirmBox, h('p', { class: 'muted' }, 'Các trường sẽ được đọc khi văn bản xử lý xong.'));
      return;
    }
    let meta;
    try {
      meta = await api(`/api/v1/documents/${enc(id)}/metadata`, { signal });
    } catch (e) {
      if (isAbort(e)) return;
      metaKey = null;
      swap(metaBox, notice('error', `Không tải được thông tin văn bản: ${e.message}`));
      return;
    }
    renderMeta(meta);
    renderConfirm(meta);
  }

  function renderMeta(meta) {
    const shown = META_FIELDS.filter(([k]) => meta[k] != null && meta[k] !== '');
    swap(metaBox, shown.length
      ? h('dl', { class: 'fields' }, shown.map(([k, label]) => {
        let v = String(meta[k]);
        if (k === 'confidenceLevel') v = `${CONFIDENCE[v] ?? v} (${v})`;
        else if (k === 'language') v = LANGUAGE[v] ?? v;
        else if (k === 'issuedDate' || k === 'validUntil') v = fmtDate(v);
        else if (k === 'numberOfPage') v = num.format(meta[k]);
        const mono = ['docCode', 'arcFileCode', 'ownerId', 'codeNotation'].includes(k);
        return [h('dt', {}, label, h('span', { class: 'fieldname' }, k)),
          h('dd', { 'data-field': k }, k === 'sha256' ? h('code', { class: 'hash' }, v) : mono ? h('span', { class: 'mono' }, v) : v)];
      }))
      : h('p', { class: 'muted' }, 'Chưa có thông tin.'));
  }

  // renderConfirm is the form a person confirms the paper's facts with (PUT …/paper), filled from
  // the record; the fields the machine read from the text (metadata's extracted, when the server
  // gives them) are proposals beside it.
  function renderConfirm(meta, saved) {
    const extracted = Array.isArray(saved?.extracted) ? saved.extracted : Array.isArray(meta.extracted) ? meta.extracted : [];
    const msgBox = h('div', { class: 'msg', tabindex: -1 });
    const inputs = {};
    const text = (name, label, value, attrs = {}) => {
      inputs[name] = h('input', { id: `p-${name}`, name, type: 'text', value: value || null, 'data-key': `p-${name}`, ...attrs });
      return h('div', { class: 'field' }, h('label', { for: `p-${name}` }, label), inputs[name]);
    };
    const reusable = h('select', { id: 'p-reusable', 'data-key': 'p-reusable' },
      h('option', { value: '' }, 'Giữ nguyên'),
      h('option', { value: 'true', selected: saved?.reusable === true }, 'Có'),
      h('option', { value: 'false', selected: saved?.reusable === false }, 'Không'));
    const save = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Xác nhận thông tin');
    const form = h('form', { class: 'form form--grid', novalidate: true, 'aria-label': 'Xác nhận thông tin giấy tờ' },
      text('kind', 'Loại giấy tờ', saved?.kind ?? meta.typeName, { placeholder: 'ví dụ: Giấy khai sinh', list: 'p-kinds' }),
      text('notation', 'Số, ký hiệu', saved?.notation ?? meta.codeNotation, { class: 'mono', placeholder: 'ví dụ: 110/KH-UBND' }),
      text('issued_on', 'Ngày ban hành', saved?.issued_on ?? meta.issuedDate, { type: 'date' }),
      text('issuing_body', 'Cơ quan ban hành', saved?.issuing_body ?? meta.organName),
      text('valid_until', 'Hiệu lực đến', saved?.valid_until ?? meta.validUntil, { type: 'date', 'aria-describedby': 'p-valid-hint' }),
      text('validity_scope', 'Phạm vi hiệu lực', saved?.validity_scope ?? meta.validityScope),
      h('div', { class: 'field' }, h('label', { for: 'p-reusable' }, 'Được dùng lại'), reusable),
      h('datalist', { id: 'p-kinds' }, KINDS.map((k) => h('option', { value: k }))),
      h('p', { id: 'p-valid-hint', class: 'muted small form__wide' }, 'Để trống “Hiệu lực đến” nếu giấy tờ không có thời hạn.'),
      h('div', { class: 'form__wide' }, msgBox, h('div', { class: 'button-row' }, save)));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {};
      for (const k of ['kind', 'notation', 'issuing_body', 'validity_scope']) body[k] = inputs[k].value.trim();
      // A date cannot be cleared through the API; an empty one is left as it is.
      for (const k of ['issued_on', 'valid_until']) if (inputs[k].value) body[k] = inputs[k].value;
      if (reusable.value) body.reusable = reusable.value === 'true';
      const restore = busy(save, 'Đang lưu…');
      if (!restore) return;
      try {
        const p = await api(`/api/v1/documents/${enc(id)}/paper`, { method: 'PUT', json: body, signal });
        let m = meta;
        try { m = await api(`/api/v1/documents/${enc(id)}/metadata`, { signal }); renderMeta(m); } catch (err) { if (isAbort(err)) return; }
        renderConfirm(m, p);
        focusNotice(confirmBox.querySelector('.msg'), 'ok', 'Đã lưu thông tin đã xác nhận; lần sửa này được ghi vào nhật ký.');
        if (current) loadHistory(current); // the correction, with its old and new values
      } catch (err) {
        if (isAbort(err)) return;
        focusNotice(msgBox, 'error', `Không lưu được: ${err.message}`);
        restore();
      }
    });

    const list = extracted.length ? h('table', { class: 'docs extracted' },
      h('caption', {}, 'Các trường máy đọc được trong văn bản (đề xuất, cần đối chiếu)'),
      h('thead', {}, h('tr', {}, ['Trường', 'Giá trị', 'Nguyên văn', 'Độ tin cậy', 'Điền'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, extracted.map((x, i) => {
        const targets = x.name === 'date' ? [['issued_on', 'Làm ngày ban hành'], ['valid_until', 'Làm hiệu lực đến']]
          : EXTRACTED_FILLS[x.name] ? [[EXTRACTED_FILLS[x.name], 'Điền vào biểu mẫu']] : [];
        const use = targets.map(([target, t], j) => {
          const b = h('button', { type: 'button', class: 'btn btn--small btn--ghost', 'data-key': `use:${i}:${j}`, 'aria-label': `${t}: ${x.value}` }, t);
          b.addEventListener('click', () => { inputs[target].value = x.value; inputs[target].focus(); });
          return b;
        });
        const conf = Number(x.confidence) || 0;
        return h('tr', {},
          h('td', { 'data-label': 'Trường' }, EXTRACTED_NAMES[x.name] ?? x.name),
          h('td', { 'data-label': 'Giá trị' }, h('span', { class: 'mono' }, x.name.endsWith('date') ? fmtDate(x.value) : x.value)),
          h('td', { 'data-label': 'Nguyên văn' }, h('q', { class: 'raw' }, x.raw)),
          h('td', { 'data-label': 'Độ tin cậy', class: 'num' }, `${num.format(Math.round(conf * 100))}%`),
          h('td', { 'data-label': 'Điền', class: 'actions' }, use));
      }))) : null;
    swap(confirmBox,
      h('p', { class: 'muted small' }, 'Cán bộ đối chiếu với bản giấy rồi xác nhận. Không trường nào được ghi nếu không có người xác nhận; mỗi lần sửa được ghi giá trị cũ và mới.'),
      list, form);
  }

  async function loadVerification(doc) {
    if (!doc.signed) {
      swap(verifyBox, h('p', { class: 'muted' }, doc.status === 'failed' ? 'Tài liệu bị lỗi trước khi được ký số.' : 'Tài liệu chưa được ký số; kết quả kiểm tra sẽ hiện khi ký xong.'));
      return;
    }
    let r;
    try {
      r = await api(`/api/v1/documents/${enc(id)}/verification`, { signal });
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
        ? notice('ok', h('strong', { class: 'verdict' }, '✓ Chữ ký hợp lệ. '), `Tệp có ${num.format(sigs.length)} chữ ký, tất cả đều đạt.`)
        : notice('error', h('strong', { class: 'verdict' }, '✗ Chữ ký không hợp lệ. '), sigs.length ? 'Xem các mục không đạt bên dưới.' : 'Tệp không có chữ ký nào.'),
      r.modified_after_signing ? notice('error', 'Tệp đã bị thêm nội dung sau chữ ký cuối cùng.') : null,
      sigs.map((s, i) => h('div', { class: 'sig' },
        h('h3', { class: 'subhead' }, sigs.length > 1 ? `Chữ ký ${i + 1}: ` : 'Người ký: ', s.signer || '(không rõ)',
          ' ', h('span', { class: `badge badge--${s.valid ? 'done' : 'failed'}` }, s.valid ? 'Hợp lệ' : 'Không hợp lệ')),
        h('dl', { class: 'fields' },
          s.reason ? [h('dt', {}, 'Lý do ký'), h('dd', {}, s.reason)] : null,
          [h('dt', {}, 'Dấu thời gian'), h('dd', {}, s.timestamp
            ? [h('time', { datetime: s.timestamp.time }, fmtTime(s.timestamp.time)), ` — do ${s.timestamp.tsa || '(không rõ)'} cấp`,
              s.timestamp.valid ? '' : h('span', { class: 'bad' }, ' (không hợp lệ)')]
            : h('span', { class: 'muted' }, 'Không có'))]),
        h('ul', { class: 'checks' }, CHECKS.map(([k, label]) => {
          const c = s[k];
          if (!c) return null;
          return h('li', { class: `check check--${c.ok ? 'ok' : 'bad'}` }, mark(c.ok),
            h('span', {}, h('span', { class: 'visually-hidden' }, c.ok ? 'Đạt: ' : 'Không đạt: '), label,
              c.detail ? h('span', { class: 'check__detail muted' }, ` — ${checkDetail(c.detail)}`) : null));
        })))));
  }

  const refresh = poll(load, signal);
  return { unmount() { ctl.abort(); } };
}
