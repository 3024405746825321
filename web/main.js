// Soma's page: shows the document the Python side holds, and turns gestures into calls.
// The page keeps no state that matters: after a reload it pulls the document again
// (get_state), and every change arrives as a pushed 'state' event. The one thing it runs
// ahead of Python is the view while the hand moves (view-pipeline.js).
//
// This module is the boot: it makes the page's shared context, wires each part (each returns
// its dispose handle, kept in one DisposalScope) and disposes them all when the page goes.

import { bridgeReady, call, fetchBytes, pullState } from './bridge.js';
import { lutFromColors } from './colormap.js';
import { DisposalScope } from './disposal.js';
import { createDocumentState } from './document-state.js';
import { wireErrorBanner } from './error-banner.js';
import { wireViewPipeline } from './view-pipeline.js';
import { wireChrome } from './chrome.js';
import { wireTracing } from './tracing.js';
import { wireTrackTools } from './track-tools.js';
import { wireRegionTools } from './region-tools.js';
import { wireReadout } from './readout.js';
import { wirePlayback } from './playback.js';
import { toggleHelp, wireMenus } from './menus.js';
import { wireKeys } from './page-keys.js';
import { wireFigureDialog } from './figure-dialog.js';
import { wireMeasurePanes } from './measure-panes.js';
import { wirePushEvents } from './push-events.js';
import { attachViewportGestures } from './viewport-gestures.js';
import { attachOverviewGestures } from './overview-gestures.js';
import { restoreDefaults } from './form-defaults.js';
import { listenAll } from './listen.js';
import { isNewFile, nextSelection } from './state-rules.js';

const $ = (id) => document.getElementById(id);

const scope = new DisposalScope();
// The page's shared context: what the hand does now, and the page's own playback mix.
// tool, stroke (CSS px) and its kind, nearestPoint(), the time under the mouse (s), regions
// being tracked, the region marked with the Select tool (s, Hz)
const tools = { mode: 'navigate', stroke: [], strokeKind: 'trace', hover: null, pointerTime: null,
  regions: [], marked: null };
const mix = { solo: new Set(), mute: new Set() }; // partial ids (the page's, not the document's)

const documentState = scope.add(createDocumentState({ pull: pullState }));
const getState = () => documentState.current;
const banner = scope.add(wireErrorBanner({
  elements: { banner: $('error'), text: $('error-text'), dismiss: $('error-dismiss') },
  getState,
  onDismiss: () => act('dismiss_error'),
  toasts: $('toasts'),
}));

/** Run a bridge call; its error, if any, shows in the banner. */
async function act(method, ...args) {
  const reply = await call(method, ...args);
  if (reply.state) documentState.apply(reply.state);
  if (!reply.ok) banner.show(reply.error);
  return reply;
}

function select(id, additive) {
  return act('select', nextSelection((getState() && getState().selection) || [], id, additive));
}

