// Báo cáo: the plan's indicators for the province's office (#/bao-cao?ky=&tu=&den=&co-quan=&bang=).
// A period (a year, a quarter, a month, or from/to) and an agency of the account's tree; then the
// figures of GET /api/v1/reports/indicators: the headline rates beside their targets, each agency's
// rate against its target, the months, the levels and the procedures, drawn by charts.js with each
// chart's table beside it, and the same rows as CSV or XLSX. They are counts, no one's data: reading
// them is not in the access trail.

import { api, isAbort } from './api.js';
import { LEVELS, LEVEL_NAME } from './names.js';
import { state } from './session.js';
import { cached, fmtDate, h, notice, num, swap } from './ui.js';
import { bars, columns, fmtRate, lines, met, metWords } from './charts.js';

const agencyList = cached('/api/v1/agencies');
const REPORT = '/api/v1/reports/indicators';
const FIRST_YEAR = 2021; // the plan's first year of targets
const BIG_TREE = 24; // more agencies than this: the chart shows the chosen one and those just under it

const KINDS = [['nam', 'Năm'], ['quy', 'Quý'], ['thang', 'Tháng'], ['khoang', 'Khoảng ngày']];
const EXPORTS = [['agency', 'Theo cơ quan'], ['level', 'Theo cấp'], ['procedure', 'Theo thủ tục'], ['month', 'Theo tháng']];
const ROMAN = ['I', 'II', 'III', 'IV'];

const thisYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date()));

// period reads the hash's parameters into the API's: {period} or {from, to}, with its words.
function period(params) {
  const tu = params.get('tu') ?? '', den = params.get('den') ?? '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(tu) && /^\d{4}-\d{2}-\d{2}$/.test(den)) {
    return { kind: 'khoang', api: { from: tu, to: den }, words: `từ ${fmtDate(tu)} đến ${fmtDate(den)}`, tu, den };
  }
  const ky = params.get('ky') ?? '';
  let m;
  if ((m = /^(\d{4})-Q([1-4])$/.exec(ky))) return { kind: 'quy', year: +m[1], quarter: +m[2], api: { period: ky }, words: `quý ${ROMAN[m[2] - 1]} năm ${m[1]}` };
  if ((m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(ky))) return { kind: 'thang', year: +m[1], month: +m[2], api: { period: ky }, words: `tháng ${+m[2]} năm ${m[1]}` };
  const year = /^\d{4}$/.test(ky) ? +ky : thisYear();
  return { kind: 'nam', year, api: { period: String(year) }, words: `năm ${year}` };
}

// tree lists the agencies at and under root, parents first, each with its depth under root.
function tree(all, root) {
  const kids = new Map();
  for (const a of all) {
    if (!kids.has(a.parent)) kids.set(a.parent, []);
    kids.get(a.parent).push(a);
  }
  const byID = new Map(all.map((a) => [a.id, a]));
  const out = [];
  const walk = (a, depth) => {
    out.push({ ...a, depth });
    for (const c of kids.get(a.id) ?? []) walk(c, depth + 1);
  };
  walk(byID.get(root) ?? { id: root, name: root, parent: '', level: '' }, 0);
  return out;
}

// fmtDuration is a time from receipt to signing, in the largest units that say it.
function fmtDuration(sec) {
  if (sec == null) return '—';
  const t = Math.round(sec);
  if (t < 60) return `${t} giây`;
  if (t < 3600) return `${Math.round(t / 60)} phút`;
  if (t < 86400) return `${Math.floor(t / 3600)} giờ ${Math.round((t % 3600) / 60)} phút`;
  return `${Math.floor(t / 86400)} ngày ${Math.round((t % 86400) / 3600)} giờ`;
}

