// A time-frequency region (s by Hz): the rectangle the Select and Track tools drag, where it
// lies on the plot, the view that shows it, how it reads and the partials in it. Pure, so
// node tests it.

import { formatHz, formatTime, freqToY, timeToX, xToTime, yToFreq } from './axes.js';
import { clampView } from './view-math.js';

/** A drag smaller than this, CSS px, on either side is no rectangle (a slip of the hand). */
export const MIN_REGION_PX = 4;

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
    fmin: clamp(yToFreq(y1, view, height), view.fmin, view.fmax),
    fmax: clamp(yToFreq(y0, view, height), view.fmin, view.fmax),
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
  const y0 = freqToY(region.fmax, view, height);
  const y1 = freqToY(region.fmin, view, height);
  if ([x0, x1, y0, y1].some((v) => v === null)) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The view that shows `region` whole: the region itself, within what the file allows.
 * @param {{start, end, fmin, fmax}} region s, Hz
 * @param {{duration:number, nyquist:number, minFreq:number}} limits
 * @returns {{start, end, fmin, fmax}|null}
 */
export function regionView(region, limits) {
  if (!region) return null;
  return clampView({ start: region.start, end: region.end, fmin: region.fmin,
    fmax: region.fmax }, limits);
}

/**
 * How a region reads: "0:01.250–0:02.000 · 200 Hz–1.5 kHz".
 * @param {{start, end, fmin, fmax}} region s, Hz
 */
export function regionLabel(region) {
  if (!region) return '';
  return `${formatTime(region.start)}\u2013${formatTime(region.end)} \u00b7 ` +
    `${formatHz(region.fmin)}\u2013${formatHz(region.fmax)}`;
}

/**
 * The partials with a point inside `region` (a box selection), in the order given.
 * @param {{id: number, points: Array<[number, number|null, number|null]>}[]} partials
 * @param {{start, end, fmin, fmax}} region s, Hz
 * @returns {number[]} their ids
 */
export function partialsInRegion(partials, region) {
  if (!region) return [];
  const inside = ([t, f]) => f !== null && t >= region.start && t <= region.end
    && f >= region.fmin && f <= region.fmax;
  return partials.filter((partial) => partial.points.some(inside)).map((partial) => partial.id);
}