async function start() {
  const colormap = await (await fetch('colormap.json')).json();
  const pipeline = scope.add(wireViewPipeline({
    elements: { overviewCanvas: $('overview-canvas'), viewportCanvas: $('viewport-canvas'),
      traceCanvas: $('trace-canvas'), legendCanvas: $('legend-canvas'), outline: $('overview-view'),
      overviewAxis: $('overview-axis'), overviewFreqAxis: $('overview-freq-axis'),
      timeAxis: $('time-axis'), freqAxis: $('freq-axis'), legendAxis: $('legend-axis'),
      panes: document.querySelector('.panes') },
    colormaps: Object.fromEntries(colormap.maps.map((map) => [map.name, lutFromColors(map.colors)])),
    coneStyle: colormap.edgeCones,
    getState,
    getTraceScene: () => ({ stroke: tools.stroke, strokeKind: tools.strokeKind, hover: tools.hover,
      regions: tools.regions, marked: tools.marked }),
    call, fetchBytes, showError: banner.show,
  }));
  const chrome = scope.add(wireChrome({ getState, mix, act, select, onView: pipeline.onView,
    getLimits: pipeline.getLimits, showError: banner.show,
    colormapNames: colormap.maps.map((map) => map.name) }));
  scope.add(documentState.subscribe(banner.stateArrived));
  scope.add(documentState.subscribe(pipeline.stateArrived));
  scope.add(documentState.subscribe((state, previous) => {
    // The snap tolerance (unless kept) and how to play were chosen for the file before: they
    // start afresh.
    if (!isNewFile(previous, state)) return;
    restoreDefaults([$('play-mode'), $('loop'), ...($('tolerance-keep').checked ? [] : [$('tolerance')])]);
  }));
  scope.add(documentState.subscribe(chrome.render));

  let regionTools = null; // made below: playback plays its region, and it plays with playback
  const playback = scope.add(wirePlayback({ tools, mix, documentState, pipeline, fetchBytes,
    showError: banner.show, getRegion: () => regionTools && regionTools.marked() }));
  const notify = (message) => pushEvents.notify(message);
  const trackTools = scope.add(wireTrackTools({ tools, getState, getView: () => pipeline.view,
    drawTraces: pipeline.drawTraces, act, getCursor: playback.cursor, notify,
    showError: banner.show }));
  regionTools = scope.add(wireRegionTools({ tools, documentState, getView: () => pipeline.view,
    getLimits: pipeline.getLimits, onView: pipeline.onView, drawTraces: pipeline.drawTraces,
    track: trackTools.track, play: playback.toggle, act, getState, notify }));
  const tracing = scope.add(wireTracing({ tools, getState, getView: () => pipeline.view,
    drawTraces: pipeline.drawTraces, act, select,
    onRegion: (points, kind) => (kind === 'select' ? regionTools.mark(points)
      : trackTools.trackDrag(points)) }));
  // The plot, not a canvas, takes navigation and the readout: the trace overlay sits over
  // the spectrogram canvas, and wheel events from it must still zoom.
  const plot = document.querySelector('.plot');
  scope.add(wireReadout({ plot, readout: $('readout'), tools, documentState,
    getView: () => pipeline.view, getImages: () => pipeline.images, drawTraces: pipeline.drawTraces }));
  const navigation = { getView: () => pipeline.view, getLimits: pipeline.getLimits,
    onView: pipeline.onView };
  scope.add(attachViewportGestures(plot, navigation));
  scope.add(attachOverviewGestures($('overview-canvas'), navigation));
  const measure = scope.add(wireMeasurePanes({
    elements: { plot, harmonics: $('harmonics'), slicePane: $('slice-pane'),
      sliceCanvas: $('slice-canvas'), sliceLabels: $('slice-labels'), sliceTitle: $('slice-title'),
      waveformPane: $('waveform-pane'), waveformCanvas: $('waveform-canvas'),
      sliceToggle: $('slice-toggle'), waveformToggle: $('waveform-toggle'),
      harmonicsToggle: $('harmonics-toggle') },
    getView: () => pipeline.view, getState, call, addOverlay: pipeline.addOverlay,
    redrawView: pipeline.drawView, showError: banner.show,
  }));
  const figure = scope.add(wireFigureDialog({ dialog: $('figure'), act }));
  scope.add(wireMenus({ act, mix, picture: pipeline.picture, openFigure: figure.open }));
  scope.add(wireKeys({ win: window, help: $('help'), modals: [$('figure')], ...navigation, commands: {
    open: () => act('open_dialog'),
    quit: () => act('quit'),
    save: () => act('save_project'),
    'save-as': () => act('save_project_as'),
    undo: () => act('undo'),
    redo: () => act('redo'),
    navigate: () => tracing.setMode('navigate'),
    trace: () => tracing.setMode('trace'),
    erase: () => tracing.setMode('erase'),
    track: () => tracing.setMode('track'),
    select: () => tracing.setMode('select'),
    'clear-region': () => regionTools.clear(),
    'find-harmonics': trackTools.harmonics,
    join: trackTools.join,
    split: trackTools.split,
    play: playback.toggle,
    help: () => toggleHelp($('help')),
    slice: () => measure.toggle('slice'),
    waveform: () => measure.toggle('waveform'),
    harmonics: () => measure.toggle('harmonics'),
    delete: () => {
      const selection = getState() && getState().selection;
      if (!(selection && selection.length)) return false;
      act('delete_partials', selection);
    },
  } }));
  // Files dropped on the window open (app/window.py handles the drop, which knows the path);
  // a drop only fires where dragover was cancelled.
  scope.add(listenAll(document, [['dragover', (event) => event.preventDefault()]]));
  // Python pushes events through window.soma.receive once it exists.
  const pushEvents = scope.add(wirePushEvents({ applyState: documentState.apply, getState, act,
    shownElsewhere: banner.shows }));

  await bridgeReady();
  const reply = await pullState();
  if (reply.ok) documentState.apply(reply.state);
  else banner.show(reply.error);
}

// Nothing outlives the page. One restored from the back-forward cache would have nothing
// wired: it starts again.
scope.add(listenAll(window, [['pagehide', () => scope.dispose()]]));
// (This listener lives as long as the document, past the scope.)
window.addEventListener('pageshow', (event) => { if (event.persisted) location.reload(); });

start().catch((error) => banner.show(`Soma's page failed to start: ${error.message}`));
