// Every call to DockUp's API: same-origin fetch with the session cookie, JSON both ways, and
// errors turned into words (the API's {"error": "..."}), never raw JSON.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body || {};
  }
}

const listeners = new Set();
const usedListeners = new Set();

/** Called after each answered request: the server renews the session cookie as it is used. */
export function onUsed(fn) {
  usedListeners.add(fn);
  return () => usedListeners.delete(fn);
}

/** Called with every 401 answer to a request that needed a session: the page returns to login. */
export function onUnauthorized(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function wordsFor(status, body) {
  if (body && typeof body.error === 'string' && body.error) return body.error;
  if (status === 0) return 'DockUp cannot be reached. Check the connection and try again.';
  if (status === 413) return 'The request is too large.';
  if (status === 429) return 'Too many attempts. Wait a moment and try again.';
  if (status >= 500) return `DockUp could not complete the request (HTTP ${status}).`;
  return `The request failed (HTTP ${status}).`;
}

/**
 * fetch() for the API. Resolves with the parsed body; rejects with an ApiError whose message
 * is the API's own words. `quiet401` is for the calls that probe whether a session exists.
 */
export async function api(method, path, body, { quiet401 = false, signal } = {}) {
  let res;
  // A read that the network dropped is asked again (Chromium drops requests when Docker changes
  // the host's networks); a change is never sent twice.
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetch(path, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      break;
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      if (method !== 'GET' || attempt >= 2) throw new ApiError(0, wordsFor(0));
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
    }
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    if (res.status === 401 && !quiet401) listeners.forEach((fn) => fn());
    throw new ApiError(res.status, wordsFor(res.status, data), data);
  }
  usedListeners.forEach((fn) => fn());
  return data ?? {};
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body = {}, opts) => api('POST', path, body, opts);
export const put = (path, body = {}, opts) => api('PUT', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

const enc = encodeURIComponent;

/** A module loaded when first needed (the editor, the terminal), asked again if the network dropped it. */
export async function lazy(load) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await load();
    } catch (e) {
      if (attempt >= 2) throw e;
      await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
    }
  }
}

/** The API path of a stack: through its node for cluster members, through the peer for HTTP peers. */
export function stackPath(ref, rest = '') {
  if (ref.peer) return `/api/peer/${enc(ref.peer)}/stack/${enc(ref.name)}${rest}`;
  return `/api/nodes/${enc(ref.node)}/stack/${enc(ref.name)}${rest}`;
}