// months lists YYYY-MM from the answer's from (included) to its to (excluded), in Vietnam's days.
function months(from, to) {
  const ym = (s) => { const [y, m] = s.slice(0, 7).split('-').map(Number); return y * 12 + m - 1; };
  // The bounds are midnight in Vietnam, written with their offset: the date part is Vietnam's.
  const last = ym(to) - (to.slice(8, 10) === '01' ? 1 : 0);
  const out = [];
  for (let i = ym(from); i <= last; i++) out.push(`${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  return out;
}

// metBadge says in words and colour whether a rate reaches its target.
function metBadge(value, target) {
  const m = met(value, target);
  return m == null ? null : h('span', { class: `met met--${m ? 'ok' : 'no'}` }, m ? '✓ đạt' : '✗ chưa đạt');
}

export function dashboardView(root, _arg, params) {
  document.title = 'Báo cáo chỉ tiêu — Số hóa hồ sơ';
  const life = new AbortController();
  let ctl = null;
  let all = [];

  const sel = (id, options) => h('select', { id, name: id, 'data-key': id }, options.map(([v, t]) => h('option', { value: v }, t)));
  const field = (id, label, control, cls) => h('div', { class: `field${cls ? ` ${cls}` : ''}` }, h('label', { for: id }, label), control);
  const years = [];
  for (let y = thisYear(); y >= FIRST_YEAR; y--) years.push([String(y), String(y)]);
  const kind = sel('r-kind', KINDS);
  const year = sel('r-year', years);
  const quarter = sel('r-quarter', ROMAN.map((r, i) => [String(i + 1), `Quý ${r}`]));
  const month = sel('r-month', Array.from({ length: 12 }, (_, i) => [String(i + 1).padStart(2, '0'), `Tháng ${i + 1}`]));
  const from = h('input', { id: 'r-from', name: 'r-from', type: 'date', 'data-key': 'r-from' });
  const to = h('input', { id: 'r-to', name: 'r-to', type: 'date', 'data-key': 'r-to' });
  const agency = h('select', { id: 'r-agency', name: 'r-agency', 'data-key': 'r-agency' });
  const fields = {
    year: field('r-year', 'Năm', year), quarter: field('r-quarter', 'Quý', quarter), month: field('r-month', 'Tháng', month),
    from: field('r-from', 'Từ ngày', from), to: field('r-to', 'Đến ngày', to),
  };
  const formErr = h('p', { class: 'field__error', role: 'alert' });
  const show = () => {
    const k = kind.value;
    fields.year.hidden = k === 'khoang';
    fields.quarter.hidden = k !== 'quy';
    fields.month.hidden = k !== 'thang';
    fields.from.hidden = fields.to.hidden = k !== 'khoang';
  };
  kind.addEventListener('change', show);
  const form = h('form', { class: 'report-form', 'aria-label': 'Chọn kỳ báo cáo và cơ quan', novalidate: true },
    field('r-kind', 'Kỳ báo cáo', kind), fields.year, fields.quarter, fields.month, fields.from, fields.to,
    field('r-agency', 'Cơ quan', agency, 'report-form__agency'),
    h('div', { class: 'report-form__go' }, h('button', { type: 'submit', class: 'btn btn--primary' }, 'Xem báo cáo')),
    formErr);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    formErr.textContent = '';
    const q = new URLSearchParams();
    if (kind.value === 'khoang') {
      if (!from.value || !to.value || to.value < from.value) {
        formErr.textContent = 'Chọn cả ngày bắt đầu và ngày kết thúc; ngày kết thúc không trước ngày bắt đầu.';
        (from.value ? to : from).focus();
        return;
      }
      q.set('tu', from.value);
      q.set('den', to.value);
    } else {
      q.set('ky', kind.value === 'quy' ? `${year.value}-Q${quarter.value}` : kind.value === 'thang' ? `${year.value}-${month.value}` : year.value);
    }
    if (agency.value && agency.value !== state.me.agency) q.set('co-quan', agency.value);
    if (exportBy.value !== 'agency') q.set('bang', exportBy.value);
    const hash = `#/bao-cao?${q}`;
    if (location.hash === hash) load(new URLSearchParams(q)); else location.hash = hash;
  });

  const exportBy = sel('r-by', EXPORTS);
  const csv = h('a', { class: 'btn btn--small', 'data-key': 'csv', download: true }, 'Tải CSV');
  const xlsx = h('a', { class: 'btn btn--small', 'data-key': 'xlsx', download: true }, 'Tải Excel (XLSX)');
  let query = null; // the API parameters shown now, for the export links
  const paintLinks = () => {
    for (const [a, f] of [[csv, 'csv'], [xlsx, 'xlsx']]) {
      a.href = `${REPORT}?${new URLSearchParams({ ...query, by: exportBy.value, format: f })}`;
    }
  };
  exportBy.addEventListener('change', () => { if (query) paintLinks(); });

  const status = h('p', { class: 'report__status', role: 'status', tabindex: -1 });
  const body = h('div', { class: 'report' });
  root.append(
    h('h1', { tabindex: -1 }, 'Báo cáo chỉ tiêu số hóa'),
    h('p', { class: 'subtitle small' }, 'Chỉ tiêu của Kế hoạch 110/KH-UBND (Quyết định 468/QĐ-TTg) và bộ chỉ số của Quyết định 766/QĐ-TTg; mỗi tỷ lệ đặt cạnh chỉ tiêu của năm và cấp.'),
    h('section', { class: 'card card--tight' }, form),
    h('div', { class: 'report__head' }, status,
      h('div', { class: 'report__export' }, field('r-by', 'Số liệu tải về', exportBy, 'field--inline'), csv, xlsx)),
    body);

  async function load(p) {
    ctl?.abort();
    ctl = new AbortController();
    const signal = AbortSignal.any([life.signal, ctl.signal]);
    const per = period(p);
    kind.value = per.kind;
    if (per.year) year.value = String(per.year);
    if (per.quarter) quarter.value = String(per.quarter);
    if (per.month) month.value = String(per.month).padStart(2, '0');
    if (per.tu) { from.value = per.tu; to.value = per.den; }
    exportBy.value = EXPORTS.some(([v]) => v === p.get('bang')) ? p.get('bang') : 'agency';
    show();
    all = (await agencyList(signal))?.agencies ?? all;
    const mine = tree(all, state.me.agency);
    const chosen = mine.find((a) => a.id === p.get('co-quan')) ?? mine[0];
    agency.replaceChildren(...mine.map((a) => h('option', { value: a.id, selected: a.id === chosen.id },
      `${'\u00a0\u00a0\u00a0'.repeat(a.depth)}${a.depth ? '└ ' : ''}${a.name}`)));
    query = { ...per.api, agency: chosen.id };
    paintLinks();
    status.textContent = `Đang tải số liệu ${per.words}…`;
    body.setAttribute('aria-busy', 'true');
    let answers;
    try {
      answers = await Promise.all(['agency', 'month', 'level', 'procedure'].map((by) =>
        api(`${REPORT}?${new URLSearchParams({ ...query, by })}`, { signal })));
    } catch (e) {
      if (isAbort(e)) return;
      body.removeAttribute('aria-busy');
      status.textContent = '';
      swap(body, notice('error', `Không tải được báo cáo: ${e.message}`));
      return;
    }
    body.removeAttribute('aria-busy');
    const [byAgency, byMonth, byLevel, byProcedure] = answers;
    const sub = tree(all, chosen.id);
    const total = byAgency.rows.find((r) => r.agency === chosen.id) ?? byAgency.rows[0];
    document.title = `Chỉ tiêu ${per.words} — ${chosen.name} — Số hóa hồ sơ`;
    status.textContent = `${chosen.name}${sub.length > 1 ? ` và ${num.format(sub.length - 1)} cơ quan trực thuộc` : ''} — ${per.words}`;
    if (!total || total.dossiers === 0) {
      swap(body, kpis(total), notice('empty', `Không có hồ sơ nào được tiếp nhận ${per.words}. Chọn kỳ khác hoặc cơ quan khác.`));
      return;
    }
    swap(body,
      kpis(total),
      h('section', { class: 'card', 'aria-labelledby': 'rep-agency-h' },
        h('h2', { id: 'rep-agency-h' }, 'Theo cơ quan'),
        h('div', { class: 'chart-pair' }, agencyCharts(byAgency.rows, sub))),
      h('div', { class: 'chart-pair' },
        h('section', { class: 'card', 'aria-labelledby': 'rep-month-h' }, h('h2', { id: 'rep-month-h' }, 'Theo tháng'), monthChart(byMonth, total)),
        h('section', { class: 'card', 'aria-labelledby': 'rep-level-h' }, h('h2', { id: 'rep-level-h' }, 'Theo cấp hành chính'), levelChart(byLevel.rows))),
      h('section', { class: 'card', 'aria-labelledby': 'rep-proc-h' }, h('h2', { id: 'rep-proc-h' }, 'Theo thủ tục hành chính'), procedureTable(byProcedure.rows)));
  }

  load(params);
  return { update: (p) => load(p), unmount() { ctl?.abort(); life.abort(); } };
}

