// The page's side of SomaDocument: calls into Python and fetches binary results.

/** Resolves once pywebview has injected window.pywebview.api (it does so after load). */
export function bridgeReady() {
  if (window.pywebview && window.pywebview.api) return Promise.resolve();
  return new Promise((resolve) =>
    window.addEventListener('pywebviewready', () => resolve(), { once: true }));
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
