import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clampView, zoomTime, zoomFreq, panTime, panFreq, fullView, viewsEqual, wheelFactor,
  centredOn, MIN_TIME_SPAN, MIN_FREQ_RATIO,
} from '../../web/view-math.js';
import { attachViewportGestures, viewForKey } from '../../web/viewport-gestures.js';
import { attachOverviewGestures, viewRectangle } from '../../web/overview-gestures.js';
import { FakeElement } from './fake-element.js';

const limits = { duration: 60, nyquist: 22050, minFreq: 20 };
const full = { start: 0, end: 60, fmin: 20, fmax: 22050 };
const mid = { start: 10, end: 20, fmin: 200, fmax: 2000 };
const close = (a, b, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const relX = (v, t) => (t - v.start) / (v.end - v.start);
const relF = (v, f) => Math.log(f / v.fmin) / Math.log(v.fmax / v.fmin);

/** Every invariant a view must satisfy within `limits`. */
function assertValid(v, lim = limits) {
  assert.ok(v, 'a view');
  for (const k of ['start', 'end', 'fmin', 'fmax']) assert.ok(Number.isFinite(v[k]), `${k} = ${v[k]}`);
  const span = v.end - v.start;
  assert.ok(v.start >= 0 && v.end <= lim.duration, `time ${v.start}..${v.end}`);
  assert.ok(span >= Math.min(MIN_TIME_SPAN, lim.duration) * (1 - 1e-9), `span ${span}`);
  assert.ok(span <= lim.duration);
  assert.ok(v.fmin >= lim.minFreq && v.fmax <= lim.nyquist, `freq ${v.fmin}..${v.fmax}`);
  const ratio = v.fmax / v.fmin;
  assert.ok(ratio >= Math.min(MIN_FREQ_RATIO, lim.nyquist / lim.minFreq) * (1 - 1e-9), `ratio ${ratio}`);
}

test('fullView and clampView of valid views', () => {
  assert.deepEqual(fullView(limits), full);
  assert.deepEqual(clampView(mid, limits), mid);
  assert.deepEqual(clampView(full, limits), full);
  assert.equal(fullView(null), null);
  assert.equal(clampView(mid, { duration: 0, nyquist: 1, minFreq: 2 }), null);
});

test('clampView shifts a view back inside keeping its span', () => {
  assert.deepEqual(clampView({ ...mid, start: -3, end: 7 }, limits), { ...mid, start: 0, end: 10 });
  assert.deepEqual(clampView({ ...mid, start: 55, end: 65 }, limits), { ...mid, start: 50, end: 60 });
  const low = clampView({ ...mid, fmin: 10, fmax: 100 }, limits);
  assert.ok(close(low.fmin, 20) && close(low.fmax, 200));
  const high = clampView({ ...mid, fmin: 10000, fmax: 100000 }, limits);
  assert.equal(high.fmax, 22050);
  assert.ok(close(high.fmin, 2205));
});

test('clampView shrinks or grows only spans outside the limits', () => {
  const wide = clampView({ start: -100, end: 500, fmin: 1, fmax: 1e6 }, limits);
  assert.deepEqual(wide, full);
  const thin = clampView({ start: 30, end: 30.001, fmin: 1000, fmax: 1001 }, limits);
  assertValid(thin);
  assert.ok(close(thin.end - thin.start, MIN_TIME_SPAN));
  assert.ok(close((thin.start + thin.end) / 2, 30.0005), 'grown about its centre');
  assert.ok(close(thin.fmax / thin.fmin, MIN_FREQ_RATIO));
  // A file shorter than 10 ms: the whole file is the narrowest view.
  const tiny = { duration: 0.004, nyquist: 4000, minFreq: 20 };
  assert.deepEqual(clampView({ ...mid, start: 0, end: 0.001 }, tiny),
    { start: 0, end: 0.004, fmin: 200, fmax: 2000 });
});

test('bad input gives the full view, never NaN', () => {
  const bad = [NaN, Infinity, -Infinity, undefined, null, '3'];
  for (const value of bad) {
    for (const key of ['start', 'end', 'fmin', 'fmax']) {
      assert.deepEqual(clampView({ ...mid, [key]: value }, limits), full, `${key} = ${value}`);
    }
  }
  for (const view of [null, undefined, 42, {}, { start: 5, end: 1, fmin: 20, fmax: 30 },
    { start: 0, end: 1, fmin: 0, fmax: 30 }, { start: 0, end: 1, fmin: -5, fmax: 30 },
    { start: 0, end: 1, fmin: 500, fmax: 30 }]) {
    assert.deepEqual(clampView(view, limits), full, JSON.stringify(view));
  }
  // Huge but finite numbers overflow in the arithmetic; the result must still be valid.
  assertValid(clampView({ start: -1.7e308, end: 1.7e308, fmin: 1e-300, fmax: 1.7e308 }, limits));
  assertValid(clampView({ start: 1e308, end: 1.5e308, fmin: 20, fmax: 30 }, limits));
  for (const value of bad) {
    assert.deepEqual(zoomTime(mid, value, 0.5, limits).end - zoomTime(mid, value, 0.5, limits).start, 5);
    assert.deepEqual(zoomTime(mid, 15, value, limits), mid);
    assert.deepEqual(zoomFreq(mid, 500, value, limits), mid);
    assertValid(zoomFreq(mid, value, 0.5, limits));
    assert.deepEqual(panTime(mid, value, limits), mid);
    assert.deepEqual(panFreq(mid, value, limits), mid);
    assert.deepEqual(centredOn(mid, value, limits), mid);
    assertValid(zoomTime({ ...mid, start: value }, 15, 0.5, limits));
    assertValid(panTime({ ...mid, fmax: value }, 1, limits));
  }
  assert.equal(zoomTime(mid, 1, 0.5, { duration: NaN, nyquist: 1, minFreq: 0.1 }), null);
});

test('zoomTime keeps the anchor in place and inverts exactly', () => {
  for (const anchor of [10, 12.5, 17, 20]) {
    const zin = zoomTime(mid, anchor, 0.5, limits);
    assertValid(zin);
    assert.ok(close(zin.end - zin.start, 5));
    assert.ok(close(relX(zin, anchor), relX(mid, anchor)), `anchor ${anchor} moved`);
    assert.equal(zin.fmin, mid.fmin);
    const back = zoomTime(zin, anchor, 2, limits);
    assert.ok(viewsEqual(back, mid, 1e-9), JSON.stringify(back));
  }
  for (const f of [0.8, 0.9, 1.1, 1.25]) {
    const back = zoomTime(zoomTime(mid, 13, f, limits), 13, 1 / f, limits);
    assert.ok(viewsEqual(back, mid, 1e-9));
  }
});

test('zoomTime respects the 10 ms floor and the file length', () => {
  let v = mid;
  for (let i = 0; i < 100; i++) {
    v = zoomTime(v, 12.345, 0.5, limits);
    assertValid(v);
  }
  assert.ok(close(v.end - v.start, MIN_TIME_SPAN));
  assert.ok(v.start <= 12.345 && v.end >= 12.345, 'the anchor is still in view');
  for (let i = 0; i < 100; i++) {
    v = zoomTime(v, 12.345, 2, limits);
    assertValid(v);
  }
  assert.deepEqual({ start: v.start, end: v.end }, { start: 0, end: 60 });
  // Zooming out near the end of the file keeps the span but clamps at the end.
  const edge = zoomTime({ ...mid, start: 50, end: 60 }, 59, 1.5, limits);
  assertValid(edge);
  assert.equal(edge.end, 60);
  assert.ok(close(edge.end - edge.start, 15));
});

test('zoomFreq keeps the anchor on the log axis and inverts exactly', () => {
  for (const anchor of [200, 400, 1000, 2000]) {
    const zin = zoomFreq(mid, anchor, 0.5, limits);
    assertValid(zin);
    assert.ok(close(zin.fmax / zin.fmin, Math.sqrt(10)));
    assert.ok(close(relF(zin, anchor), relF(mid, anchor), 1e-9));
    assert.deepEqual([zin.start, zin.end], [10, 20]);
    assert.ok(viewsEqual(zoomFreq(zin, anchor, 2, limits), mid, 1e-9));
  }
  let v = mid;
  for (let i = 0; i < 100; i++) {
    v = zoomFreq(v, 440, 0.5, limits);
    assertValid(v);
  }
  assert.ok(close(v.fmax / v.fmin, MIN_FREQ_RATIO));
  assert.ok(v.fmin <= 440 && v.fmax >= 440);
  for (let i = 0; i < 100; i++) {
    v = zoomFreq(v, 440, 3, limits);
    assertValid(v);
  }
  assert.deepEqual([v.fmin, v.fmax], [20, 22050]);
});

test('panTime and panFreq stop at the edges keeping the span', () => {
  assert.deepEqual(panTime(mid, 5, limits), { ...mid, start: 15, end: 25 });
  assert.deepEqual(panTime(mid, -100, limits), { ...mid, start: 0, end: 10 });
  assert.deepEqual(panTime(mid, 100, limits), { ...mid, start: 50, end: 60 });
  const up = panFreq(mid, Math.log10(2), limits); // a tenth of the height up: doubled
  assert.ok(close(up.fmin, 400) && close(up.fmax, 4000));
  const top = panFreq(mid, 100, limits);
  assertValid(top);
  assert.equal(top.fmax, 22050);
  assert.ok(close(top.fmax / top.fmin, 10));
  const bottom = panFreq(mid, -100, limits);
  assertValid(bottom);
  assert.equal(bottom.fmin, 20);
  assert.ok(close(bottom.fmax / bottom.fmin, 10));
  // Random walks never leave the limits.
  let v = mid;
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 2000; i++) {
    const r = rand();
    if (r < 0.25) v = zoomTime(v, rand() * 70 - 5, 0.3 + rand() * 3, limits);
    else if (r < 0.5) v = zoomFreq(v, 10 + rand() * 30000, 0.3 + rand() * 3, limits);
    else if (r < 0.75) v = panTime(v, (rand() - 0.5) * 100, limits);
    else v = panFreq(v, (rand() - 0.5) * 20, limits);
    assertValid(v);
  }
});

