// The list of traced partials beside the spectrogram: select, rename, recolour, delete,
// and solo or mute each one for playback.
// The page re-renders it from every state; rows are kept per partial id and updated in
// place (not rebuilt), so a rename being typed, its caret and focus, and an open colour
// picker survive a state that arrives meanwhile. All it does is call back: Python changes
// the document and the next state shows the result.

import { formatHz, formatNote, formatTime } from './axes.js';
import { partialSummary } from './trace-geometry.js';

/** Per container: its rows by partial id, the rename in progress, the latest callbacks. */
const panels = new WeakMap();

function make(tag, className, props = {}) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  return Object.assign(element, props);
}

/**
 * Show `partials` in `container` (replacing whatever else it holds on first use).
 * @param {HTMLElement} container e.g. <aside id="partials">.
 * @param {{partials: Array, selection: Array, solo: Array, mute: Array}} data: partials
 *   [{id, name, color '#rrggbb', points}] and selection [ids] from the state; solo and mute
 *   [ids] from the page's player.
 * @param {object} callbacks
 * @param {(id: *, additive: boolean) => void} callbacks.onSelect a row was clicked; additive
 *   with Shift, Ctrl or Cmd.
 * @param {(id: *, name: string) => void} callbacks.onRename a new, non-empty, trimmed name.
 * @param {(id: *, color: string) => void} callbacks.onRecolor '#rrggbb', when the picker closes.
 * @param {(ids: Array) => void} callbacks.onDelete
 * @param {(id: *) => void} callbacks.onSolo toggles the partial's solo.
 * @param {(id: *) => void} callbacks.onMute toggles the partial's mute.
 */
export function renderPartialsPanel(container, { partials = [], selection = [], solo = [], mute = [] } = {}, callbacks = {}) {
  let panel = panels.get(container);
  if (!panel) {
    const list = make('ul', 'partial-list');
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-multiselectable', 'true');
    const empty = make('p', 'partial-empty', {
      textContent: 'No partials yet. Choose Trace and draw along a partial, or Track and drag a rectangle over some.',
    });
    container.replaceChildren(list, empty);
    panel = { list, empty, rows: new Map(), editing: null, callbacks };
    panels.set(container, panel);
  }
  panel.callbacks = callbacks;
  const ids = new Set(partials.map((p) => p.id));
  // A rename of a partial that is gone has nothing left to rename.
  if (panel.editing && !ids.has(panel.editing.id)) panel.editing = null;
  for (const [id, row] of panel.rows) {
    if (!ids.has(id)) {
      row.element.remove();
      panel.rows.delete(id);
    }
  }
  const selected = new Set(selection);
  const soloed = new Set(solo), muted = new Set(mute);
  // Each row goes right after the one before it. The row being renamed never moves (moving
  // it would blur its input and end the rename): the others are placed around it.
  let previous = null;
  for (const partial of partials) {
    let row = panel.rows.get(partial.id);
    if (!row) {
      row = makeRow(panel, partial.id);
      panel.rows.set(partial.id, row);
    }
    updateRow(panel, row, partial, selected.has(partial.id));
    row.solo.setAttribute('aria-pressed', String(soloed.has(partial.id)));
    row.mute.setAttribute('aria-pressed', String(muted.has(partial.id)));
    const renaming = panel.editing && panel.editing.id === partial.id && row.element.isConnected;
    const here = previous ? previous.nextSibling : panel.list.firstChild;
    if (!renaming && here !== row.element) panel.list.insertBefore(row.element, here);
    previous = row.element;
  }
  panel.empty.hidden = partials.length > 0;
}

