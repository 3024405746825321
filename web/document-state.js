// The document as the page last saw it: states pushed by Python or pulled with get_state
// pass through apply(), which keeps the newest (a state older than the one shown is ignored)
// and tells each subscriber (state, previous). Pushes and replies leave the partials out;
// this module pulls them (get_state and their points' bytes: bridge.js, pullState) when
// their version changed, and keeps the decoded ones until then.

import { isStale } from './state-rules.js';

/**
 * @param {object} options
 * @param {() => Promise<{ok: boolean, state?: object}>} options.pull the state with its
 *   partials decoded (pullState)
 * @returns {{current: object|null, apply: (state: object) => void,
 *   subscribe: (listener: (state: object, previous: object|null) => void) => () => void,
 *   dispose: () => void}}
 */
export function createDocumentState({ pull }) {
  let current = null;
  let disposed = false;
  const listeners = new Set();
  // Partials versions only grow: the newest the document has announced, and the one a
  // pull is under way for (one pull per version, however many states arrive meanwhile).
  let wanted = -1;
  let pulling = null;

  function publish(state) {
    const previous = current;
    current = state;
    for (const listener of listeners) listener(state, previous);
  }

  function pullIfBehind() {
    if (disposed || (current && current.partialsVersion === wanted) || pulling === wanted) return;
    const version = wanted;
    pulling = version;
    pull().then((reply) => {
      if (pulling === version) pulling = null;
      if (reply.ok) apply(reply.state);
    });
  }

  function apply(state) {
    if (disposed) return;
    wanted = Math.max(wanted, state.partialsVersion);
    if ('partials' in state) { // pulled
      if (isStale(current, state)) {
        // Older than the state shown (a zoom's states came while it was pulled), but its
        // partials may be newer than those shown: they are taken, the rest is not.
        if (state.partialsVersion > current.partialsVersion) {
          publish({ ...current, partials: state.partials, partialsVersion: state.partialsVersion });
        }
      } else {
        if (current && current.partialsVersion === state.partialsVersion) {
          state.partials = current.partials; // kept as they were: the same version
        }
        publish(state);
      }
    } else if (!isStale(current, state)) { // pushes and replies leave the partials out
      // Until they arrive, the page shows the partials it has, under their own version.
      state.partials = current ? current.partials : [];
      state.partialsVersion = current ? current.partialsVersion : -1;
      publish(state);
    }
    pullIfBehind();
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