test('on a linear axis zoom and pan are even in Hz, keep the scale and stop at the edges', () => {
  const linear = { ...mid, fmin: 1000, fmax: 3000, scale: 'linear' };
  const relHz = (v, f) => (f - v.fmin) / (v.fmax - v.fmin);
  for (const anchor of [1000, 1500, 3000]) {
    const zin = zoomFreq(linear, anchor, 0.5, limits);
    assert.equal(zin.scale, 'linear');
    assert.ok(close(zin.fmax - zin.fmin, 1000));
    assert.ok(close(relHz(zin, anchor), relHz(linear, anchor)));
    assert.ok(viewsEqual(zoomFreq(zin, anchor, 2, limits), linear, 1e-9));
  }
  // Zooming out near the bottom keeps the span and sits on minFreq, not below 0 Hz.
  const out = zoomFreq({ ...linear, fmin: 100, fmax: 600 }, 350, 4, limits);
  assert.deepEqual([out.fmin, out.fmax, out.scale], [20, 2020, 'linear']);
  const up = panFreq(linear, 0.25, limits);
  assert.deepEqual([up.fmin, up.fmax, up.scale], [1500, 3500, 'linear']);
  const bottom = panFreq(linear, -10, limits);
  assert.deepEqual([bottom.fmin, bottom.fmax], [20, 2020]);
  const top = panFreq(linear, 100, limits);
  assert.deepEqual([top.fmin, top.fmax], [20050, 22050]);
  assert.equal(clampView(linear, limits).scale, 'linear');
  // A linear view reaching below 0 Hz is malformed: the whole file, in its scale or not.
  assertValid(clampView({ ...linear, fmin: -500 }, limits));
  let v = linear;
  let seed = 7;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < 2000; i++) {
    const r = rand();
    if (r < 0.5) v = zoomFreq(v, 10 + rand() * 30000, 0.3 + rand() * 3, limits);
    else v = panFreq(v, (rand() - 0.5) * 4, limits);
    assertValid(v);
    assert.equal(v.scale, 'linear');
  }
});

