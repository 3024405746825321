import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  strokeToGuide, partialPolylines, nearestPoint, erasedRanges, partialSummary, partialEndAt, dragGuide,
} from '../../web/trace-geometry.js';

// 1000 x 200 px over 0..10 s and 100..10 000 Hz: 100 px per second, 100 px per decade
// (y = 0 is 10 kHz, y = 100 is 1 kHz, y = 200 is 100 Hz).
const view = { start: 0, end: 10, fmin: 100, fmax: 10000 };
const W = 1000, H = 200;
const close = (a, b, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
const yOf = (f) => 100 * Math.log10(10000 / f);

/** A partial at a steady `f` Hz from t0 to t1 s, one point every `dt` s. */
function steady(id, f, t0, t1, dt = 0.01) {
  const points = [];
  for (let i = 0; t0 + i * dt <= t1 + 1e-9; i++) points.push([t0 + i * dt, f, -20]);
  return { id, name: `P${id}`, color: '#ff0000', points };
}

test('strokeToGuide maps pixels to time and log frequency', () => {
  const guide = strokeToGuide([{ x: 100, y: 100 }, { x: 200, y: 0 }, { x: 300, y: 200 }], view, W, H);
  assert.equal(guide.length, 3);
  const expected = [[1, 1000], [2, 10000], [3, 100]];
  for (const [i, [t, f]] of expected.entries()) {
    assert.ok(close(guide[i][0], t) && close(guide[i][1], f), `point ${i}: ${guide[i]}`);
  }
});

test('strokeToGuide reverses a right-to-left stroke and keeps times increasing', () => {
  const guide = strokeToGuide([{ x: 300, y: 100 }, { x: 200, y: 100 }, { x: 100, y: 0 }], view, W, H);
  assert.deepEqual(guide.map(([t]) => Math.round(t * 1e6) / 1e6), [1, 2, 3]);
  assert.ok(close(guide[0][1], 10000));
  // Doubling back: the backward wiggle is dropped, the furthest reach kept.
  const wiggle = strokeToGuide([100, 200, 150, 180, 250, 250, 300].map((x) => ({ x, y: 100 })), view, W, H);
  assert.deepEqual(wiggle.map(([t]) => Math.round(t * 1e6) / 1e6), [1, 2, 2.5, 3]);
  for (let i = 1; i < wiggle.length; i++) assert.ok(wiggle[i][0] > wiggle[i - 1][0]);
});

test('strokeToGuide clamps into the view, and a click or garbage is null', () => {
  const guide = strokeToGuide([{ x: -50, y: -20 }, { x: 500, y: 100 }, { x: 1200, y: 400 }], view, W, H);
  assert.deepEqual(guide[0], [0, 10000]);
  assert.deepEqual(guide[guide.length - 1], [10, 100]);
  assert.equal(guide.length, 3);
  assert.equal(strokeToGuide([{ x: 100, y: 100 }], view, W, H), null);
  assert.equal(strokeToGuide([{ x: 100, y: 100 }, { x: 100, y: 50 }], view, W, H), null, 'one time');
  assert.equal(strokeToGuide([], view, W, H), null);
  assert.equal(strokeToGuide(null, view, W, H), null);
  assert.equal(strokeToGuide([{ x: 1, y: 1 }, { x: 50, y: 1 }], null, W, H), null);
  assert.equal(strokeToGuide([{ x: 1, y: 1 }, { x: 50, y: 1 }], view, 0, H), null);
  assert.equal(strokeToGuide([{ x: 1, y: 1 }, { x: 50, y: 1 }], { ...view, fmin: 0 }, W, H), null);
  // NaN points are skipped, never passed on.
  const nan = strokeToGuide([{ x: NaN, y: 1 }, { x: 100, y: 100 }, { x: 200, y: NaN },
    null, { x: 300, y: 100 }, { x: Infinity, y: 0 }], view, W, H);
  assert.equal(nan.length, 2);
  for (const [t, f] of nan) assert.ok(Number.isFinite(t) && Number.isFinite(f));
  assert.equal(strokeToGuide([{ x: NaN, y: NaN }, { x: NaN, y: 3 }], view, W, H), null);
});

test('partialPolylines: positions, gaps at nulls, culling with a point of margin', () => {
  const partial = { id: 1, points: [[1, 1000, -10], [2, 1000, -10], [3, null, null],
    [4, 10000, -12], [5, 100, -12], [6, null, null], [7, 1000, -3], [8, 1000, -3]] };
  const runs = partialPolylines(partial, view, W, H);
  assert.equal(runs.length, 3);
  assert.deepEqual(runs[0].map(([x, y]) => [Math.round(x), Math.round(y)]), [[100, 100], [200, 100]]);
  assert.deepEqual(runs[1].map(([x, y]) => [Math.round(x), Math.round(y)]), [[400, 0], [500, 200]]);
  assert.equal(runs[2].length, 2);
  // Zoomed to 4.5..6.5 s: the run through 5 s keeps 4 s (margin, pulled to the edge);
  // 7 s, the margin on the right, follows the null at 6 s: alone off the element, not drawn.
  const zoomed = partialPolylines(partial, { ...view, start: 4.5, end: 6.5 }, W, H);
  assert.equal(zoomed.length, 1);
  assert.equal(zoomed[0].length, 2);
  assert.equal(zoomed[0][0][0], -1, 'pulled in to just past the left edge');
  // 4 s is at (-250, 0), 5 s at (250, 200): at x = -1 the line is 251/500 of the way up.
  assert.ok(close(zoomed[0][0][1], 200 - 200 * (251 / 500)), 'on the same line');
  assert.ok(close(zoomed[0][1][0], 250));
  // A point alone between gaps, inside the view, is a run of one (drawn as a dot).
  const lone = partialPolylines({ points: [[1, null, 0], [2, 1000, 0], [3, null, 0]] }, view, W, H);
  assert.deepEqual(lone.map((r) => r.map(([x, y]) => [Math.round(x), Math.round(y)])), [[[200, 100]]]);
  // Outside the view entirely: nothing; a sparse partial crossing a zoomed view: one line.
  assert.deepEqual(partialPolylines(steady(2, 1000, 20, 30), view, W, H), []);
  assert.deepEqual(partialPolylines(steady(2, 1000, -5, -1), view, W, H), []);
  const across = partialPolylines({ points: [[0, 1000, 0], [20, 1000, 0]] }, { ...view, start: 5, end: 6 }, W, H);
  assert.deepEqual(across, [[[-1, 100], [W + 1, 100]]]);
  for (const bad of [null, {}, { points: null }, { points: [[NaN, 1000, 0], [1, -5, 0]] }]) {
    assert.deepEqual(partialPolylines(bad, view, W, H), []);
  }
  assert.deepEqual(partialPolylines(partial, view, NaN, H), []);
});

test('partialPolylines keeps at most two points per pixel column', () => {
  // 10 000 points over 10 s (1 ms apart, 10 per pixel column) with a vibrato.
  const points = [];
  for (let i = 0; i < 10000; i++) points.push([i / 1000, 1000 * 2 ** (0.1 * Math.sin(i / 3)), -20]);
  const runs = partialPolylines({ id: 1, points }, view, W, H);
  assert.equal(runs.length, 1);
  const run = runs[0];
  assert.ok(run.length <= 2 * W + 2, `${run.length} points`);
  assert.ok(run.length >= W, 'every column still drawn');
  const perColumn = new Map();
  for (const [x] of run) perColumn.set(Math.floor(x), (perColumn.get(Math.floor(x)) || 0) + 1);
  assert.ok([...perColumn.values()].every((n) => n <= 2));
  // The extremes of the vibrato survive decimation.
  const ys = run.map(([, y]) => y);
  const all = points.map(([, f]) => yOf(f));
  assert.ok(close(Math.min(...ys), Math.min(...all)) && close(Math.max(...ys), Math.max(...all)));
  for (let i = 1; i < run.length; i++) assert.ok(run[i][0] >= run[i - 1][0], 'in time order');
});

test('nearestPoint finds the closest point within maxDistance', () => {
  const partials = [steady('a', 1000, 1, 3, 0.1), steady('b', 2000, 1, 3, 0.1),
    { id: 'c', points: [[5, null, null], [5.02, 1000, -5]] }];
  const hit = nearestPoint(partials, view, W, H, 152, 98);
  assert.equal(hit.partialId, 'a');
  assert.equal(hit.index, 5);
  assert.deepEqual(hit.point, partials[0].points[5]);
  assert.ok(close(hit.distance, Math.hypot(2, 2), 1e-6));
  const b = nearestPoint(partials, view, W, H, 200, yOf(2000) + 1);
  assert.equal(b.partialId, 'b');
  assert.equal(b.index, 10);
  assert.equal(nearestPoint(partials, view, W, H, 150, 115), null, '15 px away');
  assert.equal(nearestPoint(partials, view, W, H, 150, 115, 20).partialId, 'a');
  // Null points are never hit; the real one next to it is.
  const c = nearestPoint(partials, view, W, H, 500, 100);
  assert.equal(c.partialId, 'c');
  assert.equal(c.index, 1);
  assert.equal(nearestPoint(partials, view, W, H, 800, 100), null);
  assert.equal(nearestPoint([], view, W, H, 150, 100), null);
  assert.equal(nearestPoint(partials, view, W, H, NaN, 100), null);
  assert.equal(nearestPoint(partials, null, W, H, 150, 100), null);
  assert.equal(nearestPoint([null, { id: 'x' }, ...partials], view, W, H, 152, 98).partialId, 'a');
});

test('erasedRanges: a stroke across the middle of a partial erases a range there', () => {
  const p = steady(7, 1000, 1, 5); // y = 100, x = 100..500
  // A vertical swipe at x = 300 (3 s): points within 6 px, i.e. 2.94..3.06 s.
  const ranges = erasedRanges([p], view, W, H, [{ x: 300, y: 50 }, { x: 300, y: 150 }]);
  assert.equal(ranges.length, 1);
  assert.equal(ranges[0].partialId, 7);
  assert.ok(close(ranges[0].start, 2.94, 1e-6) && close(ranges[0].end, 3.06, 1e-6), JSON.stringify(ranges));
  // Missing it (above, or beyond its end) erases nothing.
  assert.deepEqual(erasedRanges([p], view, W, H, [{ x: 300, y: 20 }, { x: 300, y: 80 }]), []);
  assert.deepEqual(erasedRanges([p], view, W, H, [{ x: 700, y: 50 }, { x: 700, y: 150 }]), []);
  // A larger radius reaches it.
  assert.equal(erasedRanges([p], view, W, H, [{ x: 300, y: 20 }, { x: 300, y: 80 }], 25).length, 1);
  // A zigzag crossing it twice gives two ranges; a one-point stroke erases around the point.
  const zigzag = erasedRanges([p], view, W, H,
    [{ x: 200, y: 50 }, { x: 200, y: 150 }, { x: 400, y: 150 }, { x: 400, y: 50 }]);
  assert.equal(zigzag.length, 2);
  assert.ok(close(zigzag[0].start, 1.94, 1e-6) && close(zigzag[1].end, 4.06, 1e-6));
  const dot = erasedRanges([p], view, W, H, [{ x: 100.5, y: 100 }]);
  assert.equal(dot.length, 1);
  assert.ok(close(dot[0].start, 1) && close(dot[0].end, 1.06, 1e-6));
});

test('erasedRanges: along a partial, over a gap, and several partials', () => {
  const gappy = { id: 'g', points: [[1, 1000, 0], [2, 1000, 0], [3, null, null], [4, 1000, 0],
    [5, 1000, 0], [6, 2000, 0], [7, 1000, 0]] };
  const other = steady('o', 10000 / 10 ** 0.5, 1, 8, 0.5); // y = 50
  // Along y = 100 from 1.5 s to 6.5 s: the gap at 3 s does not split it, 6 s (2 kHz,
  // 30 px up) does.
  const ranges = erasedRanges([gappy, other], view, W, H, [{ x: 150, y: 100 }, { x: 650, y: 100 }]);
  assert.deepEqual(ranges, [{ partialId: 'g', start: 2, end: 5 }]);
  // Down across the other at 1 s, then diagonally to the gappy one's point at 2 s.
  const both = erasedRanges([gappy, other], view, W, H, [{ x: 100, y: 40 }, { x: 100, y: 60 },
    { x: 200, y: 103 }]);
  assert.deepEqual(both, [{ partialId: 'g', start: 2, end: 2 }, { partialId: 'o', start: 1, end: 1 }]);
  // Garbage erases nothing.
  assert.deepEqual(erasedRanges([gappy], view, W, H, []), []);
  assert.deepEqual(erasedRanges([gappy], view, W, H, [{ x: NaN, y: 1 }]), []);
  assert.deepEqual(erasedRanges([gappy], null, W, H, [{ x: 200, y: 100 }]), []);
  assert.deepEqual(erasedRanges(null, view, W, H, [{ x: 200, y: 100 }]), []);
  assert.deepEqual(erasedRanges([gappy], view, W, H, [{ x: 200, y: 100 }], NaN), []);
  // Points outside the view are not erased, even with the pointer dragged out there.
  assert.deepEqual(erasedRanges([gappy], { ...view, end: 3.5 }, 350, H,
    [{ x: 340, y: 100 }, { x: 450, y: 100 }]), []);
});

test('partialSummary', () => {
  const s = partialSummary({ points: [[1.5, null, null], [2, 100, -3], [3, 400, -6], [4, null, null]] });
  assert.equal(s.start, 2);
  assert.equal(s.end, 3);
  assert.ok(close(s.meanFrequency, 200), 'geometric mean');
  assert.equal(s.count, 2);
  const empty = { start: null, end: null, meanFrequency: null, count: 0 };
  assert.deepEqual(partialSummary(null), empty);
  assert.deepEqual(partialSummary({}), empty);
  assert.deepEqual(partialSummary({ points: [[1, null, null], [NaN, 5, 0], [2, -1, 0], 'x'] }), empty);
});

test('partialEndAt finds the partial whose first or last audible point a stroke starts on', () => {
  const partials = [steady('a', 1000, 1, 3, 0.1), steady('b', 2000, 2, 4, 0.1),
    { id: 'c', points: [[6, 1000, -5], [6.5, 1000, -5], [7, null, null]] }];
  assert.equal(partialEndAt(partials, view, W, H, 303, yOf(1000) + 2), 'a'); // a's end, 3 s
  assert.equal(partialEndAt(partials, view, W, H, 98, yOf(1000)), 'a'); // a's start, 1 s
  assert.equal(partialEndAt(partials, view, W, H, 200, yOf(1000)), null); // a's middle
  assert.equal(partialEndAt(partials, view, W, H, 402, yOf(2000)), 'b');
  // c's last point is a gap: its end is its last audible point, 6.5 s.
  assert.equal(partialEndAt(partials, view, W, H, 650, yOf(1000)), 'c');
  assert.equal(partialEndAt(partials, view, W, H, 700, yOf(1000)), null);
  assert.equal(partialEndAt(partials, view, W, H, 315, yOf(1000), 10), null, '15 px away');
  assert.equal(partialEndAt(partials, null, W, H, 303, yOf(1000)), null);
});

test('dragGuide bends the stretch around the grabbed point, fully there and not at all at reach', () => {
  const partial = steady('a', 1000, 1, 3, 0.1);
  partial.points[12][1] = null; // a gap is left out of the guide
  const guide = dragGuide(partial, 2, 100, 0.5);
  assert.equal(guide.length, 10); // 1.5 .. 2.5 s without the gap at 2.2 s
  assert.ok(close(guide[0][0], 1.5, 1e-9) && close(guide.at(-1)[0], 2.5, 1e-9));
  const cents = (f) => 1200 * Math.log2(f / 1000);
  const at = (t) => guide.find(([u]) => close(u, t, 1e-9))[1];
  assert.ok(close(cents(at(2)), 100, 1e-9));
  assert.ok(close(cents(at(2.3)), 50 * (1 + Math.cos(0.6 * Math.PI)), 1e-9)); // the falloff
  assert.ok(Math.abs(cents(at(1.5))) < 1e-9 && Math.abs(cents(at(2.5))) < 1e-9);
  assert.equal(dragGuide(partial, 2, 100, 0.01), null, 'one point is no guide');
  assert.equal(dragGuide(partial, 2, NaN, 0.5), null);
});
