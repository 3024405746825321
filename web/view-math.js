// Viewport arithmetic: zooming, panning and clamping the view of the spectrogram.
// Pure functions, no DOM. A view is {start, end} in seconds (linear axis), {fmin, fmax}
// in Hz and the frequency axis' scale ('log', the default, or 'linear': axes.js); zooming
// and panning are even on that axis, and the scale is kept. Limits are {duration (s),
// nyquist (Hz), minFreq (Hz)} of the open file. Every function returns a view that lies
// inside the limits, or null when the limits themselves are unusable (no file open):
// gestures then simply do nothing.
// Bad views (NaN, Infinity, inverted ranges, fmin <= 0) become the full view, so a single
// garbage value can never propagate into a request to the back end.

import { axisDistance, axisFrequency, axisPosition, scaleOf } from './axes.js';

/** Shortest time span a view may show, s: below this a spectrogram column is meaningless. */
export const MIN_TIME_SPAN = 0.01;

/** Narrowest frequency span a view may show, as fmax / fmin (~84 cents). */
export const MIN_FREQ_RATIO = 1.05;

/** Zoom factor of one typical mouse wheel notch (deltaY 100 px or 3 lines). */
const NOTCH_FACTOR = 1.25;
const NOTCH_PX = 100;

/** Pixels per wheel "line" and "page" (deltaMode 1 and 2), as Chromium scrolls them. */
const LINE_PX = NOTCH_PX / 3;
const PAGE_PX = 800;

/** Largest zoom a single wheel event may cause, either way. */
const MAX_WHEEL_FACTOR = 2;

/** Relative rounding tolerance below which a span counts as the whole range. */
const SNAP = 1e-9;

const isNum = Number.isFinite;
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

/**
 * The limits with their derived bounds, or null when they describe no usable file.
 * Tiny files (shorter than 10 ms, or a frequency range narrower than 1.05) lower the
 * minimum spans to what the file has rather than making every view invalid.
 */
function bounds(limits) {
  if (!limits || typeof limits !== 'object') return null;
  const { duration, nyquist, minFreq } = limits;
  if (!isNum(duration) || !(duration > 0)) return null;
  if (!isNum(nyquist) || !isNum(minFreq) || !(minFreq > 0) || !(nyquist > minFreq)) return null;
  const maxRatio = nyquist / minFreq;
  if (!isNum(maxRatio)) return null;
  return {
    duration, nyquist, minFreq, maxRatio,
    minSpan: Math.min(MIN_TIME_SPAN, duration),
    minRatio: Math.min(MIN_FREQ_RATIO, maxRatio),
  };
}

/** The whole file: [0, duration] s by [minFreq, nyquist] Hz; null for unusable limits. */
export function fullView(limits) {
  const b = bounds(limits);
  return b && { start: 0, end: b.duration, fmin: b.minFreq, fmax: b.nyquist };
}

/** True when `view` has four finite numbers in a usable order (it may still exceed limits). */
function wellFormed(view) {
  if (!view || typeof view !== 'object') return false;
  const { start, end, fmin, fmax } = view;
  return isNum(start) && isNum(end) && isNum(fmin) && isNum(fmax) &&
    end >= start && fmin > 0 && fmax >= fmin && isNum(fmax / fmin);
}

/**
 * Time range of span `span` (already within [minSpan, duration]) starting at `start`,
 * shifted back inside [0, duration] without changing its span.
 */
function placeTime(start, span, b) {
  if (span >= b.duration) return { start: 0, end: b.duration };
  start = clamp(start, 0, b.duration - span);
  return { start, end: Math.min(b.duration, start + span) };
}

/**
 * The frequency range [fmin, fmax] shifted inside [minFreq, nyquist] without changing its
 * span on an axis of `scale` (on a linear axis fmin may be 0 Hz or less: its span is still
 * a span); the whole range when the span covers it.
 */
function placeFreq(fmin, fmax, b, scale) {
  const bottom = axisPosition(b.minFreq, scale);
  const top = axisPosition(b.nyquist, scale);
  const low = axisPosition(fmin, scale);
  const span = axisDistance(fmin, fmax, scale);
  if (span >= (top - bottom) * (1 - SNAP)) return { fmin: b.minFreq, fmax: b.nyquist };
  if (fmin >= b.minFreq && fmax <= b.nyquist) return { fmin, fmax };
  // The edge it is moved to is the limit itself, not the limit to and from the axis' unit;
  // min/max guard against the last ulp of rounding at the other end.
  if (low < bottom) {
    return { fmin: b.minFreq, fmax: Math.min(b.nyquist, axisFrequency(bottom + span, scale)) };
  }
  return { fmin: Math.max(b.minFreq, axisFrequency(top - span, scale)), fmax: b.nyquist };
}