function makeRow(panel, id) {
  const element = make('li', 'partial');
  element.dataset.partialId = String(id);
  element.setAttribute('role', 'option');
  const swatch = make('input', 'swatch', { type: 'color', title: 'Colour' });
  const name = make('span', 'name', { title: 'Double-click to rename' });
  const rename = make('button', 'rename', { type: 'button', textContent: '\u270e', title: 'Rename' });
  const remove = make('button', 'delete', { type: 'button', textContent: '\u00d7', title: 'Delete' });
  const solo = make('button', 'solo', { type: 'button', textContent: 'S', title: 'Solo in playback' });
  const mute = make('button', 'mute', { type: 'button', textContent: 'M', title: 'Mute in playback' });
  const times = make('span', 'times');
  const freq = make('span', 'freq');
  const count = make('span', 'count');
  element.append(swatch, name, solo, mute, rename, remove, times, freq, count);
  const row = { id, element, swatch, name, solo, mute, rename, remove, times, freq, count, partial: null };

  element.addEventListener('click', (event) => {
    if (event.target !== element && event.target.closest('input, button')) return;
    panel.callbacks.onSelect?.(id, Boolean(event.shiftKey || event.ctrlKey || event.metaKey));
  });
  // 'change' fires once, when the picker closes; 'input' would send every hue dragged over.
  swatch.addEventListener('change', () => {
    const now = String(row.partial.color).toLowerCase();
    if (swatch.value !== now) panel.callbacks.onRecolor?.(id, swatch.value);
  });
  name.addEventListener('dblclick', () => startRename(panel, row));
  rename.addEventListener('click', () => startRename(panel, row));
  remove.addEventListener('click', () => panel.callbacks.onDelete?.([id]));
  solo.addEventListener('click', () => panel.callbacks.onSolo?.(id));
  mute.addEventListener('click', () => panel.callbacks.onMute?.(id));
  return row;
}

function updateRow(panel, row, partial, isSelected) {
  row.partial = partial;
  const { element } = row;
  element.classList.toggle('selected', isSelected);
  element.setAttribute('aria-selected', String(isSelected));
  const color = /^#[0-9a-f]{6}$/i.test(partial.color) ? partial.color.toLowerCase() : '#ffffff';
  // Not while the picker is open (it has focus): the user's choice would jump back.
  if (row.swatch.value !== color && document.activeElement !== row.swatch) row.swatch.value = color;
  element.style.setProperty('--partial-color', color);
  const label = String(partial.name ?? '');
  if (panel.editing && panel.editing.id === row.id) {
    if (row.name.firstChild !== panel.editing.input) row.name.replaceChildren(panel.editing.input);
  } else if (row.name.textContent !== label || row.name.firstElementChild) {
    row.name.textContent = label;
  }
  const { start, end, meanFrequency, count } = partialSummary(partial);
  row.times.textContent = count ? `${formatTime(start)} \u2013 ${formatTime(end)}` : '\u2013';
  row.freq.textContent = meanFrequency === null ? '\u2013'
    : `${formatHz(meanFrequency)} ${formatNote(meanFrequency)}`;
  row.count.textContent = `${count} ${count === 1 ? 'point' : 'points'}`;
  row.count.title = `${pointCount(partial)} points in all, ${count} with a frequency`;
}

const pointCount = (partial) => (Array.isArray(partial.points) ? partial.points.length : 0);

function startRename(panel, row) {
  if (panel.editing) {
    if (panel.editing.id === row.id) return;
    finishRename(panel, false);
  }
  const input = make('input', 'name-input', { type: 'text', value: String(row.partial.name ?? '') });
  input.setAttribute('aria-label', 'Partial name');
  const editing = { id: row.id, input };
  panel.editing = editing;
  input.addEventListener('keydown', (event) => {
    // Keys typed here are text, not shortcuts (Delete must not delete the partial).
    event.stopPropagation();
    if (event.key === 'Enter') {
      event.preventDefault();
      finishRename(panel, true);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      finishRename(panel, false);
    }
  });
  input.addEventListener('input', () => input.classList.remove('invalid'));
  // Clicking elsewhere commits a valid name and drops an empty one.
  input.addEventListener('blur', () => {
    if (panel.editing === editing) finishRename(panel, input.value.trim() !== '');
  });
  // A click inside the input must not select the row (or toggle the selection).
  input.addEventListener('click', (event) => event.stopPropagation());
  input.addEventListener('dblclick', (event) => event.stopPropagation());
  row.name.replaceChildren(input);
  input.focus();
  input.select();
}

/** End the rename in progress; with `commit`, send a non-empty changed name. */
function finishRename(panel, commit) {
  const editing = panel.editing;
  if (!editing) return;
  const row = panel.rows.get(editing.id);
  const name = editing.input.value.trim();
  if (commit && !name) {
    // Refused: the input stays, marked, until a name is typed or Escape cancels.
    editing.input.classList.add('invalid');
    editing.input.focus();
    return;
  }
  panel.editing = null;
  if (row) {
    // Until the next state arrives, show the new name rather than flicker back to the old.
    row.name.textContent = commit ? name : String(row.partial.name ?? '');
    if (commit && name !== row.partial.name) panel.callbacks.onRename?.(editing.id, name);
  }
}