// kpis are the report's headline figures: the tree's total, each rate beside its target.
function kpis(t) {
  const tile = (label, value, sub, badge) => h('li', { class: 'kpi' },
    h('p', { class: 'kpi__label' }, label), h('p', { class: 'kpi__value' }, value, badge ? [' ', badge] : null), sub ? h('p', { class: 'kpi__sub' }, sub) : null);
  const rate = (label, value, target, n, of) => tile(label, fmtRate(value),
    [target != null ? `chỉ tiêu ${fmtRate(target)}` : 'không có chỉ tiêu', ` · ${num.format(n)}/${num.format(of)} hồ sơ`], metBadge(value, target));
  if (!t) return null;
  return h('ul', { class: 'kpis', 'aria-label': 'Số liệu chính' },
    tile('Hồ sơ tiếp nhận', num.format(t.dossiers), `${num.format(t.pages)} trang đã số hóa`),
    rate('Hồ sơ được số hóa (4.2)', t.digitization_rate, t.target_digitization, t.digitized, t.dossiers),
    rate('Tái sử dụng giấy tờ (4.3)', t.reuse_rate, t.target_reuse, t.reused, t.dossiers),
    rate('Kết quả số hóa (4.1)', t.results_rate, t.target_results, t.results_signed, t.with_results),
    tile('Từ tiếp nhận đến ký số', fmtDuration(t.to_signed_p50_seconds), `trung vị; 95 % trong ${fmtDuration(t.to_signed_p95_seconds)}`));
}