test('centredOn keeps the span', () => {
  assert.deepEqual(centredOn(mid, 30, limits), { ...mid, start: 25, end: 35 });
  assert.deepEqual(centredOn(mid, 1, limits), { ...mid, start: 0, end: 10 });
  assert.deepEqual(centredOn(mid, 59, limits), { ...mid, start: 50, end: 60 });
});

test('viewsEqual', () => {
  assert.ok(viewsEqual(mid, { ...mid }));
  assert.ok(viewsEqual(mid, { ...mid, start: 10 + 1e-12 }));
  assert.ok(!viewsEqual(mid, { ...mid, start: 10.001 }));
  assert.ok(!viewsEqual(mid, { ...mid, fmax: 2001 }));
  assert.ok(viewsEqual(mid, { ...mid, fmax: 2001 }, 1e-3));
  assert.ok(viewsEqual(null, null));
  assert.ok(!viewsEqual(mid, null));
});

test('wheelFactor: a notch is 1.25x, monotonic, clamped to [0.5, 2]', () => {
  assert.ok(close(wheelFactor(100, 0), 1.25));
  assert.ok(close(wheelFactor(-100, 0), 0.8));
  assert.ok(close(wheelFactor(3, 1), 1.25));
  assert.equal(wheelFactor(0, 0), 1);
  // Ten trackpad deltas of 10 px make one notch.
  assert.ok(close(wheelFactor(10, 0) ** 10, 1.25));
  let previous = 0;
  for (let dy = -2000; dy <= 2000; dy += 7) {
    const f = wheelFactor(dy, 0);
    assert.ok(f >= previous, `not monotonic at ${dy}`);
    assert.ok(f >= 0.5 && f <= 2);
    previous = f;
  }
  assert.equal(wheelFactor(1e6, 0), 2);
  assert.equal(wheelFactor(-1e6, 0), 0.5);
  assert.equal(wheelFactor(1, 2), 2);
  for (const bad of [NaN, Infinity, -Infinity, undefined]) assert.equal(wheelFactor(bad, 0), 1);
});

