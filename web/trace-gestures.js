// Pointer gestures of the tracing tools on the overlay over the spectrogram: drawing a
// freehand stroke over a partial ('trace'), wiping partials away ('erase'), dragging a
// rectangle to track ('track') or to mark a region ('select'), dragging a partial's points
// ('move': a Select press on a partial), clicking to select, hovering. It turns events into pixel strokes and clicks and hands them to the
// caller; it knows nothing of partials or views (the caller converts with trace-geometry.js).
//
// In 'navigate' mode the overlay is meant to have pointer-events: none, so navigation on an
// ancestor gets every press; this module then ignores whatever reaches it. In 'trace',
// 'erase', 'track' and 'select' modes a primary-button press starts a stroke and is kept from the ancestor
// (stopPropagation), so it does not also pan. Wheel events are left alone: they bubble to the
// ancestor that zooms, so zooming works while tracing. A double-click is kept from the
// ancestor too in these modes, or two quick selecting clicks would jump to the full view.

import { listenAll } from './listen.js';
import { PointerDrag } from './pointer-drag.js';
import { isClick } from './plot-clicks.js';

/**
 * Attach the tracing gestures to `element`.
 * @param {HTMLElement} element the overlay canvas; positions are CSS px from its top-left
 *   corner (getBoundingClientRect() at every event).
 * @param {object} options
 * @param {() => ('navigate'|'trace'|'erase'|'track'|'select')} options.getMode asked at every press
 *   and move.
 * @param {(points: {x:number, y:number}[]) => void} options.onStroke a trace stroke ended
 *   (a fresh array the caller may keep).
 * @param {(points: {x:number, y:number}[]) => void} options.onErase an eraser stroke ended.
 * @param {(points: {x:number, y:number}[], kind: ('track'|'select')) => void}
 *   [options.onRegion] a Track or Select drag ended: its rectangle runs from the first point
 *   to the last.
 * @param {(x: number, y: number) => boolean} [options.grab] asked at a Select press: true
 *   when it lies on a partial, whose points the drag then moves ('move') instead of marking
 *   a region.
 * @param {(points: {x:number, y:number}[]) => void} [options.onMove] a 'move' drag ended:
 *   from the press (its first point) to the release (its last).
 * @param {(x: number, y: number, additive: boolean) => void} options.onClickAt a press and
 *   release without a stroke; additive when Shift (or Ctrl, or Cmd) was held.
 * @param {(x: number|null, y: number|null) => void} [options.onHover] the pointer moved with
 *   no button pressed; (null, null) when it left the element.
 * @param {(points: {x:number, y:number}[], kind: ('trace'|'erase'|'track'|'select'|'move'))
 *   => void}
 *   [options.onStrokeChange] the stroke in progress changed: called on every point (with the
 *   live array: read it, do not keep or change it) and with [] when the stroke ends or is
 *   cancelled, so a layer can draw it.
 * @param {EventTarget} [options.win=globalThis.window] where Escape is listened for.
 * @returns {() => void} dispose: removes every listener (the window's too) and releases a
 *   pointer capture held by a stroke in progress; afterwards no callback is ever called.
 */
export function attachTraceGestures(element, {
  getMode, onStroke, onErase, onRegion, grab, onMove, onClickAt, onHover, onStrokeChange,
  win = globalThis.window,
} = {}) {
  let disposed = false;
  /** A stroke holds its kind, points (px), the press and its modifiers. */
  const strokes = new PointerDrag(element, 'stroking');

  const drawing = () => {
    const mode = getMode();
    return ['trace', 'erase', 'track', 'select'].includes(mode) ? mode : null;
  };

  function position(event) {
    const rect = element.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  /** End the stroke in progress without reporting it; tells the layer to clear it. */
  function stop(notify, event) {
    const ended = strokes.end(event);
    if (ended && notify && onStrokeChange) onStrokeChange([], ended.kind);
    return ended;
  }

  function onPointerDown(event) {
    let kind = drawing();
    if (!kind || !strokes.canStart(event)) return;
    event.stopPropagation(); // the navigation on an ancestor must not pan as well
    const point = position(event);
    if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) return;
    if (kind === 'select' && grab?.(point.x, point.y)) kind = 'move';
    const stroke = strokes.start(event, {
      kind, points: [point], press: point,
      additive: Boolean(event.shiftKey || event.ctrlKey || event.metaKey), moved: false,
    }, kind);
    if (onStrokeChange) onStrokeChange(stroke.points, kind);
  }

  function onPointerMove(event) {
    if (!strokes.current) {
      if (onHover && drawing() && !event.buttons) {
        const { x, y } = position(event);
        onHover(x, y);
      }
      return;
    }
    const stroke = strokes.of(event);
    if (!stroke) return;
    // Chromium delivers one pointermove per frame; the coalesced ones between keep a fast
    // stroke from turning into a few straight segments.
    const events = event.getCoalescedEvents?.() || [];
    for (const e of events.length ? events : [event]) {
      const point = position(e);
      if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) continue;
      if (!isClick(stroke.press, point.x, point.y)) stroke.moved = true;
      stroke.points.push(point);
    }
    if (onStrokeChange) onStrokeChange(stroke.points, stroke.kind);
  }

  function onPointerUp(event) {
    const stroke = strokes.of(event);
    if (!stroke) return;
    event.stopPropagation();
    const { x, y } = position(event);
    if (Number.isFinite(x) && Number.isFinite(y) && (x !== stroke.points.at(-1).x ||
      y !== stroke.points.at(-1).y)) {
      if (!isClick(stroke.press, x, y)) stroke.moved = true;
      stroke.points.push({ x, y });
    }
    const ended = stop(true, event);
    if (!ended.moved) onClickAt?.(ended.press.x, ended.press.y, ended.additive);
    else if (ended.kind === 'trace') onStroke?.(ended.points);
    else if (ended.kind === 'erase') onErase?.(ended.points);
    else if (ended.kind === 'move') onMove?.(ended.points);
    else onRegion?.(ended.points, ended.kind);
  }

  /** The browser took the pointer away (a touch turned into a scroll, a dialog): no stroke. */
  function onCancel(event) {
    stop(true, event);
  }

  function onPointerLeave() {
    if (!strokes.current && onHover && drawing()) onHover(null, null);
  }

  function onDoubleClick(event) {
    if (drawing()) event.stopPropagation();
  }

  function onKeyDown(event) {
    if (!strokes.current || event.key !== 'Escape') return;
    event.preventDefault();
    stop(true);
  }

  const listeners = [
    ['pointerdown', onPointerDown],
    ['pointermove', onPointerMove],
    ['pointerup', onPointerUp],
    ['pointercancel', onCancel],
    ['lostpointercapture', onCancel],
    ['pointerleave', onPointerLeave],
    ['dblclick', onDoubleClick],
  ];
  const unlisten = listenAll(element, listeners);
  const unlistenKeys = win && listenAll(win, [['keydown', onKeyDown]]);

  return function dispose() {
    if (disposed) return;
    disposed = true;
    stop(false);
    unlisten();
    if (unlistenKeys) unlistenKeys();
  };
}