// agencyCharts are each agency's digitization and reuse against their targets, in the tree's order.
function agencyCharts(rows, sub) {
  const byID = new Map(rows.map((r) => [r.agency, r]));
  const shown = sub.filter((a) => byID.has(a.id) && (sub.length <= BIG_TREE || a.depth <= 1));
  const chart = (key, target, count, title, series) => {
    const data = shown.map((a) => {
      const r = byID.get(a.id);
      // The chosen agency's row is its whole tree: the total, named so.
      return { label: a.depth ? a.name : 'Tổng cộng', title: a.depth ? a.name : `Tổng cộng: ${a.name} và các cơ quan trực thuộc`, depth: a.depth, value: r[key], target: r[target] };
    });
    const failing = data.filter((d) => met(d.value, d.target) === false).length;
    return bars({
      title, series, rows: data,
      summary: `${num.format(data.length)} cơ quan; ${num.format(failing)} chưa đạt chỉ tiêu.`,
      table: {
        head: ['Cơ quan', 'Cấp', 'Hồ sơ', 'Đạt được', 'Tỷ lệ', 'Chỉ tiêu', 'Đánh giá'],
        rows: shown.map((a) => {
          const r = byID.get(a.id);
          return [a.depth ? a.name : `Tổng cộng: ${a.name}`, LEVEL_NAME[r.level] ?? '—', num.format(r.dossiers), num.format(r[count]), fmtRate(r[key]), fmtRate(r[target]), metWords(met(r[key], r[target])) || '—'];
        }),
      },
    });
  };
  return [
    chart('digitization_rate', 'target_digitization', 'digitized', 'Tỷ lệ hồ sơ được số hóa so với chỉ tiêu', 'dig'),
    chart('reuse_rate', 'target_reuse', 'reused', 'Tỷ lệ hồ sơ tái sử dụng giấy tờ so với chỉ tiêu', 'reuse'),
    sub.length > BIG_TREE ? h('p', { class: 'muted small' }, 'Cây cơ quan lớn: biểu đồ chỉ hiện cơ quan đã chọn và các cơ quan trực thuộc trực tiếp; chọn một cơ quan để xem sâu hơn.') : null,
  ];
}

