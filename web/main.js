// Soma's page: shows the document the Python side holds, and turns gestures into calls.
// The page keeps no state that matters: after a reload it pulls the document again
// (get_state), and every change arrives as a pushed 'state' event. The one thing it runs
// ahead of Python is the view while the hand moves: each gesture redraws at once from the
// images it has, and asks for the exact image at once, then at most once per animation frame.

import { bridgeReady, call, fetchBytes } from './bridge.js';
import { levelsLut, lutFromColors } from './colormap.js';
import { LevelsControl, sameLevels } from './levels-control.js';
import { formatHz, formatNote, formatTime, xToTime, yToFreq } from './axes.js';
import { renderFreqAxis, renderTimeAxis } from './axis-view.js';
import { SpectrogramCanvas, levelAt, makeImage } from './spectrogram-canvas.js';
import { viewsEqual } from './view-math.js';
import { frameThrottle } from './frame-throttle.js';
import { attachViewportGestures, viewForKey } from './viewport-gestures.js';
import { isTyping } from './keys.js';
import { restoreDefaults } from './form-defaults.js';
import { attachOverviewGestures, viewRectangle } from './overview-gestures.js';
import { TraceLayer } from './trace-layer.js';
import { attachTraceGestures } from './trace-gestures.js';
import { erasedRanges, nearestPoint, strokeToGuide } from './trace-geometry.js';
import { renderPartialsPanel } from './partials-panel.js';
import { withPoints } from './partial-points.js';
import { Transport } from './transport.js';
import { renderProgressPanel } from './progress-panel.js';
import { LogPanel } from './log-panel.js';

const $ = (id) => document.getElementById(id);

const page = {
  state: null, // the newest DocumentState seen (JSON), by revision
  view: null, // the view shown: the state's, or newer while a gesture runs ahead of it
  colormap: null, // the 256-entry RGBA table, before the document's levels apply
  images: { overview: null, viewport: null }, // from makeImage, by role
  overviewCanvas: null,
  viewportCanvas: null,
  traceLayer: null,
  levels: null, // the LevelsControl in the status bar
  mode: 'navigate', // 'navigate' | 'trace' | 'erase'
  stroke: [], // the stroke being drawn, CSS px
  hover: null, // nearestPoint() under the mouse, or null
  transport: null,
  solo: new Set(), // partial ids soloed / muted for playback (the page's, not the document's)
  mute: new Set(),
  panelKey: '', // what the partials list shows now (see renderChrome)
  error: '', // the newest failure the page saw itself (showPageError), '' when none
};

/** What the file allows a view to be: exactly what SomaDocument.set_view checks. */
function limits() {
  const overview = page.state && page.state.overview;
  return overview
    ? { duration: overview.view.end, nyquist: overview.view.fmax, minFreq: overview.view.fmin }
    : null;
}

function fileSummary(file) {
  const channels = file.channels === 1 ? 'mono' : file.channels === 2 ? 'stereo' : `${file.channels} ch`;
  return `<b></b> · ${(file.sampleRate / 1000).toLocaleString('en')} kHz · ${channels} · ` +
    `${formatTime(file.duration)} · ${file.format} ${file.subtype}`;
}

function describeImage(image) {
  const window = image.method === 'stft' ? `, window ${image.windowSize} samples` : '';
  return `${image.method.toUpperCase()} ${image.width}×${image.height}${window}, ` +
    `${Math.round(image.seconds * 1000)} ms`;
}

