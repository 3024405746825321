// What Python pushes to the page through window.soma.receive: states, the progress of its
// tasks, log records. window.soma also answers state() (for the console and the GUI tests).

import { renderProgressPanel } from './progress-panel.js';
import { LogPanel } from './log-panel.js';
import { listenAll } from './listen.js';

const $ = (id) => document.getElementById(id);

/**
 * @param {object} options
 * @param {(state: object) => void} options.applyState
 * @param {() => object|null} options.getState the document as this page last saw it
 * @param {(method: string, ...args) => Promise<object>} options.act
 * @param {(message: string) => boolean} [options.shownElsewhere] messages not to toast
 * @param {object} [options.win=globalThis.window] where `soma` is defined
 * @returns {{notify: (message: string) => void, dispose: () => void}} notify shows a
 *   message that is no error (nothing found) as a toast; dispose: window.soma is gone, the
 *   log panel lets go of its filter
 */
export function wirePushEvents({ applyState, getState, act, shownElsewhere,
  win = globalThis.window }) {
  const logPanel = new LogPanel($('log-lines'), $('log-level'), $('toasts'), shownElsewhere);
  const log = $('log');
  const unlisten = listenAll($('log-toggle'), [['click', () => {
    log.hidden = !log.hidden;
    if (!log.hidden) logPanel.showNewest();
  }]]);
  const soma = {
    receive(event) {
      if (event.type === 'state') applyState(event.state);
      else if (event.type === 'progress') {
        renderProgressPanel($('progress'), event.tasks, { onCancel: (id) => act('cancel_task', id) });
      } else if (event.type === 'logs') logPanel.add(event.records);
    },
    /** The document as this page last saw it (for the console and the GUI tests). */
    state: getState,
  };
  win.soma = soma;
  return {
    notify: (message) => logPanel.toast({ level: 'INFO', message }),
    dispose() {
      if (win.soma === soma) delete win.soma;
      unlisten();
      logPanel.dispose();
    },
  };
}
