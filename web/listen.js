// Listeners added together and removed together: each gesture module's dispose() must
// leave nothing behind on its element.

/**
 * Add `listeners` to `target`; returns the function that removes them all.
 * @param {EventTarget} target
 * @param {Array<[string, EventListener, (AddEventListenerOptions|undefined)?]>} listeners
 *   [type, listener, options] each
 * @returns {() => void}
 */
export function listenAll(target, listeners) {
  for (const [type, listener, options] of listeners) target.addEventListener(type, listener, options);
  return () => {
    for (const [type, listener, options] of listeners) {
      target.removeEventListener(type, listener, options);
    }
  };
}
