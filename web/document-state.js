// The document as the page last saw it: states pushed by Python or pulled with get_state
// pass through apply(), which keeps the newest (a state older than the one shown is ignored)
// and tells each subscriber (state, previous). Pushes leave the partials out; this module
// pulls them when their version changed, and keeps the decoded ones until then.

import { withPoints } from './partial-points.js';
import { isStale } from './state-rules.js';

/**
 * @param {object} options
 * @param {() => Promise<{ok: boolean, state?: object}>} options.pull get_state
 * @returns {{current: object|null, apply: (state: object) => void,
 *   subscribe: (listener: (state: object, previous: object|null) => void) => () => void,
 *   dispose: () => void}}
 */
export function createDocumentState({ pull }) {
  let current = null;
  let disposed = false;
  const listeners = new Set();

  function apply(state) {
    if (disposed || isStale(current, state)) return;
    const previous = current;
    if ('partials' in state) { // decoded once per version: a selection change keeps them
      state.partials = previous && previous.partialsVersion === state.partialsVersion
        ? previous.partials : withPoints(state.partials);
    } else { // pushes leave the partials out unless the page needs them
      if (!previous || previous.partialsVersion !== state.partialsVersion) {
        pull().then((reply) => { if (reply.ok) apply(reply.state); });
      }
      // Until they arrive, the page shows the partials it has, under their own version.
      state.partials = previous ? previous.partials : [];
      state.partialsVersion = previous ? previous.partialsVersion : -1;
    }
    current = state;
    for (const listener of listeners) listener(state, previous);
  }

  return {
    get current() { return current; },
    apply,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      disposed = true;
      listeners.clear();
    },
  };
}
