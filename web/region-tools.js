// The Select tool's region: a time-frequency rectangle dragged over the spectrogram, and what
// can be done with it from the bar over the plot: play it (Space or Play play the region
// while one is marked, looped with Loop; "Band only" hears just its frequencies), zoom to it,
// track its partials, select the partials in it (a box selection), write its audio. Esc or ×
// lets it go; a new file does too.

import { listenAll } from './listen.js';
import { plotSize } from './tracing.js';
import { onMenuChoice } from './menus.js';
import { dragToRegion, partialsInRegion, regionLabel, regionView } from './region.js';
import { isNewFile } from './state-rules.js';

const $ = (id) => document.getElementById(id);

/**
 * @param {object} options
 * @param {{marked: object|null}} options.tools the marked region (s, Hz), which this module
 *   keeps for the trace layer to draw
 * @param {{subscribe: Function, current: object|null}} options.documentState
 * @param {() => object|null} options.getView
 * @param {() => object|null} options.getLimits
 * @param {(view: object) => void} options.onView
 * @param {() => void} options.drawTraces
 * @param {(region: object) => void} options.track track the partials in a region
 * @param {() => void} options.play play (or stop) what Play plays: the region while marked
 * @param {(method: string, ...args) => Promise<object>} options.act
 * @param {() => object|null} options.getState the document, for its partials
 * @param {(message: string) => void} options.notify
 * @returns {{mark: (points: Array) => void, clear: () => boolean, marked: () => object|null,
 *   dispose: () => void}} marked(): the region and whether only its band is heard, or null
 */
export function wireRegionTools({ tools, documentState, getView, getLimits, onView, drawTraces,
  track, play, act, getState, notify }) {
  tools.marked = null;
  const bar = $('region-bar');

  function show() {
    bar.hidden = !tools.marked;
    $('region-label').textContent = regionLabel(tools.marked);
    if (tools.marked) document.body.dataset.region = JSON.stringify(tools.marked);
    else delete document.body.dataset.region;
    drawTraces();
  }

  /** A Select drag ended: its rectangle is the region (a slip of the hand is none). */
  function mark(points) {
    const { width, height } = plotSize();
    const region = dragToRegion(points, getView(), width, height);
    if (!region) return;
    tools.marked = region;
    show();
  }

  /** Let the region go; false when there was none (the key is then left alone). */
  function clear() {
    if (!tools.marked) return false;
    tools.marked = null;
    show();
    return true;
  }

  async function exportAudio(format) {
    const reply = await act('export_region', tools.marked, $('region-band').checked, format);
    if (reply.ok && reply.path) notify(`Wrote ${reply.path}`);
  }

  const unlisten = [
    // Presses on the bar are the bar's: they must not start a pan or a drag on the plot.
    listenAll(bar, [['pointerdown', (event) => event.stopPropagation()],
      ['dblclick', (event) => event.stopPropagation()]]),
    listenAll($('region-play'), [['click', () => play()]]),
    listenAll($('region-zoom'), [['click', () => {
      const view = regionView(tools.marked, getLimits());
      if (view) onView(view);
    }]]),
    listenAll($('region-track'), [['click', () => track(tools.marked)]]),
    listenAll($('region-select'), [['click', () => {
      const ids = partialsInRegion((getState() && getState().partials) || [], tools.marked);
      act('select', ids);
    }]]),
    listenAll($('region-clear'), [['click', clear]]),
    onMenuChoice($('region-export'), exportAudio),
    documentState.subscribe((state, previous) => {
      if (isNewFile(previous, state)) clear();
    }),
  ];
  show();
  return {
    mark,
    clear,
    marked: () => (tools.marked ? { region: tools.marked, band: $('region-band').checked } : null),
    dispose() {
      for (const stop of unlisten) stop();
      tools.marked = null;
    },
  };
}
