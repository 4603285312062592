// Quản trị: for administrators. Stations (last seen, waiting, failed), accounts (add, disable, a
// new password), API tokens (one for a station, revoke) and agencies. A password or token the
// server generates is shown once, here, and never again.

import { api, enc, isAbort } from './api.js';
import { ROLES, ROLE_NAME } from './names.js';
import { state } from './session.js';
import { busy, fmtAgo, fmtTime, focusNotice, formField, h, notice, num, swap } from './ui.js';

const NO_API = 'Máy chủ này chưa có chức năng này qua trang web; dùng lệnh trên máy chủ (sohoa users, sohoa tokens, sohoa agencies).';

// secret shows a generated password or token once, with what to do with it.
function secret(label, value, what) {
  const code = h('code', { class: 'secret', tabindex: 0, 'aria-label': `${label}: ${value}` }, value);
  const copy = h('button', { type: 'button', class: 'btn btn--small' }, 'Sao chép');
  copy.addEventListener('click', async () => {
    try { await navigator.clipboard.writeText(value); copy.textContent = 'Đã sao chép'; } catch { getSelection().selectAllChildren(code); }
  });
  return [h('strong', {}, `${label}: `), code, ' ', copy, h('span', { class: 'secret__note small' }, ` ${what} Chỉ hiện một lần: ghi lại ngay.`)];
}

