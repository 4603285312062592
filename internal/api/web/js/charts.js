// Charts drawn as inline SVG, small enough to need no library: horizontal bars with a target marker
// (a rate per agency), lines over months, and grouped columns. Each chart is a <figure> whose SVG is
// one image with a name for screen readers, followed by the same figures as a table, so nothing is
// only in the picture. Rates are fractions of 1 (null: nothing to divide); colours come from the
// series' classes in style.css and every series has its own marker shape as well, so no chart is
// read by colour alone. Text stays SVG text on white, dark enough for WCAG AA.

import { h } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

// s builds an SVG element; children are nodes or text.
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null && v !== false) el.setAttribute(k, String(v));
  el.append(...children.flat(Infinity).filter((c) => c != null && c !== false));
  return el;
}

export const pct = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
const pct0 = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 0 });
export const fmtRate = (v) => (v == null ? '—' : pct.format(v));

// met says whether a rate reaches its target: true, false, or null when either is unknown.
export const met = (value, target) => (value == null || target == null ? null : value >= target - 1e-9);
export const metWords = (m) => (m == null ? '' : m ? 'đạt' : 'chưa đạt');

let seq = 0;

// figure puts an SVG chart, its caption and its table together. table is {caption, head, rows}
// with rows of cells (strings or nodes); the first cell of each row is its header.
function figure(title, summary, svg, table, legend) {
  const id = `chart-${++seq}`;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', `${id}-t ${id}-d`);
  svg.prepend(s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, summary));
  return h('figure', { class: 'chart' },
    h('figcaption', { class: 'chart__title' }, title),
    legend ? h('ul', { class: 'legend', 'aria-hidden': 'true' }, legend.map(([cls, text]) =>
      h('li', {}, h('span', { class: `legend__key legend__key--${cls}` }), text))) : null,
    svg,
    h('details', { class: 'chart__table' },
      h('summary', {}, 'Xem số liệu dạng bảng'),
      // A region of its own, focusable: a wide table scrolls sideways in a narrow column.
      h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': `Bảng số liệu: ${title}` }, h('table', { class: 'docs' },
        h('caption', { class: 'visually-hidden' }, table.caption ?? title),
        h('thead', {}, h('tr', {}, table.head.map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, table.rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0
          ? h('th', { scope: 'row' }, c)
          : h('td', { class: typeof c === 'string' && /^[\d—]/.test(c) ? 'num' : null }, c))))))))));
}