// monthChart is the rates month by month, with the targets of the report's agency.
function monthChart(answer, total) {
  const byMonth = new Map(answer.rows.map((r) => [r.period, r]));
  const ms = months(answer.from, answer.to);
  const oneYear = new Set(ms.map((m) => m.slice(0, 4))).size === 1;
  const label = (m) => (oneYear ? `T${+m.slice(5)}` : `${m.slice(5)}/${m.slice(2, 4)}`);
  const points = ms.map((m) => {
    const r = byMonth.get(m);
    return { label: label(m), values: { dig: r?.digitization_rate, reuse: r?.reuse_rate } };
  });
  return lines({
    title: 'Tỷ lệ số hóa và tái sử dụng theo tháng',
    summary: `${num.format(ms.length)} tháng; tháng không có hồ sơ để trống.`,
    points,
    series: [
      { key: 'dig', name: 'Số hóa', cls: 'dig', shape: 'dot', target: total.target_digitization },
      { key: 'reuse', name: 'Tái sử dụng', cls: 'reuse', shape: 'square', target: total.target_reuse },
    ],
    table: {
      head: ['Tháng', 'Hồ sơ', 'Tỷ lệ số hóa', 'Tỷ lệ tái sử dụng'],
      rows: ms.map((m) => {
        const r = byMonth.get(m);
        return [`${m.slice(5)}/${m.slice(0, 4)}`, num.format(r?.dossiers ?? 0), fmtRate(r?.digitization_rate), fmtRate(r?.reuse_rate)];
      }),
    },
  });
}

// levelChart is digitization and reuse at each administrative level, against each level's targets.
function levelChart(rows) {
  const byLevel = new Map(rows.map((r) => [r.level, r]));
  const levels = LEVELS.filter(([l]) => byLevel.has(l));
  return columns({
    title: 'Tỷ lệ số hóa và tái sử dụng theo cấp',
    summary: levels.map(([l, name]) => `${name}: số hóa ${fmtRate(byLevel.get(l).digitization_rate)}, tái sử dụng ${fmtRate(byLevel.get(l).reuse_rate)}`).join('; '),
    groups: levels.map(([l, name]) => {
      const r = byLevel.get(l);
      return {
        label: name, note: `${num.format(r.dossiers)} hồ sơ`,
        values: { dig: r.digitization_rate, reuse: r.reuse_rate }, targets: { dig: r.target_digitization, reuse: r.target_reuse },
      };
    }),
    series: [{ key: 'dig', name: 'Số hóa', cls: 'dig' }, { key: 'reuse', name: 'Tái sử dụng', cls: 'reuse' }],
    table: {
      head: ['Cấp', 'Hồ sơ', 'Tỷ lệ số hóa', 'Chỉ tiêu số hóa', 'Tỷ lệ tái sử dụng', 'Chỉ tiêu tái sử dụng'],
      rows: levels.map(([l, name]) => {
        const r = byLevel.get(l);
        return [name, num.format(r.dossiers), fmtRate(r.digitization_rate), fmtRate(r.target_digitization), fmtRate(r.reuse_rate), fmtRate(r.target_reuse)];
      }),
    },
  });
}

// procedureTable lists the procedures with the most dossiers first.
function procedureTable(rows) {
  const TOP = 10;
  const sorted = [...rows].sort((a, b) => b.dossiers - a.dossiers);
  const rest = sorted.length - TOP;
  return [
    h('div', { class: 'table-wrap' }, h('table', { class: 'docs report-procs' },
      h('caption', { class: 'visually-hidden' }, 'Số liệu theo thủ tục hành chính, thủ tục nhiều hồ sơ nhất trước'),
      h('thead', {}, h('tr', {}, ['Thủ tục', 'Hồ sơ', 'Số hóa', 'Tái sử dụng', 'Kết quả ký số'].map((t, i) => h('th', { scope: 'col', class: i ? 'num' : null }, t)))),
      h('tbody', {}, sorted.slice(0, TOP).map((r) => h('tr', {},
        h('th', { scope: 'row' }, h('span', { class: 'mono' }, r.procedure), r.procedure_name ? ` — ${r.procedure_name}` : ''),
        h('td', { class: 'num' }, num.format(r.dossiers)),
        h('td', { class: 'num' }, fmtRate(r.digitization_rate), ' ', metBadge(r.digitization_rate, r.target_digitization)),
        h('td', { class: 'num' }, fmtRate(r.reuse_rate), ' ', metBadge(r.reuse_rate, r.target_reuse)),
        h('td', { class: 'num' }, fmtRate(r.results_rate))))))),
    rest > 0 ? h('p', { class: 'muted small' }, `Và ${num.format(rest)} thủ tục khác: xem đủ trong tệp tải về “Theo thủ tục”.`) : null,
  ];
}
