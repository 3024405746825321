// Automatic tracking and tidying from the page: the Track tool's rectangle (drawn while its
// track runs), the Partials… menu (track the whole file, the settings form, harmonics, join,
// split, delete short or weak) and the keys that do the same (F, J, X). Python does the work and says
// what is wrong; the page only gathers the arguments.

import { onMenuChoice } from './menus.js';
import { listenAll } from './listen.js';
import { plotSize } from './tracing.js';
import { dragToRegion } from './region.js';
import { splitTime, trackSettingsFrom } from './track-region.js';

const $ = (id) => document.getElementById(id);

/**
 * @param {object} options
 * @param {{regions: Array, pointerTime: number|null}} options.tools the regions being tracked
 *   (this module keeps them) and the time under the mouse (readout.js keeps it)
 * @param {() => object|null} options.getState
 * @param {() => object|null} options.getView
 * @param {() => void} options.drawTraces
 * @param {(method: string, ...args) => Promise<object>} options.act
 * @param {() => (number|null)} options.getCursor the playback cursor, s
 * @param {(message: string) => void} options.notify a message that is no error
 * @param {(message: string) => void} options.showError
 * @returns {{track: Function, trackDrag: Function, harmonics: Function, join: Function,
 *   split: Function, dispose: () => void}} the commands the keys run; track(region) tracks
 *   a region (s, Hz; null: the whole file)
 */
export function wireTrackTools({ tools, getState, getView, drawTraces, act, getCursor, notify,
  showError }) {
  const selection = () => (getState() && getState().selection) || [];
  const settings = () => trackSettingsFrom({ thresholdDb: $('track-threshold').value,
    minDurationMs: $('track-min-duration').value, maxPartials: $('track-max-partials').value });

  /** Track `region` (null: the whole file); the region shows until the reply comes. */
  async function track(region) {
    if (region) tools.regions.push(region);
    drawTraces();
    try {
      const reply = await act('track', region, settings());
      if (reply.ok && reply.message) notify(reply.message);
    } finally {
      tools.regions = tools.regions.filter((r) => r !== region);
      drawTraces();
    }
  }

  function trackDrag(points) {
    const { width, height } = plotSize();
    const region = dragToRegion(points, getView(), width, height);
    if (region) track(region);
  }

  function harmonics() {
    if (selection().length !== 1) {
      showError('Select one partial, the fundamental, to find its harmonics');
      return;
    }
    act('find_harmonics', selection()[0], null).then((reply) => {
      if (reply.ok && reply.message) notify(reply.message);
    });
  }

  function split() {
    if (selection().length !== 1) {
      showError('Select the one partial to split');
      return;
    }
    const time = splitTime(tools.pointerTime, getCursor());
    if (time === null) {
      showError('Point at the time to split at, or click there in Navigate to set the cursor');
      return;
    }
    act('split_partial', selection()[0], time);
  }

  const join = () => act('join_partials', selection());

  function openPrune() {
    const count = selection().length;
    $('prune-scope').textContent = count
      ? `Among the ${count} selected partial${count === 1 ? '' : 's'}.`
      : 'Among all the partials.';
    $('prune-dialog').showModal();
  }

  async function prune() {
    const field = (id) => ($(id).value.trim() === '' ? NaN : Number($(id).value));
    const reply = await act('prune_partials', selection().length ? selection() : null,
      field('prune-duration'), field('prune-level'));
    if (reply.ok && reply.message) notify(reply.message);
  }

  const menu = {
    whole: () => track(null),
    settings: () => $('track-settings').showModal(),
    harmonics, join, split,
    prune: openPrune,
  };
  const unlisten = [
    onMenuChoice($('track-menu'), (choice) => menu[choice]()),
    listenAll($('track-settings'), [['close', () => {
      if ($('track-settings').returnValue === 'whole') track(null);
    }]]),
    listenAll($('prune-dialog'), [['close', () => {
      if ($('prune-dialog').returnValue === 'prune') prune();
    }]]),
  ];
  return {
    track, trackDrag, harmonics, join, split,
    dispose() { for (const stop of unlisten) stop(); },
  };
}
