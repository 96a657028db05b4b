// The server's API: the token, JSON requests, and the URLs that cannot carry
// a header (media, event streams), which carry ?token= instead.

const TOKEN_KEY = 'facetrack.token';
let memoryToken = ''; // when sessionStorage is refused

// A ?token= in the page's address is kept for this tab, then taken out of
// the address (it would stay in the history and in screenshots otherwise).
export function initToken() {
  const url = new URL(window.location.href);
  const given = url.searchParams.get('token');
  if (given !== null) {
    setToken(given);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
}

export function token() {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

export function setToken(value) {
  try {
    if (value) window.sessionStorage.setItem(TOKEN_KEY, value);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage refused (private mode): the token lasts as long as the page
  }
  memoryToken = value;
}

function currentToken() {
  return token() || memoryToken;
}

// An error the server answered ({"error": {"status", "message"}}), or a
// network failure (status 0).
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(method, path, body, asText = false) {
  const headers = { Accept: asText ? '*/*' : 'application/json' };
  const t = currentToken();
  if (t) headers.Authorization = `Bearer ${t}`;
  const init = { method, headers, cache: 'no-store' };
  if (method === 'POST') {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  const text = await response.text();
  if (asText && response.ok) return text;
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = data?.error?.message || `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  if (data === null) throw new ApiError(response.status, `${path}: the answer is not JSON`);
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const getText = (path) => request('GET', path, undefined, true);

// A query string from an object, undefined values left out.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// A URL for the browser itself (a <video>, an EventSource): the token as
// an argument.
export function withToken(url) {
  const t = currentToken();
  if (!t) return url;
  return url + (url.includes('?') ? '&' : '?') + `token=${encodeURIComponent(t)}`;
}

// /media/ROOT/PATH, each part of the path encoded.
export function mediaUrl(root, path) {
  const encoded = String(path).split('/').map(encodeURIComponent).join('/');
  return withToken(`/media/${encodeURIComponent(root)}/${encoded}`);
}

export function eventsUrl(jobId) {
  return withToken(`/api/events${query({ job: jobId })}`);
}

// A long answer read as it comes (the Live view's MJPEG stream): the
// Response, with the token in its header; ApiError when it is refused.
export async function openStream(path, signal) {
  const headers = {};
  const t = currentToken();
  if (t) headers.Authorization = `Bearer ${t}`;
  let response;
  try {
    response = await fetch(path, { headers, cache: 'no-store', signal });
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json())?.error?.message || message;
    } catch {
      // not JSON: the status says enough
    }
    throw new ApiError(response.status, message);
  }
  return response;
}
