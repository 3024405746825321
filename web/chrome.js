// What the page shows of the document around the pictures: the file's summary and the
// window title, busy and computing marks, Undo/Redo/Re-snap/Save, the colour levels, the
// Display panel, the Recent menu, the image info and the partials list.

import { formatTime } from './axes.js';
import { DisplayPanel } from './display-panel.js';
import { LevelsControl } from './levels-control.js';
import { renderPartialsPanel } from './partials-panel.js';

const $ = (id) => document.getElementById(id);

function fileSummary(file) {
  const channels = file.channels === 1 ? 'mono' : file.channels === 2 ? 'stereo' : `${file.channels} ch`;
  return `<b></b> · ${(file.sampleRate / 1000).toLocaleString('en')} kHz · ${channels} · ` +
    `${formatTime(file.duration)} · ${file.format} ${file.subtype}`;
}

function describeImage(image) {
  const window = image.method === 'stft' ? `, window up to ${image.windowSize} samples` : '';
  return `${image.method.toUpperCase()} ${image.width}×${image.height}${window}, ` +
    `${Math.round(image.seconds * 1000)} ms`;
}

/** The Recent menu: a file's name, its folder in the tooltip; rebuilt only when it changes. */
function renderRecent(recent) {
  const menu = $('recent');
  if (menu.dataset.paths === recent.join('\n')) return;
  menu.dataset.paths = recent.join('\n');
  menu.replaceChildren(menu.options[0], ...recent.map((path) => {
    const option = document.createElement('option');
    option.value = path;
    option.textContent = path.split(/[\\/]/).pop();
    option.title = path;
    return option;
  }));
  menu.disabled = recent.length === 0;
}

/**
 * @param {object} options
 * @param {() => object|null} options.getState the document state shown
 * @param {{solo: Set<number>, mute: Set<number>}} options.mix partials soloed and muted for
 *   playback (the page's, not the document's); the list's buttons change them
 * @param {(method: string, ...args) => Promise<object>} options.act
 * @param {(id: number|null, additive: boolean) => void} options.select
 * @param {(view: object) => void} options.onView show a view (the Display panel's typed one)
 * @param {() => object|null} options.getLimits what the file allows a view to be
 * @param {(message: string) => void} options.showError
 * @param {string[]} options.colormapNames the colour maps, the default first
 * @returns {{render: (state: object) => void, dispose: () => void}}
 */
export function wireChrome({ getState, mix, act, select, onView, getLimits, showError,
  colormapNames }) {
  let panelKey = ''; // what the partials list shows now
  const levels = new LevelsControl(
    { floor: $('level-floor'), ceiling: $('level-ceiling'), reset: $('levels-reset') },
    { onSet: (floor, ceiling) => act('set_levels', floor, ceiling) });
  $('display-colormap').replaceChildren(...colormapNames.map((name) => {
    const option = document.createElement('option');
    option.value = option.textContent = name;
    return option;
  }));
  const display = new DisplayPanel(
    Object.fromEntries(['method', 'windowMs', 'hopMs', 'q', 'colormap', 'frequencyScale', 'start',
      'end', 'fmin', 'fmax'].map((key) => [key, $(`display-${key}`)])),
    { onDisplay: (settings) => act('set_display', settings), onView, showError });

  function toggle(set, id) {
    if (set.has(id)) set.delete(id); else set.add(id);
    renderPartialsList(getState());
  }

  function renderPartialsList(state) {
    // Rebuilding the list on every push (several a second while zooming) would cost the page
    // more than anything else it does then: only when what it shows has changed.
    const key = [state.partialsVersion, state.selection, [...mix.solo], [...mix.mute]].join('|');
    if (key === panelKey) return;
    panelKey = key;
    renderPartialsPanel($('partials'), { partials: state.partials || [], selection: state.selection || [],
      solo: [...mix.solo], mute: [...mix.mute] }, {
      onSolo: (id) => toggle(mix.solo, id),
      onMute: (id) => toggle(mix.mute, id),
      onSelect: select,
      onRename: (id, name) => act('rename_partial', id, name),
      onRecolor: (id, color) => act('recolor_partial', id, color),
      onDelete: (ids) => act('delete_partials', ids),
    });
  }

  function render(state) {
    const info = $('file-info');
    if (state.file) {
      info.innerHTML = fileSummary(state.file);
      info.querySelector('b').textContent = state.file.name; // names are text, never markup
      info.title = state.file.path || state.file.name;
    } else {
      info.textContent = 'No file';
    }
    $('busy').hidden = !state.busy;
    $('busy-label').textContent = state.busy ? `${state.busy}…` : '';
    $('computing').hidden = !state.computing;
    $('undo').disabled = !state.undo;
    $('undo').title = state.undo ? `Undo ${state.undo} (Ctrl+Z)` : 'Nothing to undo';
    $('resnap').disabled = !(state.selection && state.selection.length === 1);
    $('save').textContent = state.modified ? 'Save •' : 'Save';
    document.title = state.title; // Python's rule, which the window's title follows too
    $('redo').disabled = !state.redo;
    $('redo').title = state.redo ? `Redo ${state.redo} (Ctrl+Shift+Z)` : 'Nothing to redo';
    document.body.dataset.status = state.busy ? 'loading' : state.file ? 'ready' : 'empty';
    levels.render(state);
    display.render(state, false, getLimits());
    renderRecent(state.recent || []);
    const shown = state.viewport || state.overview;
    $('image-info').textContent = shown
      ? `${state.viewport ? 'View' : 'Overview'}: ${describeImage(shown)}` : '';
    renderPartialsList(state);
  }

  return { render, dispose: () => { levels.dispose(); display.dispose(); } };
}
