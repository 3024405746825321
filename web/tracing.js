// The tools (Navigate, Trace, Erase, Track, Select) and what their strokes and clicks do: a
// trace stroke becomes a guide to snap (one that begins on a partial's end continues that
// partial), an eraser stroke the ranges it erases, a Track or Select drag a region (handed
// to `onRegion` with its kind), a Select drag that starts on a partial moves its points
// there (snapped where they are left), and a click on a partial selects it, in every tool
// (in Navigate the click also sets the playback cursor, transport.js).
// Re-snap snaps the one selected partial again with the tolerance field's value.

import { attachTraceGestures } from './trace-gestures.js';
import { listenForClicks } from './plot-clicks.js';
import { dragGuide, erasedRanges, nearestPoint, partialEndAt, strokeToGuide } from './trace-geometry.js';
import { freqToY, timeToX, yToFreq } from './axes.js';
import { listenAll } from './listen.js';

const $ = (id) => document.getElementById(id);

/** The spectrogram plot's size, CSS px: what a gesture's pixels are measured against. */
export function plotSize() {
  const rect = document.querySelector('.plot').getBoundingClientRect();
  return { width: rect.width, height: rect.height };
}

/** How near a partial's point a Select press takes hold of it, CSS px. */
const GRAB_PX = 6;
/** How far along a partial a drag bends it, CSS px either side of the grabbed point. */
const MOVE_REACH_PX = 40;

/** The snap tolerance in cents: the field's, or 100 while it holds no usable value. */
function tolerance() {
  const value = Number($('tolerance').value);
  return Number.isFinite(value) && value >= 5 && value <= 1200 ? value : 100;
}

/**
 * @param {object} options
 * @param {{mode: string, stroke: Array}} options.tools the tool in use and the stroke being
 *   drawn (CSS px), which this module keeps
 * @param {() => object|null} options.getState
 * @param {() => object|null} options.getView
 * @param {() => void} options.drawTraces
 * @param {(method: string, ...args) => Promise<object>} options.act
 * @param {(id: number|null, additive: boolean) => void} options.select
 * @param {(points: {x:number, y:number}[], kind: ('track'|'select')) => void}
 *   options.onRegion a Track or Select drag ended
 * @returns {{setMode: (mode: string) => void, dispose: () => void}}
 */
export function wireTracing({ tools, getState, getView, drawTraces, act, select, onRegion }) {
  function setMode(mode) {
    tools.mode = mode;
    document.body.dataset.mode = mode;
    for (const button of document.querySelectorAll('.modes button')) {
      button.setAttribute('aria-pressed', String(button.dataset.mode === mode));
    }
  }

  const partials = () => getState().partials || [];
  let grabbed = null; // the partial and time a Select press took hold of

  /** The guide a move drag from its press to `last` leaves; null when it says nothing. */
  function moveGuide(press, last) {
    const view = getView();
    if (!grabbed || !view) return null;
    const { width, height } = plotSize();
    const from = yToFreq(press.y, view, height);
    const to = yToFreq(last.y, view, height);
    const partial = partials().find((p) => p.id === grabbed.partialId);
    const reach = MOVE_REACH_PX * (view.end - view.start) / width;
    return partial && from && to ? dragGuide(partial, grabbed.time, 1200 * Math.log2(to / from), reach)
      : null;
  }

  /** The stroke the layer draws: a move drag as the stretch where it would leave it. */
  function shownStroke(points, kind) {
    if (kind !== 'move' || !points.length) return points;
    const view = getView();
    const { width, height } = plotSize();
    const guide = moveGuide(points[0], points.at(-1)) || [];
    return guide.map(([t, f]) => ({ x: timeToX(t, view.start, view.end, width),
      y: freqToY(f, view, height) }));
  }

  const stopGestures = attachTraceGestures($('trace-canvas'), {
    getMode: () => tools.mode,
    onStrokeChange: (points, kind) => {
      tools.stroke = shownStroke(points, kind);
      tools.strokeKind = kind;
      drawTraces();
    },
    grab: (x, y) => {
      const { width, height } = plotSize();
      const hit = nearestPoint(partials(), getView(), width, height, x, y, GRAB_PX);
      grabbed = hit ? { partialId: hit.partialId, time: hit.point[0] } : null;
      return Boolean(hit);
    },
    onMove: (points) => {
      const guide = moveGuide(points[0], points.at(-1));
      if (guide) act('move_points', grabbed.partialId, guide, tolerance());
      grabbed = null;
    },
    onStroke: (points) => {
      const { width, height } = plotSize();
      const view = getView();
      const guide = view && strokeToGuide(points, view, width, height);
      if (!guide) return;
      const extend = partialEndAt(partials(), view, width, height, points[0].x, points[0].y);
      act('snap', guide, tolerance(), extend);
    },
    onErase: (points) => {
      const { width, height } = plotSize();
      const ranges = erasedRanges(partials(), getView(), width, height, points);
      if (ranges.length) act('erase', ranges);
    },
    onRegion,
    onClickAt: (x, y, additive) => {
      const { width, height } = plotSize();
      const hit = nearestPoint(partials(), getView(), width, height, x, y);
      select(hit ? hit.partialId : null, additive);
    },
  });
  // In Navigate the overlay lets presses through to the plot, which pans: a click there (a
  // press and release without a drag) on a partial selects it; elsewhere it only sets the
  // playback cursor, and the selection stays.
  const plot = document.querySelector('.plot');
  const stopNavigateClicks = listenForClicks(plot, (event) => {
    if (tools.mode !== 'navigate' || !getView()) return;
    const rect = plot.getBoundingClientRect();
    const hit = nearestPoint(partials(), getView(), rect.width, rect.height,
      event.clientX - rect.left, event.clientY - rect.top);
    if (hit) select(hit.partialId, event.shiftKey || event.ctrlKey || event.metaKey);
  });
  const unlisten = [...document.querySelectorAll('.modes button')].map((button) =>
    listenAll(button, [['click', () => setMode(button.dataset.mode)]]));
  unlisten.push(listenAll($('resnap'), [['click', () => {
    const [id] = getState().selection;
    act('resnap', id, tolerance());
  }]]));
  setMode('navigate');

  return {
    setMode,
    dispose() {
      for (const stop of unlisten) stop();
      stopGestures();
      stopNavigateClicks();
    },
  };
}
