// Sign-in: the form, the account in the header with Đăng xuất, and the form again on the same
// address when a session ends in the middle of work.

import { api, onSessionLost } from './api.js';
import { state } from './session.js';
import { announce, busy, formField, h, notice, swap } from './ui.js';

let hooks = { route() {}, unmount() {}, paintNav() {}, signedOut() {} };

// setup wires the module to the router: route shows the address's view, unmount drops the current
// one, paintNav shows the entries the role may use, signedOut forgets the account's work.
export function setup(h) {
  hooks = h;
  onSessionLost(sessionLost);
}

// showSignIn puts the sign-in form in place of the view; why, when given, says why it is back.
// The address (the hash) is left as it is, so signing in again returns to the same view.
export function showSignIn(why) {
  hooks.unmount();
  paintAccount();
  document.title = 'Đăng nhập — Số hóa hồ sơ';
  const name = formField('signin-name', 'Tên tài khoản', {
    required: true, autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', value: state.lastName || null,
  });
  const pass = formField('signin-password', 'Mật khẩu', { required: true, type: 'password', autocomplete: 'current-password' });
  const msg = h('div', { class: 'msg', id: 'signin-msg' });
  pass.input.setAttribute('aria-describedby', `${pass.input.getAttribute('aria-describedby')} signin-msg`);
  const submit = h('button', { type: 'submit', class: 'btn btn--primary' }, 'Đăng nhập');
  const form = h('form', { class: 'form signin', novalidate: true, 'aria-labelledby': 'signin-h' },
    name.box, pass.box, msg, h('div', { class: 'button-row' }, submit));
  document.getElementById('main').replaceChildren(
    h('section', { class: 'card signin__card' },
      h('h1', { id: 'signin-h', tabindex: -1 }, 'Đăng nhập'),
      why ? notice(why.kind, why.text) : h('p', { class: 'muted' }, 'Đăng nhập bằng tài khoản do quản trị viên cấp.'),
      form));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    name.setError('');
    pass.setError('');
    msg.replaceChildren();
    const n = name.input.value.trim(), p = pass.input.value;
    if (!n) { name.setError('Nhập tên tài khoản.'); name.input.focus(); return; }
    if (!p) { pass.setError('Nhập mật khẩu.'); pass.input.focus(); return; }
    const restore = busy(submit, 'Đang đăng nhập…');
    if (!restore) return;
    try {
      await api('/api/v1/session', { method: 'POST', json: { name: n, password: p }, session: false });
      // Who acts is what the server says the session is, not what was typed.
      signedIn(await api('/api/v1/session', { session: false }), true);
    } catch (err) {
      // The API's reason: a wrong name or password, or the account locked for a while.
      swap(msg, notice('error', err.message));
      announce(err.message);
      pass.input.value = '';
      pass.input.focus();
      restore();
    }
  });
  (state.lastName ? pass : name).input.focus();
}

// signedIn shows the account in the header and the view the address names.
export function signedIn(who, focus) {
  state.me = who;
  state.lastName = '';
  paintAccount();
  document.getElementById('main').replaceChildren();
  hooks.route(focus);
}

// sessionLost brings the form back when a call answers 401 in the middle of work.
function sessionLost() {
  if (!state.me) return; // several calls in flight all answer 401: once is enough
  state.lastName = state.me.name;
  state.me = null;
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
  // The next person at this counter starts clean: on a new page, so that nothing of this account's
  // stays in memory — no upload, no dossier, no address (a search's words), and no page image the
  // browser would show the next account again without asking the server, outside the trail.
  hooks.signedOut();
  sessionStorage.setItem(SIGNED_OUT, '1');
  location.replace(location.pathname);
}

// SIGNED_OUT marks, across the reload that ends a sign-out, that the form should say so.
const SIGNED_OUT = 'sohoa.signedOut';

// signedOutNotice is the form's message after a sign-out, once.
export function signedOutNotice() {
  if (sessionStorage.getItem(SIGNED_OUT) !== '1') return null;
  sessionStorage.removeItem(SIGNED_OUT);
  announce('Đã đăng xuất.');
  return { kind: 'ok', text: 'Đã đăng xuất.' };
}

// paintAccount shows who is signed in and the navigation the role may use, or neither.
export function paintAccount() {
  const box = document.getElementById('account'), nav = document.getElementById('nav');
  const me = state.me;
  nav.hidden = !me;
  box.hidden = !me;
  if (!me) { box.replaceChildren(); return; }
  hooks.paintNav();
  const out = h('button', { type: 'button', class: 'btn btn--small btn--onbrand', id: 'sign-out' }, 'Đăng xuất');
  out.addEventListener('click', () => signOut(out));
  box.replaceChildren(
    h('p', { class: 'account__who' },
      h('span', { class: 'visually-hidden' }, 'Đang đăng nhập: '),
      h('strong', { class: 'account__name' }, me.name),
      h('span', { class: 'account__role' }, me.role_label)),
    out);
}
