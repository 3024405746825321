// The page's one key handler, on the window: every shortcut works whatever has focus (a
// button just clicked, a dialog just closed), except while typing in a text field, a select
// or editable content (keys.js says which key is which command).

import { isTyping, shortcutFor } from './keys.js';
import { listenAll } from './listen.js';
import { viewsEqual } from './view-math.js';
import { viewForKey } from './viewport-gestures.js';

/**
 * @param {object} options
 * @param {EventTarget} options.win where keys are listened for
 * @param {HTMLDialogElement} options.help the list of keys: while it is up, only its own
 *   keys (Esc, and ? to close it)
 * @param {Array<{open: boolean}>} [options.modals] other dialogs: while one is up, the page
 *   has no keys (its own fields and buttons have them)
 * @param {() => object|null} options.getView
 * @param {() => object|null} options.getLimits
 * @param {(view: object) => void} options.onView a navigation key's view
 * @param {Record<string, () => (boolean|void)>} options.commands what each shortcutFor()
 *   command does; one that returns false did nothing, and leaves the key to the browser
 * @returns {() => void} dispose
 */
export function wireKeys({ win, help, modals = [], getView, getLimits, onView, commands }) {
  function onKey(event) {
    if (isTyping(event.target) || modals.some((dialog) => dialog.open)) return;
    if (help.open && event.key !== '?') return;
    const modified = event.ctrlKey || event.metaKey || event.altKey;
    const view = modified ? null : viewForKey(event.key, getView(), getLimits());
    if (view) {
      if (!viewsEqual(view, getView())) onView(view);
    } else {
      const run = commands[shortcutFor(event)];
      if (!run || run() === false) return;
    }
    event.preventDefault();
  }
  return listenAll(win, [['keydown', onKey]]);
}