test('viewRectangle', () => {
  assert.deepEqual(viewRectangle(full, limits, 600, 70), { x: 0, y: 0, w: 600, h: 70 });
  const r = viewRectangle({ start: 15, end: 30, fmin: 20, fmax: Math.sqrt(20 * 22050) }, limits, 600, 70);
  assert.ok(close(r.x, 150) && close(r.w, 150));
  assert.ok(close(r.y, 35) && close(r.h, 35));
  // Outside views are clamped first: the rectangle stays on the strip.
  const out = viewRectangle({ start: 55, end: 70, fmin: 5, fmax: 50 }, limits, 600, 70);
  assert.ok(out.x >= 0 && out.x + out.w <= 600 + 1e-9 && out.y >= 0 && out.y + out.h <= 70 + 1e-9);
  assert.deepEqual(viewRectangle({ start: NaN }, limits, 600, 70), { x: 0, y: 0, w: 600, h: 70 });
  assert.equal(viewRectangle(full, null, 600, 70), null);
  assert.equal(viewRectangle(full, limits, NaN, 70), null);
  // On a linear axis the middle of the strip is the middle in Hz.
  const linear = viewRectangle({ start: 15, end: 30, fmin: 20, fmax: 11035, scale: 'linear' }, limits, 600, 70);
  assert.ok(close(linear.y, 35) && close(linear.h, 35));
});