// clip shortens a label that would run into the bars; the whole of it is the element's title.
function clip(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

// bars draws one horizontal bar per row: {label, depth, value, target, note}, against 0–100 %,
// with the row's target as a dark upright marker and, at the right, the rate and whether it is met.
export function bars({ title, summary, series, rows, table }) {
  const W = 640, labelW = 200, x0 = labelW + 8, x1 = W - 142, rowH = 30, top = 26;
  const x = (v) => x0 + (x1 - x0) * Math.max(0, Math.min(1, v));
  const H = top + rows.length * rowH + 6;
  const grid = [0, 0.25, 0.5, 0.75, 1].map((t) => [
    s('line', { class: 'chart__grid', x1: x(t), x2: x(t), y1: top - 4, y2: H - 4 }),
    s('text', { class: 'chart__axis', x: x(t), y: top - 10, 'text-anchor': 'middle' }, pct0.format(t)),
  ]);
  const items = rows.map((r, i) => {
    const y = top + i * rowH, mid = y + rowH / 2;
    const m = met(r.value, r.target), depth = r.depth ?? 0;
    return s('g', { class: 'chart__row' },
      s('text', { class: `chart__label${depth ? '' : ' chart__label--top'}`, x: 4 + depth * 14, y: mid + 4 },
        s('title', {}, r.title ?? r.label), clip(r.label, 30 - depth * 2)),
      s('rect', { class: 'chart__track', x: x0, y: mid - 7, width: x1 - x0, height: 14, rx: 2 }),
      r.value != null ? s('rect', { class: `chart__bar chart__bar--${series}`, x: x0, y: mid - 7, width: Math.max(1.5, x(r.value) - x0), height: 14, rx: 2 }) : null,
      r.target != null ? s('rect', { class: 'chart__target', x: x(r.target) - 1.5, y: mid - 11, width: 3, height: 22 }) : null,
      s('text', { class: 'chart__value', x: x1 + 10, y: mid + 4 }, r.value == null ? (r.note ?? 'không có hồ sơ') : pct.format(r.value)),
      m == null ? null : s('text', { class: `chart__met chart__met--${m ? 'ok' : 'no'}`, x: W - 4, y: mid + 4, 'text-anchor': 'end' }, m ? '✓ đạt' : '✗ chưa đạt'));
  });
  const svg = s('svg', { class: 'chart__svg', viewBox: `0 0 ${W} ${H}`, width: W, height: H, preserveAspectRatio: 'xMinYMin meet' }, grid, items);
  return figure(title, summary, svg, table, [[series, 'Tỷ lệ đạt được'], ['target', 'Chỉ tiêu']]);
}

// lines draws rates over periods: points [{label, values: {key: rate}}], series [{key, name, cls,
// target}]. A period without dossiers breaks its line; each series' target is a dashed line.
export function lines({ title, summary, points, series, table }) {
  const W = 640, H = 260, left = 46, right = 14, top = 14, bottom = 34;
  const n = points.length;
  const x = (i) => left + (n <= 1 ? (W - left - right) / 2 : (i * (W - left - right)) / (n - 1));
  const y = (v) => top + (H - top - bottom) * (1 - Math.max(0, Math.min(1, v)));
  const grid = [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => [
    s('line', { class: 'chart__grid', x1: left, x2: W - right, y1: y(t), y2: y(t) }),
    s('text', { class: 'chart__axis', x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, pct0.format(t)),
  ]);
  const every = Math.ceil(n / 12);
  const ticks = points.map((p, i) => (i % every === 0
    ? s('text', { class: 'chart__axis', x: x(i), y: H - bottom + 18, 'text-anchor': 'middle' }, p.label) : null));
  const drawn = series.map((se) => {
    const runs = [];
    let run = [];
    points.forEach((p, i) => {
      const v = p.values[se.key];
      if (v == null) { if (run.length) runs.push(run); run = []; return; }
      run.push([x(i), y(v)]);
    });
    if (run.length) runs.push(run);
    const marks = runs.flat().map(([px, py]) => (se.shape === 'square'
      ? s('rect', { class: `chart__mark chart__mark--${se.cls}`, x: px - 4, y: py - 4, width: 8, height: 8 })
      : s('circle', { class: `chart__mark chart__mark--${se.cls}`, cx: px, cy: py, r: 4.5 })));
    return s('g', {},
      se.target != null ? s('line', { class: `chart__goal chart__goal--${se.cls}`, x1: left, x2: W - right, y1: y(se.target), y2: y(se.target) }) : null,
      runs.map((r) => s('polyline', { class: `chart__line chart__line--${se.cls}`, points: r.map((p) => p.join(',')).join(' ') })),
      marks);
  });
  const svg = s('svg', { class: 'chart__svg', viewBox: `0 0 ${W} ${H}`, width: W, height: H, preserveAspectRatio: 'xMinYMin meet' }, grid, ticks, drawn);
  const legend = series.flatMap((se) => [[`${se.cls}-${se.shape ?? 'dot'}`, se.name],
    ...(se.target != null ? [[`goal-${se.cls}`, `Chỉ tiêu ${se.name.toLowerCase()} (${pct.format(se.target)})`]] : [])]);
  return figure(title, summary, svg, table, legend);
}

// columns draws groups of columns: groups [{label, values: {key: rate}, targets: {key: rate}}],
// series [{key, name, cls}], each column with its rate above it and its target as a dark bar.
export function columns({ title, summary, groups, series, table }) {
  const W = 640, H = 250, left = 46, right = 8, top = 22, bottom = 40;
  const y = (v) => top + (H - top - bottom) * (1 - Math.max(0, Math.min(1, v)));
  const gw = (W - left - right) / Math.max(1, groups.length);
  const cw = Math.min(46, (gw - 24) / series.length);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((t) => [
    s('line', { class: 'chart__grid', x1: left, x2: W - right, y1: y(t), y2: y(t) }),
    s('text', { class: 'chart__axis', x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, pct0.format(t)),
  ]);
  const cols = groups.map((g, gi) => {
    const gx = left + gi * gw + (gw - cw * series.length) / 2;
    return s('g', {},
      series.map((se, si) => {
        const v = g.values[se.key], t = g.targets?.[se.key];
        const cx = gx + si * cw;
        // The rate goes inside the top of a column tall enough, clear of a target marker above it.
        const inside = v != null && y(0) - y(v) > 22;
        return [
          v != null ? s('rect', { class: `chart__bar chart__bar--${se.cls}`, x: cx + 3, y: y(v), width: cw - 6, height: Math.max(1.5, y(0) - y(v)) }) : null,
          s('text', { class: `chart__value chart__value--small${inside ? ' chart__value--in' : ''}`, x: cx + cw / 2, y: inside ? y(v) + 15 : (v != null ? y(v) : y(0)) - 5, 'text-anchor': 'middle' },
            v != null ? pct0.format(v) : '—'),
          t != null ? s('rect', { class: 'chart__target', x: cx + 1, y: y(t) - 1.5, width: cw - 2, height: 3 }) : null,
        ];
      }),
      s('text', { class: 'chart__label chart__label--top', x: left + gi * gw + gw / 2, y: H - bottom + 20, 'text-anchor': 'middle' }, g.label),
      g.note ? s('text', { class: 'chart__axis', x: left + gi * gw + gw / 2, y: H - bottom + 35, 'text-anchor': 'middle' }, g.note) : null);
  });
  const svg = s('svg', { class: 'chart__svg', viewBox: `0 0 ${W} ${H}`, width: W, height: H, preserveAspectRatio: 'xMinYMin meet' }, grid, cols);
  return figure(title, summary, svg, table, [...series.map((se) => [se.cls, se.name]), ['target', 'Chỉ tiêu']]);
}
