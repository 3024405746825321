// The page's side of SomaDocument: calls into Python and fetches binary results.

import { withPoints } from './partial-points.js';

const apiReady = () => Boolean(window.pywebview && window.pywebview.api &&
  typeof window.pywebview.api.get_state === 'function');

/**
 * Resolves once pywebview has injected window.pywebview.api with its methods. It injects
 * after every load, and on a reload the object can exist before its methods do, or be
 * complete before this module runs (its 'pywebviewready' already fired): so poll as well.
 */
export function bridgeReady() {
  if (apiReady()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setInterval(check, 20);
    window.addEventListener('pywebviewready', check);
    function check() {
      if (!apiReady()) return;
      clearInterval(timer);
      window.removeEventListener('pywebviewready', check);
      resolve();
    }
  });
}

/**
 * Call a SomaDocument method. Resolves to its reply: {ok: true, ...} or {ok: false, error}.
 * A JS-side failure (the bridge itself broke) is turned into the same shape, so callers have
 * one path for every error.
 */
export async function call(method, ...args) {
  try {
    return await window.pywebview.api[method](...args);
  } catch (error) {
    return { ok: false, error: `${method} failed: ${error && error.message ? error.message : error}` };
  }
}

/** Fetch the raw bytes of a result served on /data/<key>; the route demands the run's token. */
export async function fetchBytes(url) {
  const response = await fetch(url, { headers: { 'X-Soma-Token': window.pywebview.token } });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * get_state, the whole document, with the partials' points fetched from its `partialsData`
 * and decoded (partial-points.js): {ok: true, state} or {ok: false, error}. The points are
 * served for the newest version only: a pull overtaken by an edit fails, and the next
 * state's pull brings them.
 */
export async function pullState() {
  const reply = await call('get_state');
  if (!reply.ok) return reply;
  try {
    reply.state.partials = withPoints(reply.state.partials, await fetchBytes(reply.state.partialsData));
  } catch (error) {
    return { ok: false, error: `the partials could not be read: ${error.message}` };
  }
  return reply;
}
