// Playback wired to the page: the transport (transport.js) plays the view's file with the
// page's solo and mute, draws its cursor with the view, and stops for a new file.

import { Transport } from './transport.js';
import { isNewFile } from './state-rules.js';

const $ = (id) => document.getElementById(id);

/**
 * @param {object} options
 * @param {{mode: string}} options.tools a click sets the cursor only in Navigate
 * @param {{solo: Set<number>, mute: Set<number>}} options.mix
 * @param {{subscribe: Function, current: object|null}} options.documentState
 * @param {{view: object|null, onView: Function, addOverlay: Function}} options.pipeline
 * @param {(url: string) => Promise<Uint8Array>} options.fetchBytes
 * @param {(message: string) => void} options.showError
 * @param {() => ({region: object, band: boolean}|null)} options.getRegion the marked region
 * @returns {{toggle: () => void, cursor: () => (number|null), dispose: () => void}} cursor:
 *   the time playback starts from (s), null when none is set
 */
export function wirePlayback({ tools, mix, documentState, pipeline, fetchBytes, showError,
  getRegion }) {
  const getState = () => documentState.current;
  const transport = new Transport({
    elements: { play: $('play'), mode: $('play-mode'), loop: $('loop'), playhead: $('playhead'),
      overviewPlayhead: $('overview-playhead'), cursor: $('cursor'),
      plot: document.querySelector('.plot') },
    getView: () => pipeline.view,
    getFile: () => getState() && getState().file,
    clicksSetCursor: () => tools.mode === 'navigate',
    getMix: () => ({ solo: [...mix.solo], mute: [...mix.mute] }),
    getPartialIds: () => ((getState() && getState().partials) || []).map((p) => p.id),
    fetchBytes, onView: pipeline.onView, onError: showError, getRegion,
  });
  const stopDrawing = pipeline.addOverlay(() => transport.drawCursor());
  const unsubscribe = documentState.subscribe((state, previous) => {
    if (isNewFile(previous, state)) transport.reset();
  });
  return {
    toggle: () => transport.toggle(),
    cursor: () => transport.cursor,
    dispose() {
      unsubscribe();
      stopDrawing();
      transport.dispose();
    },
  };
}
