// The measurement panes: the spectrum slice at the cursor (beside the spectrogram, on its
// frequency axis), the harmonic cursor (marks at 2f, 3f ... of the frequency under the
// mouse) and the waveform (above the spectrogram, on its time axis). Each can be shown or
// hidden (the status bar's buttons, S, H, W). The data comes from Python
// (app/compute/measurement.py): a real short spectrum at the cursor's time with its peaks,
// and the min/max of the samples per pixel column of the view.

import { formatTime, freqToY, rowFrequency, scaleOf, xToTime, yToFreq } from './axes.js';
import { fitToDevicePixels } from './device-pixels.js';
import { listenAll } from './listen.js';
import { columnSpan, decodeEnvelope, harmonicMarks, labelledPeaks } from './measure-math.js';
import { singleFlight } from './single-flight.js';

const PANES = ['slice', 'waveform', 'harmonics'];
const CURVE = '#e0a458';
const HARMONIC_LABEL_GAP = 11; // px between the harmonic cursor's numbers

/** Fill `container` with one absolutely placed element per item. */
function place(container, items, make) {
  container.replaceChildren(...items.map(make));
}

/**
 * @param {object} options
 * @param {object} options.elements {plot, harmonics (marks' layer in the plot), slicePane,
 *   sliceCanvas, sliceLabels, sliceTitle, waveformPane, waveformCanvas, and the toggles
 *   sliceToggle, waveformToggle, harmonicsToggle}
 * @param {() => object|null} options.getView the view shown
 * @param {() => object|null} options.getState the document state shown
 * @param {(method: string, ...args) => Promise<object>} options.call
 * @param {(overlay: () => void) => () => void} options.addOverlay drawn with every view
 * @param {() => void} options.redrawView the pictures and axes again (a pane took room)
 * @param {(message: string) => void} options.showError
 * @returns {{toggle: (pane: string) => void, dispose: () => void}}
 */
