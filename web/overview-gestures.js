// Navigation from the overview strip, which always shows the whole file (time 0..duration
// across its width, minFreq..Nyquist on a log scale up its height). The current view is
// outlined there as a rectangle (viewRectangle; the caller draws it) that can be dragged.
//
// Gestures (all on `element`):
//   press inside the rectangle's time range and drag   move the view in time, same span
//   press elsewhere and drag    centre the view on the pressed time, then move it as above
//   wheel                       zoom the view's time span around its centre (up = in)
// Only time changes here: the frequency range is left as it is.

import { listenAll } from './listen.js';
import { PointerDrag } from './pointer-drag.js';
import { freqToY } from './axes.js';
import { centredOn, clampView, viewEmitter, wheelFactor, zoomTime } from './view-math.js';

/**
 * How far outside a thin rectangle a press still grabs it, CSS px: a 10 ms view of an hour
 * is far narrower than a pixel and would otherwise be impossible to pick up.
 */
const GRAB_SLACK_PX = 4;

/**
 * The rectangle outlining `view` on an overview strip of `widthPx` x `heightPx` CSS px.
 * Time is linear over [0, duration], frequency over [minFreq, nyquist] on the view's scale
 * (log or linear: the strip is drawn so too) with Nyquist at the top. The view is clamped
 * to the limits first, so the rectangle never leaves the strip.
 * @param {object} view {start, end, fmin, fmax} (s, Hz).
 * @param {object} limits {duration, nyquist, minFreq} (s, Hz).
 * @param {number} widthPx strip width, CSS px.
 * @param {number} heightPx strip height, CSS px.
 * @returns {{x:number, y:number, w:number, h:number}|null} px from the strip's top left;
 *   null when the limits or sizes are unusable.
 */
export function viewRectangle(view, limits, widthPx, heightPx) {
  const v = clampView(view, limits);
  if (!v || !Number.isFinite(widthPx) || !Number.isFinite(heightPx)) return null;
  if (!(widthPx >= 0 && heightPx >= 0)) return null;
  const { duration, nyquist, minFreq } = limits;
  const strip = { fmin: minFreq, fmax: nyquist, scale: v.scale };
  const x = (v.start / duration) * widthPx;
  const w = ((v.end - v.start) / duration) * widthPx;
  const y = freqToY(v.fmax, strip, heightPx);
  return { x, y, w, h: freqToY(v.fmin, strip, heightPx) - y };
}

/**
 * Attach overview navigation to `element` (the overview canvas, or a box laid exactly over
 * it); its getBoundingClientRect() is read at every event, in CSS px.
 * @param {HTMLElement} element
 * @param {object} options
 * @param {() => object|null} options.getView the view shown now (s, Hz).
 * @param {() => object|null} options.getLimits {duration, nyquist, minFreq}, or null while
 *   no file is open (gestures then do nothing).
 * @param {(view: object) => void} options.onView called synchronously with every new,
 *   valid view; not called when a gesture changes nothing.
 * @returns {() => void} dispose: removes every listener and releases a pointer capture held
 *   by a drag in progress; afterwards onView is never called again.
 */
export function attachOverviewGestures(element, { getView, getLimits, onView }) {
  const { current, emit, dispose: stopEmitting, disposed } =
    viewEmitter({ getView, getLimits, onView });
  /** A drag holds the grabbed time's offset from view.start, s. */
  const drags = new PointerDrag(element);

  /** The file time (s) under a client x, and the strip width it was measured on (px). */
  function timeAt(clientX, duration) {
    const rect = element.getBoundingClientRect();
    if (!(rect.width > 0)) return null;
    const t = ((clientX - rect.left) / rect.width) * duration;
    return Number.isFinite(t) ? { t, secondsPerPx: duration / rect.width } : null;
  }

  function onPointerDown(event) {
    if (!drags.canStart(event)) return;
    const now = current();
    if (!now) return;
    const at = timeAt(event.clientX, now.limits.duration);
    if (!at) return;
    const { view, limits } = now;
    const slack = GRAB_SLACK_PX * at.secondsPerPx;
    let moved = view;
    if (at.t < view.start - slack || at.t > view.end + slack) {
      moved = centredOn(view, at.t, limits);
      emit(moved, view);
    }
    // Keep the pressed time where it is on the rectangle (near a file edge the centred
    // view may not be centred on it), so the first move does not jump.
    drags.start(event, { offset: at.t - moved.start });
  }

  function onPointerMove(event) {
    const drag = drags.of(event);
    if (!drag) return;
    const now = current();
    if (!now) return;
    const at = timeAt(event.clientX, now.limits.duration);
    if (!at) return;
    const { view, limits } = now;
    const start = at.t - drag.offset;
    emit(clampView({ ...view, start, end: start + (view.end - view.start) }, limits), view);
  }

  function onWheel(event) {
    event.preventDefault(); // no page scroll, no Ctrl+wheel page zoom
    const now = current();
    if (!now) return;
    const { view, limits } = now;
    const centre = (view.start + view.end) / 2;
    const next = zoomTime(view, centre, wheelFactor(event.deltaY || 0, event.deltaMode || 0), limits);
    emit(next, view);
  }

  const endDrag = (event) => drags.end(event);
  const listeners = [
    ['pointerdown', onPointerDown],
    ['pointermove', onPointerMove],
    ['pointerup', endDrag],
    ['pointercancel', endDrag],
    ['lostpointercapture', endDrag],
    ['wheel', onWheel, { passive: false }],
  ];
  const unlisten = listenAll(element, listeners);

  return function dispose() {
    if (disposed()) return;
    drags.end();
    stopEmitting();
    unlisten();
  };
}