// ---------------------------------------------------------------- gestures on a fake element

/** The fake element, with a way to dispatch a cancelable event carrying `props`. */
class GestureElement extends FakeElement {
  fire(type, props = {}) {
    const event = new Event(type, { cancelable: true });
    Object.assign(event, { button: 0, isPrimary: true, pointerId: 1, ...props });
    this.dispatchEvent(event);
    return event;
  }
}

/** Attach with a view that follows onView, as the page does; records every onView call. */
function harness(attach, initial = mid) {
  const element = new GestureElement();
  const state = { view: initial, limits, calls: [] };
  const dispose = attach(element, {
    getView: () => state.view,
    getLimits: () => state.limits,
    onView: (view) => { state.calls.push(view); state.view = view; },
  });
  return { element, state, dispose };
}

test('viewport wheel zooms time around the cursor, Shift/Ctrl zoom frequency', () => {
  const { element, state, dispose } = harness(attachViewportGestures);
  // Cursor a quarter of the way across (x = 100 + 150) and a third down.
  const at = { clientX: 250, clientY: 150 };
  const anchorT = 12.5;
  const wheel = element.fire('wheel', { ...at, deltaY: -100, deltaMode: 0 });
  assert.ok(wheel.defaultPrevented, 'the page must not scroll');
  assert.equal(state.calls.length, 1);
  let v = state.view;
  assertValid(v);
  assert.ok(close(v.end - v.start, 8));
  assert.ok(close(relX(v, anchorT), 0.25));
  assert.deepEqual([v.fmin, v.fmax], [200, 2000]);

  const anchorF = 2000 * (200 / 2000) ** (1 / 3);
  for (const modifier of ['shiftKey', 'ctrlKey']) {
    const before = state.view;
    element.fire('wheel', { ...at, deltaY: -100, deltaMode: 0, [modifier]: true });
    v = state.view;
    assertValid(v);
    assert.deepEqual([v.start, v.end], [before.start, before.end], `${modifier} leaves time alone`);
    assert.ok(close(Math.log(v.fmax / v.fmin), 0.8 * Math.log(before.fmax / before.fmin)));
    assert.ok(close(relF(v, anchorF), 2 / 3, 1e-9));
  }
  // Chromium turns Shift+wheel into a horizontal delta.
  const before = state.view;
  element.fire('wheel', { ...at, deltaX: 100, deltaY: 0, deltaMode: 0, shiftKey: true });
  assert.ok(state.view.fmax / state.view.fmin > before.fmax / before.fmin, 'zoomed out in frequency');
  dispose();
});

test('viewport drag pans with the hand, also outside the element', () => {
  const { element, state, dispose } = harness(attachViewportGestures);
  element.fire('pointerdown', { clientX: 400, clientY: 200 });
  assert.ok(element.captured.has(1), 'pointer captured');
  assert.equal(element.focused, 1);
  assert.ok('dragging' in element.dataset);
  // 60 px right = a tenth of the width = 1 s earlier; 100 px down = a third of the log span up.
  element.fire('pointermove', { clientX: 460, clientY: 300 });
  let v = state.view;
  assertValid(v);
  assert.ok(close(v.start, 9) && close(v.end, 19));
  assert.ok(close(v.fmin, 200 * 10 ** (1 / 3)) && close(v.fmax, 2000 * 10 ** (1 / 3)));
  // Far outside the element: clamped at the file start, never NaN.
  element.fire('pointermove', { clientX: 5000, clientY: 200 });
  v = state.view;
  assertValid(v);
  assert.deepEqual([v.start, v.end], [0, 10]);
  // Another pointer moving does not take part.
  const calls = state.calls.length;
  element.fire('pointermove', { pointerId: 2, clientX: 0, clientY: 0 });
  assert.equal(state.calls.length, calls);
  // Back where it started: back to the view at the press.
  element.fire('pointermove', { clientX: 400, clientY: 200 });
  assert.ok(viewsEqual(state.view, mid, 1e-9));
  element.fire('pointerup', { clientX: 400, clientY: 200 });
  assert.ok(!element.captured.has(1), 'capture released');
  assert.ok(!('dragging' in element.dataset));
  const after = state.calls.length;
  element.fire('pointermove', { clientX: 10, clientY: 10 });
  assert.equal(state.calls.length, after, 'no drag after pointerup');
  // Only the primary button drags.
  element.fire('pointerdown', { button: 2, clientX: 400, clientY: 200 });
  element.fire('pointermove', { clientX: 460, clientY: 200 });
  assert.equal(state.calls.length, after);
  dispose();
});