function renderChrome(state) {
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
  renderError();
  $('computing').hidden = !state.computing;
  $('undo').disabled = !state.undo;
  $('undo').title = state.undo ? `Undo ${state.undo} (Ctrl+Z)` : 'Nothing to undo';
  $('resnap').disabled = !(state.selection && state.selection.length === 1);
  $('save').textContent = state.modified ? 'Save •' : 'Save';
  document.title = state.file
    ? `${state.modified ? '• ' : ''}${state.projectPath ? state.projectPath.split('/').pop() : state.file.name} — Soma`
    : 'Soma';
  $('redo').disabled = !state.redo;
  $('redo').title = state.redo ? `Redo ${state.redo} (Ctrl+Shift+Z)` : 'Nothing to redo';
  document.body.dataset.status = state.busy ? 'loading' : state.file ? 'ready' : 'empty';
  page.levels.render(state);
  renderRecent(state.recent || []);
  const shown = state.viewport || state.overview;
  $('image-info').textContent = shown
    ? `${state.viewport ? 'View' : 'Overview'}: ${describeImage(shown)}` : '';
  renderPartialsList(state);
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

function renderPartialsList(state) {
  // Rebuilding the list on every push (several a second while zooming) would cost the page
  // more than anything else it does then: only when what it shows has changed.
  const panelKey = [state.partialsVersion, state.selection, [...page.solo], [...page.mute]].join('|');
  if (panelKey === page.panelKey) return;
  page.panelKey = panelKey;
  renderPartialsPanel($('partials'), { partials: state.partials || [], selection: state.selection || [],
    solo: [...page.solo], mute: [...page.mute] }, {
    onSolo: (id) => toggle(page.solo, id),
    onMute: (id) => toggle(page.mute, id),
    onSelect: (id, additive) => select(id, additive),
    onRename: (id, name) => act('rename_partial', id, name),
    onRecolor: (id, color) => act('recolor_partial', id, color),
    onDelete: (ids) => act('delete_partials', ids),
  });
}

function drawTraces() {
  const state = page.state;
  page.traceLayer.draw({
    partials: (state && state.partials) || [], selection: (state && state.selection) || [],
    view: page.view, stroke: page.stroke, strokeKind: page.mode, hover: page.hover,
  });
}

/** Redraw everything that depends on the view: both canvases, the axes, the outline. */
function drawView() {
  const view = page.view;
  const { overview, viewport } = page.images;
  page.overviewCanvas.show([overview], overview && overview.meta.view);
  page.viewportCanvas.show([overview, viewport], view);
  drawTraces();
  page.transport.drawCursor();
  const outline = $('overview-view');
  const box = page.overviewCanvas.canvas;
  const rect = view && limits() && viewRectangle(view, limits(), box.clientWidth, box.clientHeight);
  outline.hidden = !rect;
  if (rect) Object.assign(outline.style, { left: `${rect.x}px`, top: `${rect.y}px`,
    width: `${rect.w}px`, height: `${rect.h}px` });
  if (!view) {
    for (const id of ['overview-axis', 'time-axis', 'freq-axis']) $(id).replaceChildren();
    return;
  }
  renderTimeAxis($('overview-axis'), 0, page.state.file.duration);
  renderTimeAxis($('time-axis'), view.start, view.end);
  renderFreqAxis($('freq-axis'), view.fmin, view.fmax);
  document.body.dataset.view = JSON.stringify(view);
}

/** Ask Python for the image of the current view at the canvas' pixel size: the first
 * request at once, then at most one a frame, for the newest view. */
const requestImage = frameThrottle(async () => {
  const view = page.view;
  if (!view) return;
  const { width, height } = page.viewportCanvas.canvas;
  const reply = await call('set_view', view.start, view.end, view.fmin, view.fmax, width, height);
  if (!reply.ok) showPageError(reply.error);
});

function onView(view) {
  page.view = view;
  drawView();
  requestImage();
}

/** The colour table for an image's bytes under the document's levels. */
function lutFor(meta) {
  const levels = page.state && page.state.levels;
  return levels ? levelsLut(page.colormap, meta.dbMin, meta.dbMax, levels.floor, levels.ceiling)
    : page.colormap;
}

/** Colour the images the page has again, for new levels: from their bytes, no fetch. */
function recolour() {
  for (const role of ['overview', 'viewport']) {
    const image = page.images[role];
    if (image) page.images[role] = makeImage(image.levels, image.meta, lutFor(image.meta));
  }
  drawView();
}

/** Fetch the bytes of an image the state names, unless they are already here. */
async function loadImage(role, meta) {
  const current = page.images[role];
  if (!meta || (current && current.meta.key === meta.key)) return;
  const levels = await fetchBytes(meta.url);
  if (levels.length !== meta.width * meta.height) {
    throw new Error(`${meta.key} has ${levels.length} bytes, expected ${meta.width * meta.height}`);
  }
  // A newer image (or file) may have arrived while these bytes were on their way.
  const newest = page.state[role];
  if (!newest || newest.key !== meta.key) return;
  page.images[role] = makeImage(levels, meta, lutFor(meta));
  document.body.dataset[`${role}Key`] = meta.key;
  drawView();
}

function applyState(state) {
  if (page.state && state.revision < page.state.revision) return; // a late, older push
  const previous = page.state;
  if ('partials' in state) { // decoded once per version: a selection change keeps them
    state.partials = previous && previous.partialsVersion === state.partialsVersion
      ? previous.partials : withPoints(state.partials);
  } else { // pushes leave the partials out unless the page needs them
    if (!previous || previous.partialsVersion !== state.partialsVersion) {
      call('get_state').then((reply) => { if (reply.ok) applyState(reply.state); });
    }
    // Until they arrive, the page shows the partials it has, under their own version.
    state.partials = previous ? previous.partials : [];
    state.partialsVersion = previous ? previous.partialsVersion : -1;
  }
  if (state.error && (!previous || state.error !== previous.error)) page.error = ''; // newer
  page.state = state;
  const newFile = !previous || !previous.overview || !state.overview ||
    previous.overview.key !== state.overview.key;
  if (newFile) {
    page.images = { overview: null, viewport: null };
    page.transport.reset();
    // The snap tolerance and how to play were chosen for the file before: they start afresh.
    restoreDefaults([$('tolerance'), $('play-mode'), $('loop')]);
    page.view = state.view;
    if (state.view && !(state.viewport && viewsEqual(state.viewport.view, state.view))) {
      requestImage();
    }
  }
  renderChrome(state);
  // The view is the page's own while it has a file (gestures run ahead of Python): a new
  // state redraws the pictures only for a new file, the traces only when they changed.
  if (newFile) drawView();
  else if (!sameLevels(previous.levels, state.levels)) recolour();
  else if (previous.partialsVersion !== state.partialsVersion ||
           String(previous.selection) !== String(state.selection)) drawTraces();
  for (const role of ['overview', 'viewport']) {
    loadImage(role, state[role]).catch((error) => showPageError(`Could not load an image: ${error.message}`));
  }
}

/** A failure the page saw (a refused call, a failed fetch): shown until dismissed or until
 * Python reports a newer one in the state. Refused calls are not in the state, so without
 * this the next push (several a second while zooming) would hide the message at once. */
function showPageError(message) {
  page.error = message;
  renderError();
}

function renderError() {
  const message = page.error || (page.state && page.state.error) || '';
  $('error').hidden = !message;
  $('error-text').textContent = message;
}

/** Run a bridge call; its error, if any, shows in the banner. */
async function act(method, ...args) {
  const reply = await call(method, ...args);
  if (reply.state) applyState(reply.state);
  if (!reply.ok) showPageError(reply.error);
  return reply;
}

function plotSize() {
  const rect = document.querySelector('.plot').getBoundingClientRect();
  return { width: rect.width, height: rect.height };
}

function showReadout(event) {
  const view = page.view;
  if (!view) return;
  const rect = event.currentTarget.getBoundingClientRect();
  const x = event.clientX - rect.left, y = event.clientY - rect.top;
  const hover = page.state && page.state.partials
    ? nearestPoint(page.state.partials, view, rect.width, rect.height, x, y) : null;
  if (hover || page.hover) {
    page.hover = hover;
    drawTraces();
  }
  if (hover) { // the partial's own values, where the mouse is on one
    const [t, f, a] = hover.point;
    const name = page.state.partials.find((p) => p.id === hover.partialId).name;
    $('readout').textContent = [name, formatTime(t), formatHz(f), formatNote(f) || '',
      `${a.toFixed(1)} dB`].join('   ');
    return;
  }
  const t = xToTime(x, view.start, view.end, rect.width);
  const f = yToFreq(y, view.fmin, view.fmax, rect.height);
  const { overview, viewport } = page.images;
  let level = viewport ? levelAt(viewport, t, f) : null;
  if (level === null && overview) level = levelAt(overview, t, f);
  $('readout').textContent = [formatTime(t), formatHz(f), formatNote(f) || '',
    level === null ? '' : `${level.toFixed(1)} dB`].filter(Boolean).join('   ');
}

function select(id, additive) {
  const current = (page.state && page.state.selection) || [];
  if (id === null) return act('select', additive ? current : []);
  const next = !additive ? [id]
    : current.includes(id) ? current.filter((i) => i !== id) : [...current, id];
  return act('select', next);
}

function setMode(mode) {
  page.mode = mode;
  document.body.dataset.mode = mode;
  for (const button of document.querySelectorAll('.modes button')) {
    button.setAttribute('aria-pressed', String(button.dataset.mode === mode));
  }
}

function tolerance() {
  const value = Number($('tolerance').value);
  return Number.isFinite(value) && value >= 5 && value <= 1200 ? value : 100;
}

function wireTracing() {
  const trace = $('trace-canvas');
  attachTraceGestures(trace, {
    getMode: () => page.mode,
    getView: () => page.view,
    onStrokeChange: (points) => { page.stroke = points; drawTraces(); },
    onStroke: (points) => {
      const { width, height } = plotSize();
      const guide = page.view && strokeToGuide(points, page.view, width, height);
      if (guide) act('snap', guide, tolerance());
    },
    onErase: (points) => {
      const { width, height } = plotSize();
      const ranges = erasedRanges(page.state.partials || [], page.view, width, height, points);
      if (ranges.length) act('erase', ranges);
    },
    onClickAt: (x, y, additive) => {
      const { width, height } = plotSize();
      const hit = nearestPoint(page.state.partials || [], page.view, width, height, x, y);
      select(hit ? hit.partialId : null, additive);
    },
    onHover: () => {},
  });
  for (const button of document.querySelectorAll('.modes button')) {
    button.addEventListener('click', () => setMode(button.dataset.mode));
  }
  $('undo').addEventListener('click', () => act('undo'));
  $('resnap').addEventListener('click', () => {
    const [id] = page.state.selection;
    act('resnap', id, tolerance());
  });
  $('save').addEventListener('click', () => act('save_project'));
  $('import').addEventListener('click', () => act('import_partials'));
  $('export').addEventListener('change', (event) => {
    const format = event.target.value;
    event.target.value = '';
    event.target.blur(); // a menu, done with: its focus would keep the keys (isTyping)
    if (format === 'wav' || format === 'flac') {
      act('export_resynthesis', format, [...page.solo], [...page.mute]);
    } else if (format === 'png') act('export_image', viewPicture());
    else if (format) act('export_partials', format);
  });
  $('redo').addEventListener('click', () => act('redo'));
}

/** The view as it is shown, the spectrogram with the partials over it, as a PNG data URL at
 * the canvas' device-pixel size. */
function viewPicture() {
  const spectrogram = page.viewportCanvas.canvas;
  const picture = document.createElement('canvas');
  picture.width = spectrogram.width;
  picture.height = spectrogram.height;
  const context = picture.getContext('2d');
  context.drawImage(spectrogram, 0, 0);
  context.drawImage(page.traceLayer.canvas, 0, 0, picture.width, picture.height);
  return picture.toDataURL('image/png');
}

function toggle(set, id) {
  if (set.has(id)) set.delete(id); else set.add(id);
  renderChrome(page.state);
}

/** The page's one key handler: every shortcut, whatever has focus (a button just clicked
 * keeps it), except while typing in a field. */
function onKey(event) {
  if (isTyping(event.target)) return;
  if ($('help').open && event.key !== '?') return; // the list is up: its own keys only (Esc)
  const key = event.key.toLowerCase();
  const command = event.ctrlKey || event.metaKey;
  const view = command || event.altKey ? null : viewForKey(event.key, page.view, limits());
  if (view) {
    if (!viewsEqual(view, page.view)) onView(view);
  } else if (command && key === 'o') act('open_dialog');
  else if (command && key === 's') act(event.shiftKey ? 'save_project_as' : 'save_project');
  else if (command && (key === 'y' || (key === 'z' && event.shiftKey))) act('redo');
  else if (command && key === 'z') act('undo');
  else if (!command && !event.altKey && key === 't') setMode('trace');
  else if (!command && !event.altKey && key === 'e') setMode('erase');
  else if (!command && !event.altKey && key === 'n') setMode('navigate');
  else if (!command && key === ' ') page.transport.toggle();
  else if (event.key === '?') toggleHelp();
  else if ((key === 'delete' || key === 'backspace') && page.state && page.state.selection.length) {
    act('delete_partials', page.state.selection);
  } else return;
  event.preventDefault();
}

function toggleHelp() {
  const help = $('help');
  if (help.open) help.close();
  else help.showModal();
}

function wireGestures() {
  $('open').addEventListener('click', () => act('open_dialog'));
  $('recent').addEventListener('change', (event) => {
    const path = event.target.value;
    event.target.value = '';
    event.target.blur(); // a menu, done with: its focus would keep the keys (isTyping)
    if (path) act('open_path', path);
  });
  $('demo').addEventListener('click', () => act('open_demo'));
  $('error-dismiss').addEventListener('click', () => {
    page.error = '';
    renderError();
    act('dismiss_error');
  });
  // The plot, not a canvas, takes navigation and the readout: the trace overlay sits over
  // the spectrogram canvas, and wheel events from it must still zoom.
  const plot = document.querySelector('.plot');
  plot.addEventListener('mousemove', showReadout);
  plot.addEventListener('mouseleave', () => {
    $('readout').textContent = '';
    if (page.hover) { page.hover = null; drawTraces(); }
  });
  const navigation = { getView: () => page.view, getLimits: limits, onView };
  attachViewportGestures(plot, navigation);
  attachOverviewGestures($('overview-canvas'), navigation);
  wireTracing();
  page.transport = new Transport({
    elements: { play: $('play'), mode: $('play-mode'), loop: $('loop'), playhead: $('playhead'),
      overviewPlayhead: $('overview-playhead'), cursor: $('cursor'), plot },
    getView: () => page.view,
    getFile: () => page.state && page.state.file,
    clicksSetCursor: () => page.mode === 'navigate',
    getMix: () => ({ solo: [...page.solo], mute: [...page.mute] }),
    getPartialIds: () => ((page.state && page.state.partials) || []).map((p) => p.id),
    fetchBytes, onView, onError: showPageError,
  });
  window.addEventListener('keydown', onKey);
  // Files dropped on the window open (app/window.py handles the drop, which knows the path);
  // a drop only fires where dragover was cancelled.
  document.addEventListener('dragover', (event) => event.preventDefault());
  // Axis labels and the outline depend on the pixel size of their boxes.
  new ResizeObserver(drawView).observe(document.querySelector('.panes'));
  // A resized viewport deserves an image at its new resolution.
  page.viewportCanvas.onResize = requestImage;
}

async function start() {
  page.overviewCanvas = new SpectrogramCanvas($('overview-canvas'));
  page.viewportCanvas = new SpectrogramCanvas($('viewport-canvas'));
  page.traceLayer = new TraceLayer($('trace-canvas'));
  page.levels = new LevelsControl(
    { floor: $('level-floor'), ceiling: $('level-ceiling'), reset: $('levels-reset') },
    { onSet: (floor, ceiling) => act('set_levels', floor, ceiling) });
  setMode('navigate');
  const colormap = await (await fetch('colormap.json')).json();
  page.colormap = lutFromColors(colormap.colors);
  // Python pushes events through window.soma.receive once it exists.
  const logPanel = new LogPanel($('log-lines'), $('log-level'), $('toasts'));
  $('log-toggle').addEventListener('click', () => {
    $('log').hidden = !$('log').hidden;
    if (!$('log').hidden) logPanel.showNewest();
  });
  $('help-toggle').addEventListener('click', toggleHelp);
  window.soma = {
    receive(event) {
      if (event.type === 'state') applyState(event.state);
      else if (event.type === 'progress') {
        renderProgressPanel($('progress'), event.tasks, { onCancel: (id) => act('cancel_task', id) });
      } else if (event.type === 'logs') logPanel.add(event.records);
    },
    /** The document as this page last saw it (for the console and the GUI tests). */
    state: () => page.state,
  };
  wireGestures();
  await bridgeReady();
  const reply = await call('get_state');
  if (reply.ok) applyState(reply.state);
  else showPageError(reply.error);
}

start().catch((error) => showPageError(`Soma's page failed to start: ${error.message}`));