/**
 * A valid view as close as possible to `view`: a view that reaches outside the file is
 * shifted back in keeping its span (on its frequency axis); a span outside [10 ms,
 * duration] or [1.05, nyquist / minFreq] is shrunk or grown about its centre (geometric
 * centre in frequency).
 * @param {{start:number, end:number, fmin:number, fmax:number, scale?:string}} view s and Hz.
 * @param {{duration:number, nyquist:number, minFreq:number}} limits s and Hz.
 * @returns {{start:number, end:number, fmin:number, fmax:number}|null} with the view's
 *   scale, if it has one; the full view for a malformed view; null when the limits are
 *   unusable.
 */
export function clampView(view, limits) {
  const b = bounds(limits);
  if (!b) return null;
  if (!wellFormed(view)) return fullView(limits);
  let { start, end, fmin, fmax } = view;
  const span = end - start;
  // Spans within rounding of the whole file snap to it, so zooming all the way out lands
  // exactly on the full view rather than a hair inside it.
  const newSpan = span >= b.duration * (1 - SNAP) ? b.duration : clamp(span, b.minSpan, b.duration);
  if (newSpan !== span) start = start + span / 2 - newSpan / 2;
  if (fmax / fmin < b.minRatio) {
    fmin = Math.sqrt(fmin * fmax / b.minRatio);
    fmax = fmin * b.minRatio;
  }
  const time = placeTime(start, newSpan, b);
  const freq = placeFreq(fmin, fmax, b, scaleOf(view));
  const out = { ...view, start: time.start, end: time.end, fmin: freq.fmin, fmax: freq.fmax };
  // Overflow in the arithmetic above (e.g. start = 1e308) must not leak out.
  return wellFormed(out) ? out : fullView(limits);
}

/**
 * Zoom the time axis by `factor` (< 1 zooms in) keeping `anchorT` at the same relative
 * x position (the point under the cursor stays under the cursor). The span stops at
 * 10 ms and at the whole file; the anchor still holds unless clamping at a file edge moves it.
 * @param {object} view current view (s, Hz).
 * @param {number} anchorT time that keeps its place, s; not finite -> the view's centre.
 * @param {number} factor new span / old span; not a positive number -> no zoom.
 * @param {object} limits {duration, nyquist, minFreq}.
 * @returns {object|null} the new view.
 */
export function zoomTime(view, anchorT, factor, limits) {
  const v = clampView(view, limits);
  if (!v || !isNum(factor) || !(factor > 0)) return v;
  const b = bounds(limits);
  const span = v.end - v.start;
  const anchor = isNum(anchorT) ? clamp(anchorT, v.start, v.end) : v.start + span / 2;
  const rel = (anchor - v.start) / span;
  const newSpan = clamp(span * factor, b.minSpan, b.duration);
  const start = anchor - rel * newSpan;
  return clampView({ ...v, start, end: start + newSpan }, limits);
}

/**
 * Zoom the frequency axis by `factor` (< 1 zooms in; it scales the span on the view's
 * axis: log(fmax / fmin) or fmax - fmin) keeping `anchorF` at the same relative y position.
 * @param {object} view current view (s, Hz, scale).
 * @param {number} anchorF frequency that keeps its place, Hz; not valid -> the centre.
 * @param {number} factor new span / old span on the axis; not a positive number -> no zoom.
 * @param {object} limits {duration, nyquist, minFreq}.
 * @returns {object|null} the new view.
 */
export function zoomFreq(view, anchorF, factor, limits) {
  const v = clampView(view, limits);
  if (!v || !isNum(factor) || !(factor > 0)) return v;
  const b = bounds(limits);
  const scale = scaleOf(v);
  const lo = axisPosition(v.fmin, scale);
  const span = axisDistance(v.fmin, v.fmax, scale);
  const anchor = anchorF > 0 && isNum(anchorF)
    ? clamp(axisPosition(anchorF, scale), lo, lo + span) : lo + span / 2;
  const rel = (anchor - lo) / span;
  const whole = axisDistance(b.minFreq, b.nyquist, scale);
  // The narrowest span is a ratio (clampView's); on a log axis it is a span too.
  const narrowest = scale === 'log' ? Math.log(b.minRatio) : 0;
  const newSpan = clamp(span * factor, narrowest, whole);
  const newLow = anchor - rel * newSpan;
  const range = placeFreq(axisFrequency(newLow, scale), axisFrequency(newLow + newSpan, scale), b, scale);
  return clampView({ ...v, ...range }, limits);
}

