// Mouse, trackpad and keyboard navigation of the spectrogram viewport. Turns gestures on
// one element into new views and hands each to the caller at once; it holds no view of its
// own (getView is asked afresh every event), draws nothing and never debounces: the caller
// stretches the image it has and coalesces requests to the back end.
//
// Gestures (all on `element`):
//   wheel                 zoom time around the cursor (up = in)
//   Shift+wheel, Ctrl+wheel  zoom frequency around the cursor (Ctrl+wheel is also what a
//                         trackpad pinch sends); Chromium turns Shift+wheel into a horizontal
//                         delta, so with Shift the horizontal delta counts too
//   horizontal wheel      (trackpad swipe, tilt wheel) pans time, content follows the fingers
//   primary-button drag   pans time and frequency: the point grabbed stays under the pointer
//   double-click          full view
// The keys (viewForKey) are the page's, whatever has focus: its one key handler asks here.

import { listenAll } from './listen.js';
import { PointerDrag } from './pointer-drag.js';
import { yToFreq } from './axes.js';
import { clampView, fullView, panFreq, panTime, viewEmitter, wheelFactor, wheelPixels,
  zoomFreq, zoomTime } from './view-math.js';

/** Zoom factor of one key press (the same as one wheel notch). */
const KEY_ZOOM = 0.8;

/** Fraction of the span one arrow key press pans. */
const KEY_PAN = 0.1;

/**
 * The view a navigation key asks for: 0 / Home the whole file; + or = zoom in, - zoom out
 * (around the centre); ArrowLeft / Right pan 10% of the time span; ArrowUp / Down pan 10%
 * of the log frequency span.
 * @param {string} key a KeyboardEvent's key (without Ctrl, Alt or Meta: those are other
 *   shortcuts)
 * @param {object|null} view the view shown, {start, end, fmin, fmax} (s, Hz)
 * @param {object|null} limits {duration, nyquist, minFreq}, or null while no file is open
 * @returns {object|null} the new view (clamped to the limits), or null when `key` is not a
 *   navigation key or there is nothing to navigate
 */
export function viewForKey(key, view, limits) {
  const shown = clampView(view, limits);
  if (!shown) return null;
  const span = shown.end - shown.start;
  const centreT = shown.start + span / 2;
  switch (key) {
    case '0': case 'Home': return fullView(limits);
    case '+': case '=': return zoomTime(shown, centreT, KEY_ZOOM, limits);
    case '-': case '_': return zoomTime(shown, centreT, 1 / KEY_ZOOM, limits);
    case 'ArrowLeft': return panTime(shown, -KEY_PAN * span, limits);
    case 'ArrowRight': return panTime(shown, KEY_PAN * span, limits);
    case 'ArrowUp': return panFreq(shown, KEY_PAN, limits);
    case 'ArrowDown': return panFreq(shown, -KEY_PAN, limits);
    default: return null;
  }
}

/**
 * Attach viewport navigation to `element`.
 * @param {HTMLElement} element the plot (e.g. the viewport canvas); sizes come from its
 *   getBoundingClientRect() at every event, in CSS px.
 * @param {object} options
 * @param {() => object|null} options.getView the view shown now, {start, end, fmin, fmax} (s, Hz).
 * @param {() => object|null} options.getLimits {duration, nyquist, minFreq} (s, Hz), or null
 *   while no file is open (gestures then do nothing).
 * @param {(view: object) => void} options.onView called synchronously with every new view
 *   (always valid: clamped to the limits, never NaN); not called when a gesture changes nothing.
 * @returns {() => void} dispose: removes every listener, releases a pointer capture held
 *   by a drag in progress; afterwards onView is never called again.
 */
