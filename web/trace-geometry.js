// Geometry of traced partials on the spectrogram: turning a freehand stroke into a guide for
// the back end, partials into pixel polylines, and the pointer into hits. Pure functions, no
// DOM. Pixels are CSS px from the element's top-left corner; a view is {start, end} in s
// (linear) and {fmin, fmax} in Hz (logarithmic, fmax at the top). A partial is
// {id, points: [[t (s), f (Hz) | null, a (dBFS) | null], ...]} with points in time order
// (the back end writes tracks that way; hit tests rely on it to binary-search by time).
// Bad input (NaN, null points, an unusable view, a zero-size element) yields null or []
// rather than an exception: these run on every pointer move.

import { freqToY, timeToX, xToTime, yToFreq } from './axes.js';

const isNum = Number.isFinite;
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

/** True for a view and element size the axis mappings can use. */
function usable(view, width, height) {
  if (!view || typeof view !== 'object') return false;
  const { start, end, fmin, fmax } = view;
  return isNum(start) && isNum(end) && end > start && isNum(fmin) && isNum(fmax) &&
    fmin > 0 && fmax > fmin && isNum(width) && width > 0 && isNum(height) && height > 0;
}

/** A point's pixel position, or null for a point that sank into the noise (or is garbage). */
function toPixel(point, view, width, height) {
  if (!Array.isArray(point)) return null;
  const x = timeToX(point[0], view.start, view.end, width);
  const y = freqToY(point[1], view, height); // null for a null frequency
  return x === null || y === null ? null : [x, y];
}

/**
 * First index whose time is >= t (or > t when `after`), points in time order;
 * points.length when there is none.
 */