/**
 * Move the view `dt` seconds later (negative: earlier), stopping at the file's ends.
 * @returns {object|null} the new view; the clamped view itself when dt is not finite.
 */
export function panTime(view, dt, limits) {
  const v = clampView(view, limits);
  if (!v || !isNum(dt)) return v;
  return clampView({ ...v, start: v.start + dt, end: v.end + dt }, limits);
}

/**
 * Move the view up in frequency by `fraction` of its height (negative moves down), evenly
 * on its axis, stopping at minFreq and Nyquist.
 * @returns {object|null} the new view; the clamped view itself when fraction is not finite.
 */
export function panFreq(view, fraction, limits) {
  const v = clampView(view, limits);
  if (!v || !isNum(fraction)) return v;
  const scale = scaleOf(v);
  const [low, high] = [v.fmin, v.fmax].map((f) => axisPosition(f, scale));
  const shift = fraction * (high - low);
  const range = placeFreq(axisFrequency(low + shift, scale), axisFrequency(high + shift, scale),
    bounds(limits), scale);
  return clampView({ ...v, ...range }, limits);
}

/**
 * The view of the same spans with its time centred on `t` (s), as near as the file allows.
 * @returns {object|null} the new view; the clamped view itself when t is not finite.
 */
export function centredOn(view, t, limits) {
  const v = clampView(view, limits);
  if (!v || !isNum(t)) return v;
  const span = v.end - v.start;
  return clampView({ ...v, start: t - span / 2, end: t + span / 2 }, limits);
}

/**
 * Whether two views show the same region: times within `eps` seconds, frequencies
 * within a log ratio of `eps`. Two nulls are equal; null and a view are not.
 * @param {number} [eps=1e-9]
 */
export function viewsEqual(a, b, eps = 1e-9) {
  if (!a || !b) return !a && !b;
  return Math.abs(a.start - b.start) <= eps && Math.abs(a.end - b.end) <= eps &&
    Math.abs(Math.log(a.fmin / b.fmin)) <= eps && Math.abs(Math.log(a.fmax / b.fmax)) <= eps;
}

/**
 * Zoom factor for one wheel event: exponential in the scrolled distance, so that many small
 * trackpad deltas compose to the same zoom as one notch of equal total distance. One mouse
 * notch (deltaY 100 px, or 3 lines) gives 1.25; scrolling up (negative deltaY) gives < 1,
 * i.e. zooms in. Clamped to [0.5, 2] so one burst of a fast wheel cannot jump away.
 * @param {number} deltaY WheelEvent.deltaY, in units of deltaMode.
 * @param {number} [deltaMode=0] 0 pixels, 1 lines, 2 pages.
 * @returns {number} new span / old span; 1 for non-finite input.
 */
export function wheelFactor(deltaY, deltaMode = 0) {
  const px = wheelPixels(deltaY, deltaMode);
  const factor = Math.exp((px / NOTCH_PX) * Math.log(NOTCH_FACTOR));
  return clamp(factor, 1 / MAX_WHEEL_FACTOR, MAX_WHEEL_FACTOR);
}

/**
 * A wheel delta in CSS pixels, whatever its deltaMode (0 pixels, 1 lines, 2 pages);
 * 0 for non-finite input.
 */
export function wheelPixels(delta, deltaMode = 0) {
  if (!isNum(delta)) return 0;
  const px = delta * (deltaMode === 1 ? LINE_PX : deltaMode === 2 ? PAGE_PX : 1);
  return isNum(px) ? px : 0;
}

/**
 * What every gesture module needs: the view and limits now, and a guarded onView.
 * @param {{getView: () => object|null, getLimits: () => object|null,
 *          onView: (view: object) => void}} options
 * @returns {{current: () => ({view, limits}|null), emit: (view, from) => void,
 *            dispose: () => void, disposed: () => boolean}} `current()` is null while there
 *   is nothing to navigate; `emit` calls onView only with a new view and never after dispose.
 */
export function viewEmitter({ getView, getLimits, onView }) {
  let disposed = false;
  return {
    current() {
      const limits = getLimits();
      const view = clampView(getView(), limits);
      return view && { view, limits };
    },
    emit(view, from) {
      if (disposed || !view || viewsEqual(view, from)) return;
      onView(view);
    },
    dispose() { disposed = true; },
    disposed: () => disposed,
  };
}