test('viewport double-click', () => {
  const { element, state, dispose } = harness(attachViewportGestures);
  element.fire('dblclick');
  assert.deepEqual(state.view, full);
  // At the full view, zooming out changes nothing and reports nothing.
  const calls = state.calls.length;
  element.fire('wheel', { clientX: 300, clientY: 100, deltaY: 100 });
  assert.equal(state.calls.length, calls);
  dispose();
});

test('navigation keys', () => {
  const right = viewForKey('ArrowRight', mid, limits);
  assert.deepEqual([right.start, right.end], [11, 21]);
  assert.ok(viewsEqual(viewForKey('ArrowLeft', right, limits), mid, 1e-9));
  const zoomed = viewForKey('+', mid, limits);
  assert.ok(close(zoomed.end - zoomed.start, 8) && close(zoomed.start, 11));
  assert.ok(viewsEqual(viewForKey('-', zoomed, limits), mid, 1e-9));
  assert.ok(close(viewForKey('=', mid, limits).end - viewForKey('=', mid, limits).start, 8));
  assert.ok(viewForKey('ArrowUp', mid, limits).fmin > 200);
  assert.ok(viewForKey('ArrowDown', mid, limits).fmin < 200);
  assert.deepEqual(viewForKey('Home', mid, limits), full);
  assert.deepEqual(viewForKey('0', mid, limits), full);
  // At the full view, zooming out stays there; a view beyond the file is clamped first.
  assert.deepEqual(viewForKey('-', full, limits), full);
  assertValid(viewForKey('ArrowRight', { start: 55, end: 70, fmin: 200, fmax: 2000 }, limits));
  // Other keys, and no file, are not navigation; no view yet counts as the whole file.
  assert.equal(viewForKey('a', mid, limits), null);
  assert.equal(viewForKey('+', mid, null), null);
  assert.deepEqual(viewForKey('+', null, limits), viewForKey('+', full, limits));
});

test('viewport gestures do nothing without a file, and survive a zero-size element', () => {
  const { element, state, dispose } = harness(attachViewportGestures);
  state.limits = null;
  element.fire('wheel', { clientX: 300, clientY: 100, deltaY: -100 });
  element.fire('keydown', { key: 'Home' });
  element.fire('dblclick');
  element.fire('pointerdown', { clientX: 300, clientY: 100 });
  element.fire('pointermove', { clientX: 400, clientY: 100 });
  assert.equal(state.calls.length, 0);
  state.limits = limits;
  element.rect = { left: 0, top: 0, width: 0, height: 0 };
  element.fire('wheel', { clientX: 300, clientY: 100, deltaY: -100 });
  element.fire('wheel', { clientX: NaN, clientY: undefined, deltaY: -100, shiftKey: true });
  assert.equal(state.calls.length, 2);
  for (const v of state.calls) assertValid(v);
  dispose();
});

test('viewport dispose removes every listener and ends a drag', () => {
  const { element, state, dispose } = harness(attachViewportGestures);
  assert.ok(element.listeners > 0);
  element.fire('pointerdown', { clientX: 400, clientY: 200 });
  dispose();
  assert.equal(element.listeners, 0, 'listeners left behind');
  assert.equal(element.captured.size, 0, 'pointer capture left behind');
  assert.ok(!('dragging' in element.dataset));
  dispose(); // twice is harmless
  assert.equal(element.listeners, 0);
  for (const [type, props] of [['wheel', { deltaY: -100, clientX: 300, clientY: 100 }],
    ['pointermove', { clientX: 460, clientY: 300 }], ['pointerdown', { clientX: 1, clientY: 1 }],
    ['dblclick', {}], ['keydown', { key: 'Home' }]]) {
    element.fire(type, props);
  }
  assert.equal(state.calls.length, 0, 'onView after dispose');
});

