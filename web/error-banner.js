// The error banner: the newest failure, Python's (in the state) or one the page saw itself
// (a refused call, a failed fetch). The page's own is shown until dismissed or until Python
// reports a newer one in the state: refused calls are not in the state, so without this the
// next push (several a second while zooming) would hide the message at once.

import { listenAll } from './listen.js';

/**
 * @param {object} options
 * @param {{banner: HTMLElement, text: HTMLElement, dismiss: HTMLElement}} options.elements
 * @param {() => object|null} options.getState the state shown
 * @param {() => void} options.onDismiss the user closed the banner (Python forgets its error)
 * @param {HTMLElement} [options.toasts] the log's toasts: one with the banner's message goes,
 *   so that a message appears once
 */
export function wireErrorBanner({ elements, getState, onDismiss, toasts }) {
  let error = ''; // the newest failure the page saw itself, '' when none

  function render() {
    const state = getState();
    const message = error || (state && state.error) || '';
    elements.banner.hidden = !message;
    elements.text.textContent = message;
    for (const toast of (message && toasts ? [...toasts.children] : [])) {
      if (toast.textContent === message) toast.remove();
    }
  }

  const unlisten = listenAll(elements.dismiss, [['click', () => {
    error = '';
    render();
    onDismiss();
  }]]);

  return {
    render,
    /** Whether the banner shows `message` now. */
    shows: (message) => !elements.banner.hidden && elements.text.textContent === message,
    /** Show `message` until dismissed or until Python reports a newer error. */
    show(message) {
      error = message;
      render();
    },
    /** A new state: its error, when new, is newer than the page's own. */
    stateArrived(state, previous) {
      if (state.error && (!previous || state.error !== previous.error)) error = '';
      render();
    },
    dispose: unlisten,
  };
}