function bound(points, t, after = false) {
  let lo = 0, hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = points[mid];
    if (Array.isArray(p) && (after ? p[0] <= t : p[0] < t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index range [lo, hi) of the points with time in [t0, t1]. */
function timeWindow(points, t0, t1) {
  return [bound(points, t0), bound(points, t1, true)];
}

/** The points array of a partial, or [] for anything malformed. */
const pointsOf = (partial) => (partial && Array.isArray(partial.points) ? partial.points : []);

/**
 * Turn a freehand stroke into a guide for the ridge snapper.
 *
 * The guide must be a function of time. A stroke drawn right to left (its last point left of
 * its first) is reversed; then only points later than every point kept before them survive
 * (a running maximum in time). So a hand that trembles or doubles back briefly loses just the
 * backward wiggle and the guide still spans from the stroke's start to its furthest reach;
 * equal times keep the first point. Points are clamped into the view first, so a stroke that
 * wanders outside the element (the pointer is captured) follows the edge.
 * @param {{x:number, y:number}[]} stroke CSS px within the element; non-finite points are skipped.
 * @param {{start:number, end:number, fmin:number, fmax:number}} view s and Hz.
 * @param {number} width element width, CSS px.
 * @param {number} height element height, CSS px.
 * @returns {[number, number][]|null} [[t (s), f (Hz)], ...] strictly increasing in t; null
 *   for fewer than 2 distinct times (a click, not a stroke) or unusable input.
 */
export function strokeToGuide(stroke, view, width, height) {
  if (!Array.isArray(stroke) || !usable(view, width, height)) return null;
  const pts = stroke.filter((p) => p && isNum(p.x) && isNum(p.y));
  if (pts.length < 2) return null;
  if (pts[pts.length - 1].x < pts[0].x) pts.reverse();
  const guide = [];
  for (const { x, y } of pts) {
    // Clamped in pixels and again in units, so rounding can never step outside the view.
    const t = clamp(xToTime(clamp(x, 0, width), view.start, view.end, width), view.start, view.end);
    const f = clamp(yToFreq(clamp(y, 0, height), view, height), view.fmin, view.fmax);
    if (!guide.length || t > guide[guide.length - 1][0]) guide.push([t, f]);
  }
  return guide.length >= 2 ? guide : null;
}

/** Keep at most two points per pixel column of a run: the highest and the lowest, in order. */
function decimate(run) {
  if (run.length <= 2) return run;
  const out = [];
  let column = null, top = null, bottom = null;
  const flush = () => {
    if (top === null) return;
    if (top === bottom) out.push(top);
    else if (top.i < bottom.i) out.push(top, bottom);
    else out.push(bottom, top);
  };
  for (let i = 0; i < run.length; i++) {
    const p = run[i];
    const c = Math.floor(p[0]);
    if (c !== column) {
      flush();
      column = c;
      top = bottom = { p, i };
    } else {
      if (p[1] < top.p[1]) top = { p, i };
      if (p[1] > bottom.p[1]) bottom = { p, i };
    }
  }
  flush();
  return out.map((entry) => entry.p);
}

/**
 * Move `outside`, a point beyond the element's left or right edge, along the segment towards
 * `inside` until it lies just past the edge: the line drawn is the same, but canvas never
 * sees coordinates in the millions (a deeply zoomed view of a long partial).
 */
function pullIn(outside, inside, width) {
  const edge = outside[0] < 0 ? -1 : width + 1;
  if (Math.abs(outside[0] - inside[0]) < 1e-9 || (outside[0] >= -1 && outside[0] <= width + 1)) {
    return outside;
  }
  const k = (edge - inside[0]) / (outside[0] - inside[0]);
  return [edge, inside[1] + k * (outside[1] - inside[1])];
}

/**
 * Pixel polylines of a partial for drawing.
 * Only the points within the view's time range are used, plus one on either side so lines
 * run to the element's edges. A point whose frequency is null (the ridge sank into the noise)
 * ends a run: the partial is drawn with a gap there. Runs keep at most two points per pixel
 * column (the extremes), so a 10 000-point partial in a 600 px view costs ~1 200 lineTo.
 * @param {{points: Array}} partial
 * @param {object} view {start, end, fmin, fmax} (s, Hz).
 * @param {number} width element width, CSS px.
 * @param {number} height element height, CSS px.
 * @returns {[number, number][][]} runs of [x, y] px, each in time order; a run of one point
 *   is an isolated point (draw a dot). [] for unusable input.
 */
export function partialPolylines(partial, view, width, height) {
  if (!usable(view, width, height)) return [];
  const points = pointsOf(partial);
  const [first, last] = timeWindow(points, view.start, view.end);
  const lo = Math.max(0, first - 1), hi = Math.min(points.length, last + 1);
  const runs = [];
  let run = [];
  const end = () => {
    if (run.length) runs.push(run);
    run = [];
  };
  for (let i = lo; i < hi; i++) {
    const px = toPixel(points[i], view, width, height);
    if (!px) end();
    else run.push(px);
  }
  end();
  // A margin point whose neighbour inside is a gap would only draw off the element.
  const visible = (r) => r.some(([x]) => x >= 0) && r.some(([x]) => x <= width);
  return runs.filter(visible).map((r) => {
    if (r.length >= 2) {
      r[0] = pullIn(r[0], r[1], width);
      r[r.length - 1] = pullIn(r[r.length - 1], r[r.length - 2], width);
    }
    return decimate(r);
  });
}

/**
 * The partial point nearest to a pixel, for hovering and selecting.
 * @param {Array} partials [{id, points}].
 * @param {object} view {start, end, fmin, fmax} (s, Hz).
 * @param {number} width element width, CSS px.
 * @param {number} height element height, CSS px.
 * @param {number} x pointer, CSS px from the left.
 * @param {number} y pointer, CSS px from the top.
 * @param {number} [maxDistance=8] farthest a point may be, CSS px.
 * @returns {{partialId: *, index: number, point: Array, distance: number}|null} index into
 *   the partial's points, distance in px; null when no (non-null) point is that close.
 */
export function nearestPoint(partials, view, width, height, x, y, maxDistance = 8) {
  if (!Array.isArray(partials) || !usable(view, width, height) || !isNum(x) || !isNum(y) ||
    !(maxDistance >= 0)) return null;
  const t0 = xToTime(x - maxDistance, view.start, view.end, width);
  const t1 = xToTime(x + maxDistance, view.start, view.end, width);
  let best = null;
  for (const partial of partials) {
    const points = pointsOf(partial);
    const [lo, hi] = timeWindow(points, t0, t1);
    for (let i = lo; i < hi; i++) {
      const px = toPixel(points[i], view, width, height);
      if (!px) continue;
      const distance = Math.hypot(px[0] - x, px[1] - y);
      if (distance <= maxDistance && (!best || distance < best.distance)) {
        best = { partialId: partial.id, index: i, point: points[i], distance };
      }
    }
  }
  return best;
}

/**
 * The partial a trace stroke starting at (x, y) continues: the one whose first or last
 * audible point lies within `reach` px of it (the nearest, if several). A stroke that begins
 * on a partial's end extends that partial rather than making a new one.
 * @param {Array} partials [{id, points}].
 * @param {object} view {start, end, fmin, fmax} (s, Hz).
 * @param {number} width element width, CSS px.
 * @param {number} height element height, CSS px.
 * @param {number} x CSS px.
 * @param {number} y CSS px.
 * @param {number} [reach=10] CSS px.
 * @returns {*|null} the partial's id, or null.
 */
export function partialEndAt(partials, view, width, height, x, y, reach = 10) {
  if (!Array.isArray(partials) || !usable(view, width, height) || !isNum(x) || !isNum(y)) {
    return null;
  }
  let best = null;
  for (const partial of partials) {
    const audible = pointsOf(partial).filter((p) => Array.isArray(p) && isNum(p[1]));
    for (const point of [audible[0], audible.at(-1)]) {
      const px = point && toPixel(point, view, width, height);
      if (!px) continue;
      const distance = Math.hypot(px[0] - x, px[1] - y);
      if (distance <= reach && (!best || distance < best.distance)) {
        best = { id: partial.id, distance };
      }
    }
  }
  return best ? best.id : null;
}

/**
 * Where a drag leaves a stretch of a partial, as the guide to snap there: the audible points
 * within `reach` s of the grabbed point's time, each moved by `cents` times a raised-cosine
 * falloff (all of it at the grabbed point, none at `reach`), so the stretch bends smoothly
 * into the rest of the partial.
 * @param {{points: Array}} partial
 * @param {number} grabTime s, the time of the point grabbed
 * @param {number} cents how far the grabbed point was dragged (up > 0)
 * @param {number} reach s, > 0
 * @returns {[number, number][]|null} [[t s, f Hz], ...] in time order; null for fewer than
 *   two points or unusable arguments.
 */
export function dragGuide(partial, grabTime, cents, reach) {
  if (!isNum(grabTime) || !isNum(cents) || !(reach > 0)) return null;
  const guide = pointsOf(partial)
    .filter((p) => Array.isArray(p) && isNum(p[0]) && isNum(p[1])
      && Math.abs(p[0] - grabTime) <= reach)
    .map(([t, f]) => {
      const weight = 0.5 * (1 + Math.cos(Math.PI * Math.abs(t - grabTime) / reach));
      return [t, f * 2 ** (cents * weight / 1200)];
    });
  return guide.length >= 2 ? guide : null;
}

/** Distance, px, from (x, y) to the segment a-b. */
function segmentDistance(x, y, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const k = length2 > 0 ? clamp(((x - a.x) * dx + (y - a.y) * dy) / length2, 0, 1) : 0;
  return Math.hypot(a.x + k * dx - x, a.y + k * dy - y);
}

/**
 * What an eraser stroke erases: the points of each partial within `radius` px of the
 * stroke's segments (a one-point stroke erases around that point). Only points inside the
 * view count: you erase what you see. Null points are never hit and do not break a run, so a
 * swipe across a gap gives one range; a point missed between two hit ones splits the range.
 * @param {Array} partials [{id, points}].
 * @param {object} view {start, end, fmin, fmax} (s, Hz).
 * @param {number} width element width, CSS px.
 * @param {number} height element height, CSS px.
 * @param {{x:number, y:number}[]} stroke CSS px; non-finite points are skipped.
 * @param {number} [radius=6] reach of the eraser, CSS px.
 * @returns {{partialId: *, start: number, end: number}[]} one time range (s, times of the
 *   first and last hit point, so start === end for a single point) per run of hit points,
 *   in the order of `partials` and then of time.
 */
export function erasedRanges(partials, view, width, height, stroke, radius = 6) {
  if (!Array.isArray(partials) || !Array.isArray(stroke) || !usable(view, width, height) ||
    !(radius >= 0) || !isNum(radius)) return [];
  const pts = stroke.filter((p) => p && isNum(p.x) && isNum(p.y));
  if (!pts.length) return [];
  const xs = pts.map((p) => p.x), ys = pts.map((p) => p.y);
  const box = { x0: Math.min(...xs) - radius, x1: Math.max(...xs) + radius,
    y0: Math.min(...ys) - radius, y1: Math.max(...ys) + radius };
  const t0 = Math.max(view.start, xToTime(box.x0, view.start, view.end, width));
  const t1 = Math.min(view.end, xToTime(box.x1, view.start, view.end, width));
  if (!(t1 >= t0)) return [];
  const segments = pts.length === 1 ? [[pts[0], pts[0]]] : pts.slice(1).map((b, i) => [pts[i], b]);
  const hit = (px) => px[0] >= box.x0 && px[0] <= box.x1 && px[1] >= box.y0 && px[1] <= box.y1 &&
    px[1] >= 0 && px[1] <= height && // inside the view in frequency too
    segments.some(([a, b]) => segmentDistance(px[0], px[1], a, b) <= radius);
  const ranges = [];
  for (const partial of partials) {
    const points = pointsOf(partial);
    const [lo, hi] = timeWindow(points, t0, t1);
    let range = null;
    for (let i = lo; i < hi; i++) {
      const px = toPixel(points[i], view, width, height);
      if (!px) continue; // a gap neither counts nor breaks the run
      if (hit(px)) {
        if (range) range.end = points[i][0];
        else range = { partialId: partial.id, start: points[i][0], end: points[i][0] };
      } else if (range) {
        ranges.push(range);
        range = null;
      }
    }
    if (range) ranges.push(range);
  }
  return ranges;
}

/**
 * What the partials list shows of a partial.
 * @param {{points: Array}|null} partial
 * @returns {{start: number|null, end: number|null, meanFrequency: number|null, count: number}}
 *   start and end: times (s) of the first and last point with a frequency; meanFrequency: the
 *   geometric mean (Hz) of the frequencies, the right average on a log axis (the mean of 100
 *   and 400 Hz is 200, the pitch in the middle); count: points with a frequency. Nulls and 0
 *   when there are none.
 */
export function partialSummary(partial) {
  let start = null, end = null, logSum = 0, count = 0;
  for (const p of pointsOf(partial)) {
    if (!Array.isArray(p) || !isNum(p[0]) || !(p[1] > 0) || !isNum(p[1])) continue;
    if (start === null || p[0] < start) start = p[0];
    if (end === null || p[0] > end) end = p[0];
    logSum += Math.log(p[1]);
    count += 1;
  }
  return { start, end, meanFrequency: count ? Math.exp(logSum / count) : null, count };
}
