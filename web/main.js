// Soma's page: shows the document the Python side holds, and turns gestures into calls.
// The page keeps no state of its own that matters: after a reload it pulls the document
// again (get_state), and every change arrives as a pushed 'state' event.

import { bridgeReady, call, fetchBytes } from './bridge.js';
import { lutFromColors } from './colormap.js';
import { formatHz, formatNote, formatTime, xToTime, yToFreq } from './axes.js';
import { renderFreqAxis, renderTimeAxis } from './axis-view.js';
import { SpectrogramCanvas, levelAt, makeImage } from './spectrogram-canvas.js';

const $ = (id) => document.getElementById(id);

const page = {
  state: null, // the newest DocumentState seen (JSON), by revision
  lut: null,
  overview: null, // the image from makeImage for state.overview.key
  overviewCanvas: null,
  viewportCanvas: null,
};

function fileSummary(file) {
  const channels = file.channels === 1 ? 'mono' : file.channels === 2 ? 'stereo' : `${file.channels} ch`;
  return `<b></b> · ${(file.sampleRate / 1000).toLocaleString('en')} kHz · ${channels} · ` +
    `${formatTime(file.duration)} · ${file.format} ${file.subtype}`;
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
  $('error').hidden = !state.error;
  $('error-text').textContent = state.error;
  document.body.dataset.status = state.busy ? 'loading' : state.file ? 'ready' : 'empty';
  const image = state.overview;
  $('image-info').textContent = image
    ? `Overview: ${image.method.toUpperCase()} ${image.width}×${image.height}, ` +
      `window ${image.windowSize} samples, ${Math.round(image.seconds * 1000)} ms`
    : '';
}

function renderAxes() {
  const state = page.state;
  if (!state || !state.view) {
    for (const id of ['overview-axis', 'time-axis', 'freq-axis']) $(id).replaceChildren();
    return;
  }
  const { view } = state;
  renderTimeAxis($('overview-axis'), 0, state.file.duration);
  renderTimeAxis($('time-axis'), view.start, view.end);
  renderFreqAxis($('freq-axis'), view.fmin, view.fmax);
}

function drawSpectrograms() {
  const state = page.state;
  const image = page.overview && state && state.overview &&
    page.overview.meta.key === state.overview.key ? page.overview : null;
  page.overviewCanvas.show(image, image && image.meta.view);
  page.viewportCanvas.show(image, state && state.view);
  document.body.dataset.overviewKey = image ? image.meta.key : '';
}

async function loadOverview(meta) {
  const levels = await fetchBytes(meta.url);
  if (levels.length !== meta.width * meta.height) {
    throw new Error(`overview has ${levels.length} bytes, expected ${meta.width * meta.height}`);
  }
  // A newer file may have opened while the bytes were on their way.
  if (!page.state.overview || page.state.overview.key !== meta.key) return;
  page.overview = makeImage(levels, meta, page.lut);
  drawSpectrograms();
}

function applyState(state) {
  if (page.state && state.revision < page.state.revision) return; // a late, older push
  page.state = state;
  renderChrome(state);
  renderAxes();
  drawSpectrograms();
  const meta = state.overview;
  if (meta && (!page.overview || page.overview.meta.key !== meta.key)) {
    loadOverview(meta).catch((error) => showPageError(`Could not load the overview: ${error.message}`));
  }
}

function showPageError(message) {
  $('error').hidden = false;
  $('error-text').textContent = message;
}

/** Run a bridge call; its error, if any, shows in the banner (Python also puts it in the state). */
async function act(method, ...args) {
  const reply = await call(method, ...args);
  if (reply.state) applyState(reply.state);
  if (!reply.ok) showPageError(reply.error);
  return reply;
}

function showReadout(event) {
  const state = page.state;
  if (!state || !state.view) return;
  const rect = event.currentTarget.getBoundingClientRect();
  const { view } = state;
  const t = xToTime(event.clientX - rect.left, view.start, view.end, rect.width);
  const f = yToFreq(event.clientY - rect.top, view.fmin, view.fmax, rect.height);
  const level = page.overview ? levelAt(page.overview, t, f) : null;
  $('readout').textContent = [formatTime(t), formatHz(f), formatNote(f) || '',
    level === null ? '' : `${level.toFixed(1)} dB`].filter(Boolean).join('   ');
}

function wireGestures() {
  $('open').addEventListener('click', () => act('open_dialog'));
  $('demo').addEventListener('click', () => act('open_demo'));
  $('error-dismiss').addEventListener('click', () => act('dismiss_error'));
  const viewport = $('viewport-canvas');
  viewport.addEventListener('mousemove', showReadout);
  viewport.addEventListener('mouseleave', () => { $('readout').textContent = ''; });
  window.addEventListener('keydown', (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'o') {
      event.preventDefault();
      act('open_dialog');
    }
  });
  // Axis labels depend on the pixel size of their boxes.
  new ResizeObserver(renderAxes).observe(document.querySelector('.viewport'));
}

async function start() {
  page.overviewCanvas = new SpectrogramCanvas($('overview-canvas'));
  page.viewportCanvas = new SpectrogramCanvas($('viewport-canvas'));
  const colormap = await (await fetch('colormap.json')).json();
  page.lut = lutFromColors(colormap.colors);
  // Python pushes events through window.soma.receive once it exists.
  window.soma = {
    receive(event) {
      if (event.type === 'state') applyState(event.state);
    },
  };
  wireGestures();
  await bridgeReady();
  const reply = await call('get_state');
  if (reply.ok) applyState(reply.state);
  else showPageError(reply.error);
}

start().catch((error) => showPageError(`Soma's page failed to start: ${error.message}`));
