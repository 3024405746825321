import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dragToRegion, partialsInRegion, regionLabel, regionRect, regionView } from '../../web/region.js';

const view = { start: 10, end: 20, fmin: 20, fmax: 20000 }; // three decades over 300 px

test('a drag becomes the region it covers, whichever way it went', () => {
  const forward = dragToRegion([{ x: 100, y: 100 }, { x: 150, y: 120 }, { x: 300, y: 200 }], view, 1000, 300);
  const backward = dragToRegion([{ x: 300, y: 200 }, { x: 100, y: 100 }], view, 1000, 300);
  assert.deepEqual(forward, backward);
  assert.equal(forward.start, 11);
  assert.equal(forward.end, 13);
  assert.ok(Math.abs(forward.fmin - 200) < 1e-9 && Math.abs(forward.fmax - 2000) < 1e-9);
});

test('a drag past the plot is clamped to the view; a tiny one is no region', () => {
  const region = dragToRegion([{ x: -50, y: -10 }, { x: 2000, y: 400 }], view, 1000, 300);
  /** Within `within` (no edge rounded past it: Python would refuse it) and close to it. */
  const covers = (got, within) => {
    assert.ok(got.start >= within.start && got.end <= within.end, JSON.stringify(got));
    assert.ok(got.fmin >= within.fmin && got.fmax <= within.fmax, JSON.stringify(got));
    for (const key of Object.keys(within)) assert.ok(Math.abs(got[key] - within[key]) < 1e-9, key);
  };
  covers(region, view);
  for (const odd of [{ start: 0.1, end: 19.7, fmin: 20, fmax: 22050 },
    { start: 7.57, end: 19, fmin: 72, fmax: 4001 }]) { // its fmin once came back 71.99999999999999
    for (const [width, height] of [[937, 589], [716, 204], [333, 97]]) {
      covers(dragToRegion([{ x: -1, y: -1 }, { x: width, y: height }], odd, width, height), odd);
    }
  }
  assert.equal(dragToRegion([{ x: 10, y: 10 }, { x: 12, y: 200 }], view, 1000, 300), null);
  assert.equal(dragToRegion([{ x: 10, y: 10 }, { x: 200, y: 13 }], view, 1000, 300), null);
  assert.equal(dragToRegion([{ x: 10, y: 10 }], view, 1000, 300), null);
  assert.equal(dragToRegion([{ x: 10, y: 10 }, { x: 200, y: 200 }], null, 1000, 300), null);
  assert.equal(dragToRegion([{ x: NaN, y: 10 }, { x: 200, y: 200 }], view, 1000, 300), null);
});

test('a region is drawn where its drag was, and follows the view', () => {
  const rect = regionRect({ start: 11, end: 13, fmin: 200, fmax: 2000 }, view, 1000, 300);
  for (const [key, value] of Object.entries({ x: 100, y: 100, width: 200, height: 100 })) {
    assert.ok(Math.abs(rect[key] - value) < 1e-9, key);
  }
  const panned = regionRect({ start: 11, end: 13, fmin: 200, fmax: 2000 }, { ...view, start: 11, end: 21 }, 1000, 300);
  assert.ok(Math.abs(panned.x) < 1e-9);
  assert.equal(regionRect(null, view, 1000, 300), null);
});

test('zooming to a region shows it whole, within what the file allows', () => {
  const limits = { duration: 30, nyquist: 22050, minFreq: 20 };
  const region = { start: 11, end: 13, fmin: 200, fmax: 2000 };
  assert.deepEqual(regionView(region, limits), region);
  const tiny = regionView({ start: 5, end: 5.001, fmin: 440, fmax: 441 }, limits);
  assert.ok(tiny.end - tiny.start >= 0.01 - 1e-9 && tiny.fmax / tiny.fmin >= 1.05 - 1e-9, JSON.stringify(tiny));
  assert.ok(Math.abs((tiny.start + tiny.end) / 2 - 5.0005) < 1e-9); // centred where it was
  assert.equal(regionView(null, limits), null);
});

test('a region reads as its times and frequencies', () => {
  assert.equal(regionLabel({ start: 1.25, end: 2, fmin: 200, fmax: 1500 }),
    '0:01.250\u20130:02.000 \u00b7 200 Hz\u20131.5 kHz');
  assert.equal(regionLabel(null), '');
});

test('the partials in a region are those with a point inside it', () => {
  const partials = [
    { id: 1, points: [[0, 440, -10], [1, 440, -10]] }, // before the region
    { id: 2, points: [[1.5, 440, -10], [2.5, 450, -10]] }, // inside
    { id: 3, points: [[1.5, 3000, -10]] }, // above it
    { id: 4, points: [[1.9, null, null], [3, 500, -10]] }, // its point inside is a gap
    { id: 5, points: [[0.5, 100, -10], [4, 500, -10]] }, // crosses it, no point inside
  ];
  assert.deepEqual(partialsInRegion(partials, { start: 1.2, end: 2.8, fmin: 200, fmax: 1000 }), [2]);
  assert.deepEqual(partialsInRegion(partials, null), []);
});