export function wireMeasurePanes({ elements: el, getView, getState, call, addOverlay, redrawView,
  showError }) {
  const shown = { slice: false, waveform: false, harmonics: false };
  let cursor = null; // {t, f, x, y} the mouse's last place on the plot
  let slice = null; // the newest spectrum_at reply
  let envelope = null; // {start, end, columns, values}
  const toggles = { slice: el.sliceToggle, waveform: el.waveformToggle,
    harmonics: el.harmonicsToggle };

  const requestSlice = singleFlight(
    (t, fmin, fmax, rows) => call('spectrum_at', t, fmin, fmax, rows).then(
      (reply) => ({ reply, fmin, fmax })),
    ({ reply, fmin, fmax }) => {
      if (!reply.ok) { showError(reply.error); return; }
      slice = { ...reply, fmin, fmax };
      drawSlice();
    });
  const requestWaveform = singleFlight(
    (start, end, columns) => call('waveform', start, end, columns),
    (reply) => {
      if (!reply.ok) { showError(reply.error); return; }
      const values = decodeEnvelope(reply.envelope, reply.columns);
      if (values) envelope = { start: reply.start, end: reply.end, columns: reply.columns, values };
      drawWaveform();
    });

  function levelRange() {
    const state = getState();
    if (state && state.levels) return [state.levels.floor, state.levels.ceiling];
    return state && state.overview ? [state.overview.dbMin, state.overview.dbMax] : [-100, 0];
  }

  function askSlice() {
    const view = getView();
    if (!shown.slice || !cursor || !view) return;
    fitToDevicePixels(el.sliceCanvas);
    requestSlice(cursor.t, view.fmin, view.fmax, el.sliceCanvas.height);
  }

  function drawSlice() {
    const canvas = el.sliceCanvas;
    fitToDevicePixels(canvas);
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, canvas.width, canvas.height);
    const view = getView();
    if (!shown.slice || !view || !slice) {
      el.sliceLabels.replaceChildren();
      el.sliceTitle.textContent = shown.slice ? 'Move the mouse over the spectrogram' : '';
      return;
    }
    const ratio = canvas.height / el.sliceCanvas.clientHeight || 1;
    const [floor, ceiling] = levelRange();
    const rows = slice.levels.length;
    const x = (level) => Math.max(0, Math.min(1, (level - floor) / (ceiling - floor))) * canvas.width;
    context.beginPath();
    context.moveTo(0, canvas.height);
    for (let row = 0; row < rows; row++) {
      // Row centres of the slice's own range and scale, placed in the view shown now.
      const f = rowFrequency(slice, row, rows);
      context.lineTo(x(slice.levels[row]), freqToY(f, view, canvas.height));
    }
    context.lineTo(0, 0);
    context.fillStyle = '#e0a45833';
    context.fill();
    context.strokeStyle = CURVE;
    context.lineWidth = ratio;
    context.stroke();
    if (shown.harmonics && cursor) {
      context.fillStyle = '#7fdbff';
      for (const mark of harmonicMarks(cursor.f, view, canvas.height)) {
        context.fillRect(0, mark.y - ratio / 2, 10 * ratio, ratio);
      }
    }
    const peaks = labelledPeaks(slice.peaks, view, el.sliceCanvas.clientHeight);
    place(el.sliceLabels, peaks, (peak) => {
      const label = document.createElement('div');
      label.className = 'peak-label';
      label.textContent = peak.label;
      label.title = `${peak.level.toFixed(1)} dBFS`;
      label.style.top = `${peak.y}px`;
      return label;
    });
    el.sliceTitle.textContent = `Spectrum at ${formatTime(slice.time)}`;
  }

  function drawHarmonics() {
    const view = getView();
    const marks = shown.harmonics && cursor && view
      ? harmonicMarks(cursor.f, view, el.plot.clientHeight) : [];
    let labelled = Infinity; // y of the last mark labelled: high harmonics crowd together
    place(el.harmonics, marks, (mark) => {
      const tick = document.createElement('div');
      tick.className = 'harmonic';
      if (labelled - mark.y >= HARMONIC_LABEL_GAP) {
        tick.textContent = String(mark.k);
        labelled = mark.y;
      }
      tick.style.left = `${cursor.x}px`;
      tick.style.top = `${mark.y}px`;
      return tick;
    });
  }

  function drawWaveform() {
    const canvas = el.waveformCanvas;
    fitToDevicePixels(canvas);
    const context = canvas.getContext('2d');
    context.clearRect(0, 0, canvas.width, canvas.height);
    const view = getView();
    if (!shown.waveform || !view) return;
    const middle = canvas.height / 2;
    context.fillStyle = '#2a2f3a';
    context.fillRect(0, Math.floor(middle), canvas.width, 1);
    if (!envelope) return;
    const { start, end, columns, values } = envelope;
    canvas.dataset.span = JSON.stringify([start, end]); // what it shows, for the GUI tests
    context.fillStyle = '#8ecae6';
    for (let c = 0; c < columns; c++) {
      const [left, right] = columnSpan(c, columns, start, end, view, canvas.width);
      if (right < 0 || left > canvas.width) continue;
      const top = middle - (values[2 * c + 1] / 32767) * middle;
      const bottom = middle - (values[2 * c] / 32767) * middle;
      context.fillRect(left, top, Math.max(1, right - left), Math.max(1, bottom - top));
    }
  }

  /** A new view (or size): redraw what follows it, and ask for what it needs. */
  function followView() {
    const view = getView();
    drawWaveform();
    drawSlice();
    drawHarmonics();
    if (!view) return;
    if (shown.waveform) {
      const columns = el.waveformCanvas.width;
      const same = envelope && envelope.start === view.start && envelope.end === view.end
        && envelope.columns === columns;
      if (!same) requestWaveform(view.start, view.end, columns);
    }
    if (slice && (slice.fmin !== view.fmin || slice.fmax !== view.fmax
      || slice.scale !== scaleOf(view))) askSlice();
  }

  function track(event) {
    const view = getView();
    if (!view) return;
    const rect = el.plot.getBoundingClientRect();
    const x = event.clientX - rect.left, y = event.clientY - rect.top;
    cursor = { x, y, t: xToTime(x, view.start, view.end, rect.width),
      f: yToFreq(y, view, rect.height) };
    drawHarmonics();
    askSlice();
  }

  function toggle(pane) {
    shown[pane] = !shown[pane];
    document.body.dataset[pane] = shown[pane] ? 'shown' : '';
    toggles[pane].setAttribute('aria-pressed', String(shown[pane]));
    el.slicePane.hidden = !shown.slice;
    el.waveformPane.hidden = !shown.waveform;
    if (pane === 'waveform') envelope = null;
    redrawView(); // the plot's size changed; followView runs with it, as an overlay
    if (pane === 'slice') askSlice();
  }

  function clearHarmonics() {
    el.harmonics.replaceChildren();
  }

  const unlisten = [
    listenAll(el.plot, [['mousemove', track], ['mouseleave', clearHarmonics]]),
    ...PANES.map((pane) => listenAll(toggles[pane], [['click', () => toggle(pane)]])),
  ];
  const stopFollowing = addOverlay(followView);
  return {
    toggle,
    dispose() {
      for (const stop of unlisten) stop();
      stopFollowing();
      requestSlice.dispose();
      requestWaveform.dispose();
    },
  };
}