export function adminView(root) {
  document.title = 'Quản trị — Số hóa hồ sơ';
  const ctl = new AbortController();
  const { signal } = ctl;

  const stationsBox = h('div', { class: 'table-wrap' }, h('p', { class: 'muted' }, 'Đang tải…'));
  const accountsBox = h('div', { class: 'table-wrap' }, h('p', { class: 'muted' }, 'Đang tải…'));
  const accountsMsg = h('div', { class: 'msg', tabindex: -1 });
  const tokensBox = h('div', { class: 'table-wrap' }, h('p', { class: 'muted' }, 'Đang tải…'));
  const tokensMsg = h('div', { class: 'msg', tabindex: -1 });
  const agenciesBox = h('div', { class: 'table-wrap' }, h('p', { class: 'muted' }, 'Đang tải…'));
  const agenciesMsg = h('div', { class: 'msg', tabindex: -1 });

  // --- add an account
  const an = formField('acc-name', 'Tên tài khoản', { required: true, spellcheck: 'false', autocapitalize: 'none', hint: 'Chữ thường, số, dấu gạch ngang; ví dụ may-quet-2.' });
  const ar = formField('acc-role', 'Vai trò', { tag: 'select', required: true });
  ar.input.append(...ROLES.map(([v, t]) => h('option', { value: v }, t)));
  const ag = formField('acc-agency', 'Cơ quan', { tag: 'select' });
  const addAcc = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Thêm tài khoản');
  const accForm = h('form', { class: 'form form--grid', novalidate: true, 'aria-label': 'Thêm tài khoản' },
    an.box, ar.box, ag.box, h('div', { class: 'form__wide button-row' }, addAcc));

  // --- add an agency
  const gi = formField('ag-id', 'Mã cơ quan (QCVN 102)', { required: true, class: 'mono', spellcheck: 'false', hint: 'Ví dụ 000.00.54.H26.' });
  const gn = formField('ag-name', 'Tên cơ quan', { required: true });
  const gp = formField('ag-parent', 'Cơ quan cấp trên', { tag: 'select' });
  const addAg = h('button', { type: 'submit', class: 'btn' }, 'Thêm cơ quan');
  const agForm = h('form', { class: 'form form--grid', novalidate: true, 'aria-label': 'Thêm cơ quan' },
    gi.box, gn.box, gp.box, h('div', { class: 'form__wide button-row' }, addAg));

  root.append(
    h('h1', { tabindex: -1 }, 'Quản trị'),
    h('nav', { class: 'toc', 'aria-label': 'Các phần quản trị' }, h('ul', {},
      [['ad-stations', 'Máy quét'], ['ad-accounts', 'Tài khoản'], ['ad-tokens', 'Mã truy cập (token)'], ['ad-agencies', 'Cơ quan']]
        .map(([id, t]) => h('li', {}, h('a', { href: `#${id}`, 'data-jump': id }, t))))),
    h('section', { class: 'card', id: 'ad-stations', 'aria-labelledby': 'ad-stations-h', tabindex: -1 },
      h('h2', { id: 'ad-stations-h' }, 'Máy quét'),
      h('p', { class: 'muted small' }, 'Mỗi máy quét báo về vài chục giây một lần: số tệp đang chờ gửi, đã gửi hôm nay, bị từ chối.'),
      stationsBox),
    h('section', { class: 'card', id: 'ad-accounts', 'aria-labelledby': 'ad-accounts-h', tabindex: -1 },
      h('h2', { id: 'ad-accounts-h' }, 'Tài khoản'), accountsMsg, accountsBox,
      h('h3', { class: 'subhead' }, 'Thêm tài khoản'), accForm),
    h('section', { class: 'card', id: 'ad-tokens', 'aria-labelledby': 'ad-tokens-h', tabindex: -1 },
      h('h2', { id: 'ad-tokens-h' }, 'Mã truy cập (token)'),
      h('p', { class: 'muted small' }, 'Máy quét và các hệ thống khác gửi tệp bằng mã truy cập của tài khoản mình. Mã bị lộ hay máy bị thay: thu hồi, rồi cấp mã mới.'),
      tokensMsg, tokensBox),
    h('section', { class: 'card', id: 'ad-agencies', 'aria-labelledby': 'ad-agencies-h', tabindex: -1 },
      h('h2', { id: 'ad-agencies-h' }, 'Cơ quan'), agenciesMsg, agenciesBox,
      h('h3', { class: 'subhead' }, 'Thêm cơ quan'), agForm));
  // In-page links move focus without touching the address (which names the view).
  root.querySelector('.toc').addEventListener('click', (e) => {
    const a = e.target.closest('[data-jump]');
    if (!a) return;
    e.preventDefault();
    const s = document.getElementById(a.dataset.jump);
    s.scrollIntoView();
    s.focus();
  });

  let agencyList = [];
  const agencyName = (id) => agencyList.find((a) => a.id === id)?.name;

  async function loadStations() {
    let data;
    try { data = await api('/api/v1/stations', { signal }); } catch (e) {
      if (isAbort(e)) return;
      swap(stationsBox, notice('error', `Không tải được danh sách máy quét: ${e.message}`));
      return;
    }
    const list = data.stations ?? [];
    if (!list.length) { swap(stationsBox, notice('empty', 'Chưa có máy quét nào. Thêm một tài khoản vai trò Máy quét rồi cấp mã truy cập cho nó.')); return; }
    swap(stationsBox, h('table', { class: 'docs stations' },
      h('caption', { class: 'visually-hidden' }, 'Các máy quét'),
      h('thead', {}, h('tr', {}, ['Máy quét', 'Liên lạc lần cuối', 'Đang chờ gửi', 'Đã gửi hôm nay', 'Bị từ chối', 'Lỗi gần nhất'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((s) => {
        const seen = s.reported_at || s.last_used;
        const old = !seen || Date.now() - new Date(seen).getTime() > 5 * 60 * 1000;
        return h('tr', { 'data-station': s.name },
          h('td', { 'data-label': 'Máy quét' }, h('strong', {}, s.name), s.disabled ? [' ', h('span', { class: 'badge badge--failed' }, 'Đã khóa')] : null,
            h('span', { class: 'docs__title' }, [s.host, s.version ? `phiên bản ${s.version}` : '', agencyName(s.agency) || s.agency].filter(Boolean).join(' · '))),
          h('td', { 'data-label': 'Liên lạc lần cuối' }, h('span', { class: old ? 'bad' : '' }, fmtAgo(seen)),
            seen ? h('span', { class: 'docs__title' }, fmtTime(seen)) : null),
          h('td', { 'data-label': 'Đang chờ gửi', class: 'num' }, num.format(s.waiting + s.sending)),
          h('td', { 'data-label': 'Đã gửi hôm nay', class: 'num' }, num.format(s.sent_today)),
          h('td', { 'data-label': 'Bị từ chối', class: 'num' }, s.failed ? h('span', { class: 'bad' }, num.format(s.failed)) : '0'),
          h('td', { 'data-label': 'Lỗi gần nhất' }, s.last_error || h('span', { class: 'muted' }, '—')));
      }))));
  }

  async function loadAccounts() {
    let data;
    try { data = await api('/api/v1/accounts', { signal }); } catch (e) {
      if (isAbort(e)) return;
      swap(accountsBox, notice(e.status === 404 ? 'empty' : 'error', e.status === 404 ? NO_API : `Không tải được tài khoản: ${e.message}`));
      return;
    }
    const list = data.accounts ?? [];
    swap(accountsBox, h('table', { class: 'docs accounts' },
      h('caption', { class: 'visually-hidden' }, 'Các tài khoản'),
      h('thead', {}, h('tr', {}, ['Tài khoản', 'Vai trò', 'Cơ quan', 'Trạng thái', 'Thao tác'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((a) => {
        const acts = [];
        if (!a.disabled) {
          if (a.role === 'station' || a.role === 'admin') {
            const t = h('button', { type: 'button', class: 'btn btn--small btn--primary', 'data-key': `token:${a.name}` }, 'Cấp mã truy cập', h('span', { class: 'visually-hidden' }, ` cho ${a.name}`));
            t.addEventListener('click', () => newToken(a.name, t));
            acts.push(t);
          }
          if (a.role !== 'station') {
            const p = h('button', { type: 'button', class: 'btn btn--small', 'data-key': `pw:${a.name}` }, 'Đặt lại mật khẩu', h('span', { class: 'visually-hidden' }, ` của ${a.name}`));
            p.addEventListener('click', () => newPassword(a.name, p));
            acts.push(p);
          }
          if (a.name !== state.me?.name) {
            const d = h('button', { type: 'button', class: 'btn btn--small btn--warn', 'data-key': `off:${a.name}` }, 'Khóa', h('span', { class: 'visually-hidden' }, ` tài khoản ${a.name}`));
            d.addEventListener('click', () => disable(a.name, d));
            acts.push(d);
          }
        }
        return h('tr', { 'data-account': a.name },
          h('td', { 'data-label': 'Tài khoản' }, h('strong', {}, a.name), a.created_at ? h('span', { class: 'docs__title' }, `tạo ${fmtTime(a.created_at)}`) : null),
          h('td', { 'data-label': 'Vai trò' }, a.role_label || ROLE_NAME[a.role] || a.role),
          h('td', { 'data-label': 'Cơ quan' }, agencyName(a.agency) || a.agency || '—', agencyName(a.agency) ? h('span', { class: 'docs__title mono' }, a.agency) : null),
          h('td', { 'data-label': 'Trạng thái' }, a.disabled ? h('span', { class: 'badge badge--failed' }, 'Đã khóa')
            : a.locked ? h('span', { class: 'badge badge--processing' }, 'Tạm khóa (sai mật khẩu)') : h('span', { class: 'badge badge--done' }, 'Đang dùng')),
          h('td', { 'data-label': 'Thao tác', class: 'actions' }, acts.length ? acts : h('span', { class: 'muted' }, '—')));
      }))));
  }

  async function loadTokens() {
    let data;
    try { data = await api('/api/v1/tokens', { signal }); } catch (e) {
      if (isAbort(e)) return;
      swap(tokensBox, notice(e.status === 404 ? 'empty' : 'error', e.status === 404 ? NO_API : `Không tải được mã truy cập: ${e.message}`));
      return;
    }
    const list = data.tokens ?? [];
    if (!list.length) { swap(tokensBox, notice('empty', 'Chưa có mã truy cập nào.')); return; }
    swap(tokensBox, h('table', { class: 'docs tokens' },
      h('caption', { class: 'visually-hidden' }, 'Các mã truy cập'),
      h('thead', {}, h('tr', {}, ['Mã', 'Tài khoản', 'Cấp lúc', 'Dùng lần cuối', 'Thao tác'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((t) => {
        let act = h('span', { class: 'badge badge--failed' }, `Đã thu hồi ${fmtTime(t.revoked_at)}`);
        if (!t.revoked_at) {
          act = h('button', { type: 'button', class: 'btn btn--small btn--warn', 'data-key': `revoke:${t.id}` }, 'Thu hồi', h('span', { class: 'visually-hidden' }, ` mã ${t.id} của ${t.account}`));
          act.addEventListener('click', () => revoke(t, act));
        }
        return h('tr', { 'data-token': t.id, 'data-account': t.account },
          h('td', { 'data-label': 'Mã' }, h('span', { class: 'mono' }, t.id)),
          h('td', { 'data-label': 'Tài khoản' }, t.account),
          h('td', { 'data-label': 'Cấp lúc', class: 'nowrap' }, fmtTime(t.created_at)),
          h('td', { 'data-label': 'Dùng lần cuối', class: 'nowrap' }, t.used_at ? fmtTime(t.used_at) : h('span', { class: 'muted' }, 'chưa dùng')),
          h('td', { 'data-label': 'Thao tác', class: 'actions' }, act));
      }))));
  }

  async function loadAgencies() {
    let data;
    try { data = await api('/api/v1/agencies', { signal }); } catch (e) {
      if (isAbort(e)) return;
      swap(agenciesBox, notice(e.status === 404 ? 'empty' : 'error', e.status === 404 ? NO_API : `Không tải được cơ quan: ${e.message}`));
      agencyList = state.me?.agency ? [{ id: state.me.agency, name: state.me.agency }] : [];
      fillAgencySelects();
      return;
    }
    agencyList = data.agencies ?? [];
    fillAgencySelects();
    swap(agenciesBox, h('table', { class: 'docs agencies' },
      h('caption', { class: 'visually-hidden' }, 'Các cơ quan'),
      h('thead', {}, h('tr', {}, ['Mã', 'Tên', 'Cơ quan cấp trên'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, agencyList.map((a) => h('tr', { 'data-agency': a.id },
        h('td', { 'data-label': 'Mã' }, h('span', { class: 'mono' }, a.id)),
        h('td', { 'data-label': 'Tên' }, a.name),
        h('td', { 'data-label': 'Cơ quan cấp trên' }, a.parent ? `${agencyName(a.parent) ?? ''} (${a.parent})` : h('span', { class: 'muted' }, '—')))))));
  }

  function fillAgencySelects() {
    const opts = (none) => [none ? h('option', { value: '' }, none) : null,
      ...agencyList.map((a) => h('option', { value: a.id, selected: a.id === state.me?.agency }, `${a.name} (${a.id})`))].filter(Boolean);
    ag.input.replaceChildren(...opts(agencyList.length ? null : 'Cơ quan của tôi'));
    gp.input.replaceChildren(...opts('Không có (cấp cao nhất)'));
    gp.input.value = state.me?.agency ?? '';
  }

  async function newToken(name, btn) {
    const restore = busy(btn, 'Đang cấp…');
    if (!restore) return;
    try {
      const t = await api(`/api/v1/accounts/${enc(name)}/tokens`, { method: 'POST', signal });
      focusNotice(accountsMsg, 'ok', secret(`Mã truy cập của ${name}`, t.token,
        'Đặt vào máy quét (-token hoặc SOHOA_STATION_TOKEN).'));
      loadTokens();
    } catch (e) {
      if (isAbort(e)) return;
      focusNotice(accountsMsg, 'error', `Không cấp được mã truy cập: ${e.message}`);
    }
    restore();
  }

  async function newPassword(name, btn) {
    const restore = busy(btn, 'Đang đặt…');
    if (!restore) return;
    try {
      const r = await api(`/api/v1/accounts/${enc(name)}/password`, { method: 'POST', signal });
      focusNotice(accountsMsg, 'ok', secret(`Mật khẩu mới của ${name}`, r.password, 'Trao tận tay người dùng.'));
    } catch (e) {
      if (isAbort(e)) return;
      focusNotice(accountsMsg, 'error', `Không đặt lại được mật khẩu: ${e.message}`);
    }
    restore();
  }

  async function disable(name, btn) {
    const restore = busy(btn, 'Đang khóa…');
    if (!restore) return;
    try {
      await api(`/api/v1/accounts/${enc(name)}/disable`, { method: 'POST', signal });
      focusNotice(accountsMsg, 'ok', `Đã khóa tài khoản ${name}; các mã truy cập của nó không dùng được nữa.`);
      loadAccounts();
      loadTokens();
    } catch (e) {
      if (isAbort(e)) return;
      focusNotice(accountsMsg, 'error', `Không khóa được: ${e.message}`);
      restore();
    }
  }

  async function revoke(t, btn) {
    const restore = busy(btn, 'Đang thu hồi…');
    if (!restore) return;
    try {
      await api(`/api/v1/tokens/${enc(t.id)}`, { method: 'DELETE', signal });
      focusNotice(tokensMsg, 'ok', `Đã thu hồi mã ${t.id} của ${t.account}.`);
      loadTokens();
    } catch (e) {
      if (isAbort(e)) return;
      focusNotice(tokensMsg, 'error', `Không thu hồi được: ${e.message}`);
      restore();
    }
  }

  accForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    an.setError('');
    const body = { name: an.input.value.trim(), role: ar.input.value, agency: ag.input.value };
    if (!body.name) { an.setError('Nhập tên tài khoản.'); an.input.focus(); return; }
    if (!body.agency) delete body.agency;
    const restore = busy(addAcc, 'Đang thêm…');
    if (!restore) return;
    try {
      const r = await api('/api/v1/accounts', { method: 'POST', json: body, signal });
      an.input.value = '';
      focusNotice(accountsMsg, 'ok', `Đã thêm tài khoản ${r.account?.name ?? body.name} (${ROLE_NAME[body.role]}). `,
        body.role === 'station' ? 'Cấp mã truy cập cho máy quét ở dòng của nó trong bảng.' : secret('Mật khẩu', r.password, 'Trao tận tay người dùng.'));
      loadAccounts();
    } catch (err) {
      if (isAbort(err)) return;
      an.setError(err.message);
      an.input.focus();
    }
    restore();
  });

  agForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    gi.setError('');
    gn.setError('');
    const body = { id: gi.input.value.trim(), name: gn.input.value.trim(), parent: gp.input.value };
    if (!body.id) { gi.setError('Nhập mã cơ quan.'); gi.input.focus(); return; }
    if (!body.name) { gn.setError('Nhập tên cơ quan.'); gn.input.focus(); return; }
    if (!body.parent) delete body.parent;
    const restore = busy(addAg, 'Đang thêm…');
    if (!restore) return;
    try {
      await api('/api/v1/agencies', { method: 'POST', json: body, signal });
      gi.input.value = '';
      gn.input.value = '';
      focusNotice(agenciesMsg, 'ok', `Đã thêm cơ quan ${body.name}.`);
      loadAgencies();
    } catch (err) {
      if (isAbort(err)) return;
      gi.setError(err.message);
      gi.input.focus();
    }
    restore();
  });

  loadAgencies().then(() => { loadStations(); loadAccounts(); });
  loadTokens();
  return { unmount() { ctl.abort(); } };
}
