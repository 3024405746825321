import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dragToRegion, regionRect, splitTime, trackSettingsFrom, TRACK_DEFAULTS } from '../../web/track-region.js';

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
  for (const [key, value] of Object.entries(view)) assert.ok(Math.abs(region[key] - value) < 1e-9, key);
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

test('empty settings fields take the defaults; the rest are sent as typed for Python to check', () => {
  assert.deepEqual(trackSettingsFrom({ thresholdDb: '', minDurationMs: ' ', maxPartials: '' }), TRACK_DEFAULTS);
  assert.deepEqual(trackSettingsFrom({ thresholdDb: '24', minDurationMs: '80', maxPartials: '10' }),
    { thresholdDb: 24, minDurationMs: 80, maxPartials: 10 });
  assert.ok(Number.isNaN(trackSettingsFrom({ thresholdDb: 'loud', minDurationMs: '', maxPartials: '' }).thresholdDb));
});

test('a split cuts under the mouse, else at the playback cursor', () => {
  assert.equal(splitTime(1.5, 3), 1.5);
  assert.equal(splitTime(null, 3), 3);
  assert.equal(splitTime(null, null), null);
});