export function attachViewportGestures(element, { getView, getLimits, onView }) {
  const { current, emit, dispose: stopEmitting, disposed } =
    viewEmitter({ getView, getLimits, onView });
  /** A drag holds where it started (client px), the view then, and where the pointer is. */
  const drags = new PointerDrag(element);

  /** Where a client point lies in the view: time (s), frequency (Hz), and the rect used. */
  function pointAt(clientX, clientY, view) {
    const rect = element.getBoundingClientRect();
    const usable = rect.width > 0 && rect.height > 0;
    const rx = usable ? (clientX - rect.left) / rect.width : 0.5;
    const ry = usable ? (clientY - rect.top) / rect.height : 0.5;
    // NaN coordinates fall back to the centre; the zoom functions clamp anchors anyway.
    const x = Number.isFinite(rx) ? rx : 0.5;
    const y = Number.isFinite(ry) ? ry : 0.5;
    return {
      t: view.start + x * (view.end - view.start),
      f: yToFreq(y, view, 1), // fmax at the top, on the view's scale
      rect,
    };
  }

  function onWheel(event) {
    event.preventDefault(); // no page scroll, no Ctrl+wheel page zoom
    const now = current();
    if (!now) return;
    const { view, limits } = now;
    const { t, f, rect } = pointAt(event.clientX, event.clientY, view);
    const mode = event.deltaMode || 0;
    const dy = event.deltaY || 0;
    const dx = event.deltaX || 0;
    let next;
    if (event.shiftKey || event.ctrlKey) {
      const delta = Math.abs(dy) >= Math.abs(dx) ? dy : dx;
      next = zoomFreq(view, f, wheelFactor(delta, mode), limits);
    } else {
      next = zoomTime(view, t, wheelFactor(dy, mode), limits);
      if (dx && rect.width > 0) {
        // Swiping left (dx > 0) shows later times, as scrolling a page would.
        const span = next.end - next.start;
        next = panTime(next, (wheelPixels(dx, mode) / rect.width) * span, limits);
      }
    }
    // A drag in progress continues from the new view, or it would undo the zoom.
    const drag = drags.current;
    if (drag) Object.assign(drag, { x: drag.lastX, y: drag.lastY, view: next });
    emit(next, view);
  }

  function onPointerDown(event) {
    if (!drags.canStart(event)) return;
    const now = current();
    if (!now) return;
    element.focus?.({ preventScroll: true });
    const { clientX: x, clientY: y } = event;
    // lastX/lastY: where the pointer is now, for a wheel zoom during the drag.
    drags.start(event, { x, y, lastX: x, lastY: y, view: now.view });
  }

  function onPointerMove(event) {
    const drag = drags.of(event);
    if (!drag) return;
    drag.lastX = event.clientX;
    drag.lastY = event.clientY;
    const now = current();
    if (!now) return;
    const rect = element.getBoundingClientRect();
    if (!(rect.width > 0 && rect.height > 0)) return;
    // Measured from the press, not the previous move, so a drag pushed against a file
    // edge picks up where the hand is when it comes back, and rounding never accumulates.
    const { view: from } = drag;
    const dt = (-(event.clientX - drag.x) / rect.width) * (from.end - from.start);
    const up = (event.clientY - drag.y) / rect.height; // the picture follows the hand down
    emit(panFreq(panTime(from, dt, now.limits), up, now.limits), now.view);
  }

  function onDoubleClick(event) {
    const now = current();
    if (!now) return;
    event.preventDefault();
    emit(fullView(now.limits), now.view);
  }

  const endDrag = (event) => drags.end(event);
  const listeners = [
    ['wheel', onWheel, { passive: false }],
    ['pointerdown', onPointerDown],
    ['pointermove', onPointerMove],
    ['pointerup', endDrag],
    ['pointercancel', endDrag],
    ['lostpointercapture', endDrag],
    ['dblclick', onDoubleClick],
  ];
  const unlisten = listenAll(element, listeners);

  return function dispose() {
    if (disposed()) return;
    drags.end();
    stopEmitting();
    unlisten();
  };
}
