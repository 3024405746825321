// The Track tool's arithmetic, pure so node tests it: a dragged rectangle (CSS px) to the
// time-frequency region it covers and back, the settings form's fields to the settings the
// bridge takes, and where a split cuts.

import { freqToY, timeToX, xToTime, yToFreq } from './axes.js';

/** A drag smaller than this, CSS px, on either side is no rectangle (a slip of the hand). */
export const MIN_REGION_PX = 4;

/** The defaults of the settings form, as workers/track.py's TrackSettings has them. */
export const TRACK_DEFAULTS = { thresholdDb: 18, minDurationMs: 50, maxPartials: null };

const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

/**
 * The region a drag covers: from its first point to its last, clamped to the view.
 * @param {{x: number, y: number}[]} points the drag, CSS px from the plot's top-left
 * @param {{start: number, end: number, fmin: number, fmax: number}} view s, Hz
 * @param {number} width plot width, CSS px
 * @param {number} height plot height, CSS px
 * @returns {{start: number, end: number, fmin: number, fmax: number}|null} s and Hz, start <
 *   end and fmin < fmax; null when the drag is smaller than MIN_REGION_PX either way or the
 *   arguments are unusable.
 */
export function dragToRegion(points, view, width, height) {
  if (!view || !(width > 0 && height > 0) || !points || points.length < 2) return null;
  const a = points[0], b = points[points.length - 1];
  const [x0, x1] = [a.x, b.x].map((x) => clamp(x, 0, width)).sort((p, q) => p - q);
  const [y0, y1] = [a.y, b.y].map((y) => clamp(y, 0, height)).sort((p, q) => p - q);
  if (!(x1 - x0 >= MIN_REGION_PX && y1 - y0 >= MIN_REGION_PX)) return null;
  // Clamped again after the arithmetic: an edge of the view must map onto the view's own
  // value, not one rounding past it (which Python would refuse as outside the file).
  return {
    start: clamp(xToTime(x0, view.start, view.end, width), view.start, view.end),
    end: clamp(xToTime(x1, view.start, view.end, width), view.start, view.end),
    fmin: clamp(yToFreq(y1, view.fmin, view.fmax, height), view.fmin, view.fmax),
    fmax: clamp(yToFreq(y0, view.fmin, view.fmax, height), view.fmin, view.fmax),
  };
}

/**
 * Where a region lies on the plot, for drawing it while its track runs (it follows zooms).
 * @returns {{x: number, y: number, width: number, height: number}|null} CSS px; null
 *   without a view.
 */
export function regionRect(region, view, width, height) {
  if (!region || !view) return null;
  const x0 = timeToX(region.start, view.start, view.end, width);
  const x1 = timeToX(region.end, view.start, view.end, width);
  const y0 = freqToY(region.fmax, view.fmin, view.fmax, height);
  const y1 = freqToY(region.fmin, view.fmin, view.fmax, height);
  if ([x0, x1, y0, y1].some((v) => v === null)) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The settings the bridge's `track` takes from the form's text fields; a field left empty
 * takes its default (max partials: no limit). The numbers are sent as typed: Python checks
 * their range and says what is wrong.
 * @param {{thresholdDb: string, minDurationMs: string, maxPartials: string}} fields
 * @returns {{thresholdDb: number, minDurationMs: number, maxPartials: number|null}}
 */
export function trackSettingsFrom(fields) {
  const read = (text, fallback) => (String(text ?? '').trim() === '' ? fallback : Number(text));
  return {
    thresholdDb: read(fields.thresholdDb, TRACK_DEFAULTS.thresholdDb),
    minDurationMs: read(fields.minDurationMs, TRACK_DEFAULTS.minDurationMs),
    maxPartials: read(fields.maxPartials, TRACK_DEFAULTS.maxPartials),
  };
}

/**
 * The time a split cuts at: under the mouse when it is over the plot (the X key), else the
 * playback cursor (the menu, whose use takes the mouse off the plot); null when neither.
 * @param {number|null} pointerTime s
 * @param {number|null} cursorTime s
 */
export function splitTime(pointerTime, cursorTime) {
  if (Number.isFinite(pointerTime)) return pointerTime;
  return Number.isFinite(cursorTime) ? cursorTime : null;
}