test('overview: drag the rectangle, press outside to centre, wheel zooms the span', () => {
  const { element, state, dispose } = harness(attachOverviewGestures);
  // 600 px for 60 s: 10 px per second. The view 10..20 s covers x = 200..300 client px.
  element.fire('pointerdown', { clientX: 250, clientY: 80 });
  assert.equal(state.calls.length, 0, 'a press inside does not move the view');
  assert.ok(element.captured.has(1));
  element.fire('pointermove', { clientX: 300, clientY: 10 });
  assert.deepEqual(state.view, { ...mid, start: 15, end: 25 });
  element.fire('pointermove', { clientX: -500, clientY: 10 });
  assert.deepEqual(state.view, { ...mid, start: 0, end: 10 });
  element.fire('pointerup', { clientX: -500, clientY: 10 });
  assert.equal(element.captured.size, 0);

  // Press outside at 40 s: the view centres there, then follows the pointer.
  element.fire('pointerdown', { clientX: 500, clientY: 80 });
  assert.deepEqual(state.view, { ...mid, start: 35, end: 45 });
  element.fire('pointermove', { clientX: 520, clientY: 80 });
  assert.deepEqual(state.view, { ...mid, start: 37, end: 47 });
  // Outside near the end: clamped, and the first move does not jump.
  element.fire('pointerup', {});
  element.fire('pointerdown', { clientX: 695, clientY: 80 });
  assert.deepEqual(state.view, { ...mid, start: 50, end: 60 });
  const calls = state.calls.length;
  element.fire('pointermove', { clientX: 696, clientY: 80 });
  assert.equal(state.calls.length, calls, 'still clamped at the end');
  element.fire('pointermove', { clientX: 685, clientY: 80 });
  assert.ok(close(state.view.start, 49) && close(state.view.end, 59));
  element.fire('pointerup', {});

  state.view = mid;
  const wheel = element.fire('wheel', { clientX: 150, clientY: 80, deltaY: -100, deltaMode: 0 });
  assert.ok(wheel.defaultPrevented);
  assert.ok(close(state.view.start, 11) && close(state.view.end, 19), 'zoomed around the centre');
  assert.deepEqual([state.view.fmin, state.view.fmax], [200, 2000]);
  dispose();
});

test('overview: a thin rectangle can still be grabbed', () => {
  const thin = { ...mid, start: 30, end: 30.01 }; // a tenth of a pixel wide
  const { element, state, dispose } = harness(attachOverviewGestures, thin);
  element.fire('pointerdown', { clientX: 402, clientY: 80 }); // 0.2 s to the right of it
  assert.equal(state.calls.length, 0);
  element.fire('pointermove', { clientX: 412, clientY: 80 });
  assert.ok(close(state.view.start, 31) && close(state.view.end, 31.01));
  dispose();
});

test('overview dispose removes every listener and ends a drag', () => {
  const { element, state, dispose } = harness(attachOverviewGestures);
  element.fire('pointerdown', { clientX: 250, clientY: 80 });
  dispose();
  assert.equal(element.listeners, 0, 'listeners left behind');
  assert.equal(element.captured.size, 0);
  assert.ok(!('dragging' in element.dataset));
  element.fire('pointermove', { clientX: 300, clientY: 10 });
  element.fire('pointerdown', { clientX: 500, clientY: 80 });
  element.fire('wheel', { clientX: 150, clientY: 80, deltaY: -100 });
  assert.equal(state.calls.length, 0, 'onView after dispose');
});
