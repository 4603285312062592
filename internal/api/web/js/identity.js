// The owner's identifier checked as it is typed, by the rules of internal/identity (the server
// checks again, with the province list): a personal ID (CCCD) of 12 digits, or a tax code of 10
// digits, or NNNNNNNNNN-NNN for a dependent unit, with its check digit.

const TAX_WEIGHTS = [31, 29, 23, 19, 17, 13, 7, 5, 3];

// checkOwner returns {ok, kind, message}; partial, while typing, says nothing is wrong yet.
export function checkOwner(raw, { partial = false } = {}) {
  const s = raw.replace(/[\s.]/g, '');
  if (!s) return { ok: false, message: partial ? '' : 'Nhập số định danh cá nhân hoặc mã số thuế.' };
  const bad = /[^0-9-]/.exec(s);
  if (bad) return { ok: false, message: `Chỉ được gồm chữ số (và một dấu “-” trước mã đơn vị phụ thuộc), nhưng có ký tự “${bad[0]}”.` };
  const [base, branch, more] = s.split('-');
  if (more !== undefined) return { ok: false, message: 'Chỉ được có một dấu “-”.' };
  if (branch !== undefined || base.length === 10 || base.length === 13) {
    let b = base, br = branch;
    if (br === undefined && b.length === 13) { br = b.slice(10); b = b.slice(0, 10); }
    if (b.length !== 10) return { ok: false, message: partial && b.length < 10 ? '' : `Mã số thuế: phần trước dấu “-” phải có 10 chữ số, đã nhập ${b.length}.` };
    if (br !== undefined && br.length !== 3) return { ok: false, message: partial && br.length < 3 ? '' : `Mã đơn vị phụ thuộc phải có 3 chữ số, đã nhập ${br.length}.` };
    if (br === '000') return { ok: false, message: 'Mã đơn vị phụ thuộc phải từ 001 đến 999.' };
    const sum = TAX_WEIGHTS.reduce((t, w, i) => t + Number(b[i]) * w, 0);
    const check = 10 - (sum % 11);
    if (check === 10 || Number(b[9]) !== check) {
      // 10 digits may still become a 12-digit personal ID while typing.
      if (partial && br === undefined && base.length === 10) return { ok: false, message: '' };
      return { ok: false, message: 'Mã số thuế sai chữ số kiểm tra (chữ số thứ 10), có thể đã nhập nhầm một chữ số.' };
    }
    return { ok: true, kind: 'business', message: br ? `Mã số thuế đơn vị phụ thuộc ${b}-${br}.` : `Mã số thuế ${b}.` };
  }
  if (s.length === 12) return { ok: true, kind: 'citizen', message: `Số định danh cá nhân (CCCD) ${s}.` };
  if (partial && s.length < 12) return { ok: false, message: '' };
  return { ok: false, message: `Số định danh cá nhân có 12 chữ số, mã số thuế 10 chữ số (hoặc NNNNNNNNNN-NNN); đã nhập ${s.length} chữ số.` };
}
