// The status bar's readout of what is under the mouse on the plot: a partial's own time,
// frequency, note and level where the mouse is on one (and the overlay marks that point),
// else the time, frequency, note and the image's level there.

import { formatHz, formatNote, formatTime, xToTime, yToFreq } from './axes.js';
import { levelAt } from './spectrogram-canvas.js';
import { nearestPoint } from './trace-geometry.js';
import { listenAll } from './listen.js';

/**
 * @param {object} options
 * @param {HTMLElement} options.plot where the mouse is followed
 * @param {HTMLElement} options.readout where the values are written
 * @param {{hover: object|null, pointerTime: number|null}} options.tools the point under the
 *   mouse (nearestPoint), kept here for the trace overlay, and the time under it (s; null
 *   off the plot), where the S key splits
 * @param {{current: object|null, subscribe: Function}} options.documentState the document:
 *   when its partials change under a still mouse (an undo, a tracking's result), the readout
 *   is read again there, so it never names a partial that is gone
 * @param {() => object|null} options.getView
 * @param {() => {overview: object|null, viewport: object|null}} options.getImages
 * @param {() => void} options.drawTraces
 * @returns {() => void} dispose
 */
export function wireReadout({ plot, readout, tools, documentState, getView, getImages, drawTraces }) {
  let pointer = null; // {x, y}: the mouse on the plot, CSS px from its corner; null off it

  function show() {
    const view = getView();
    if (!view || !pointer) return;
    const state = documentState.current;
    const rect = plot.getBoundingClientRect();
    const { x, y } = pointer;
    tools.pointerTime = xToTime(x, view.start, view.end, rect.width);
    const hover = state && state.partials
      ? nearestPoint(state.partials, view, rect.width, rect.height, x, y) : null;
    if (hover || tools.hover) {
      tools.hover = hover;
      drawTraces();
    }
    if (hover) { // the partial's own values, where the mouse is on one
      const [t, f, a] = hover.point;
      const name = state.partials.find((p) => p.id === hover.partialId).name;
      readout.textContent = [name, formatTime(t), formatHz(f), formatNote(f) || '',
        `${a.toFixed(1)} dB`].join('   ');
      return;
    }
    const t = tools.pointerTime;
    const f = yToFreq(y, view, rect.height);
    const { overview, viewport } = getImages();
    let level = viewport ? levelAt(viewport, t, f) : null;
    if (level === null && overview) level = levelAt(overview, t, f);
    readout.textContent = [formatTime(t), formatHz(f), formatNote(f) || '',
      level === null ? '' : `${level.toFixed(1)} dB`].filter(Boolean).join('   ');
  }

  function move(event) {
    const rect = plot.getBoundingClientRect();
    pointer = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    show();
  }

  function clear() {
    pointer = null;
    readout.textContent = '';
    tools.pointerTime = null;
    if (tools.hover) {
      tools.hover = null;
      drawTraces();
    }
  }

  const stopListening = listenAll(plot, [['mousemove', move], ['mouseleave', clear]]);
  const unsubscribe = documentState.subscribe((state, previous) => {
    if (!previous || state.partials !== previous.partials) show();
  });
  return () => {
    stopListening();
    unsubscribe();
  };
}
