// The toolbar's file commands and the status bar's panels: Open, Recent, Save, Import,
// Export, Demo, Undo, Redo, the Keys list. A menu (a select) gives the keys back after a
// choice: its focus would keep arrows and letters (isTyping), so shortcuts did nothing.

import { listenAll } from './listen.js';

const $ = (id) => document.getElementById(id);

/** Show the list of keys, or close it. */
export function toggleHelp(dialog) {
  if (dialog.open) dialog.close();
  else dialog.showModal();
}

/** Call `onChoice(value)` for each choice made in the menu `select`, which then shows its
 * title again and lets go of the focus; returns dispose. */
export function onMenuChoice(select, onChoice) {
  return listenAll(select, [['change', () => {
    const value = select.value;
    select.value = '';
    select.blur(); // a menu, done with: its focus would keep the keys (isTyping)
    if (value) onChoice(value);
  }]]);
}

/**
 * @param {object} options
 * @param {(method: string, ...args) => Promise<object>} options.act
 * @param {{solo: Set<number>, mute: Set<number>}} options.mix what a resynthesis plays
 * @param {() => string} options.picture the view as a PNG data URL
 * @param {() => void} options.openFigure asks the figure's size (figure-dialog.js)
 * @returns {() => void} dispose
 */
export function wireMenus({ act, mix, picture, openFigure }) {
  const click = (id, run) => listenAll($(id), [['click', run]]);
  const unlisten = [
    click('open', () => act('open_dialog')),
    onMenuChoice($('recent'), (path) => act('open_path', path)),
    click('demo', () => act('open_demo')),
    click('save', () => act('save_project')),
    click('import', () => act('import_partials')),
    onMenuChoice($('export'), (format) => {
      if (format === 'wav' || format === 'flac') {
        act('export_resynthesis', format, [...mix.solo], [...mix.mute]);
      } else if (format === 'png') act('export_image', picture());
      else if (format === 'figure') openFigure();
      else act('export_partials', format);
    }),
    click('undo', () => act('undo')),
    click('redo', () => act('redo')),
    click('help-toggle', () => toggleHelp($('help'))),
  ];
  return () => { for (const stop of unlisten) stop(); };
}
