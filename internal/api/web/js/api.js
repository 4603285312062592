// The API client: every call of the page goes through here. Errors come back as ApiError with the
// API's Vietnamese reason ({error, code}); a 401 in the middle of work calls the handler set with
// onSessionLost, which brings the sign-in form back on the same address.

export class ApiError extends Error {
  constructor(message, status, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let lost = () => {};
// onSessionLost sets what a 401 does (the session module shows the sign-in form).
export function onSessionLost(fn) { lost = fn; }

// errorOf turns an error answer into the Vietnamese reason the API gives, or a generic one when
// something in between (a proxy, a restart) answered instead.
export function errorOf(status, body) {
  try {
    const j = JSON.parse(body);
    if (j && typeof j.error === 'string' && j.error) return new ApiError(j.error, status, j.code);
  } catch { /* not JSON: fall through */ }
  if (status === 404) return new ApiError('Không tìm thấy (HTTP 404).', status, 'not_found');
  if (status >= 500) return new ApiError(`Máy chủ gặp lỗi (HTTP ${status}); vui lòng thử lại sau.`, status);
  return new ApiError(`Yêu cầu không thành công (HTTP ${status}).`, status);
}

export const OFFLINE = 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.';

// api calls the API; json, when given, is sent as the JSON body. A 401 means the session is gone
// (it expired, or someone signed out in another tab), unless the call is one of the sign-in form's
// own (session: false).
export async function api(path, { method = 'GET', signal, text = false, json, session = true } = {}) {
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
  if (res.status === 401 && session) lost();
  if (!res.ok) throw errorOf(res.status, body);
  if (text) return body;
  if (res.status === 204 || body === '') return null;
  try {
    return JSON.parse(body);
  } catch {
    throw new ApiError('Máy chủ trả lời không đúng định dạng.', res.status);
  }
}

export const isAbort = (e) => e?.name === 'AbortError';

// enc puts one path segment into a URL.
export const enc = encodeURIComponent;

// sendFile posts one file as multipart field "file", reporting upload progress (XMLHttpRequest:
// fetch cannot report it); onProgress(-1) says the bytes are out and the server checks the file.
// It resolves with the parsed answer and rejects with an ApiError. The returned promise has abort().
export function sendFile(url, file, onProgress = () => {}) {
  const xhr = new XMLHttpRequest();
  const p = new Promise((resolve, reject) => {
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.upload.addEventListener('load', () => onProgress(-1, 0));
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try { resolve({ status: xhr.status, body: JSON.parse(xhr.responseText) }); } catch { reject(new ApiError('Máy chủ trả lời không đúng định dạng.', xhr.status)); }
      } else {
        if (xhr.status === 401) lost();
        reject(errorOf(xhr.status, xhr.responseText));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError('Không gửi được tệp: kết nối tới máy chủ bị ngắt. Kiểm tra mạng rồi chọn lại tệp.', 0)));
    xhr.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  p.abort = () => xhr.abort();
  return p;
}

export const retryDocument = (id) => api(`/api/v1/documents/${enc(id)}/retry`, { method: 'POST' });
export const reviewPage = (id, n, signal) => api(`/api/v1/documents/${enc(id)}/pages/${n}/review`, { method: 'POST', signal });
