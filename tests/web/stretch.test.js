import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sourceRect } from '../../web/stretch.js';

const image = { start: 0, end: 10, fmin: 100, fmax: 10000 };

test('the image\'s own view is the whole image, edges half a row beyond fmin and fmax', () => {
  const r = sourceRect(image, 1000, 201, image);
  assert.equal(r.sx, 0);
  assert.equal(r.sw, 1000);
  assert.ok(Math.abs(r.sy - 0.5) < 1e-9);
  assert.ok(Math.abs(r.sh - 200) < 1e-9);
});

test('a sub-view maps to the rows and columns that show it', () => {
  // 1 kHz is half-way up the log axis: row 100 of 201, centred 100.5 rows from the top.
  const r = sourceRect(image, 1000, 201, { start: 2.5, end: 5, fmin: 100, fmax: 1000 });
  assert.ok(Math.abs(r.sx - 250) < 1e-9 && Math.abs(r.sw - 250) < 1e-9);
  assert.ok(Math.abs(r.sy - 100.5) < 1e-9 && Math.abs(r.sh - 100) < 1e-9);
});

test('a view beyond the image reaches outside it', () => {
  const r = sourceRect(image, 100, 11, { start: -5, end: 15, fmin: 10, fmax: 100000 });
  assert.ok(r.sx < 0 && r.sx + r.sw > 100 && r.sy < 0 && r.sy + r.sh > 11);
});

test('empty or invalid views give null', () => {
  assert.equal(sourceRect(image, 100, 11, { start: 1, end: 1, fmin: 10, fmax: 100 }), null);
  assert.equal(sourceRect(image, 100, 11, { start: 0, end: 1, fmin: 100, fmax: 100 }), null);
  assert.equal(sourceRect(image, 100, 11, { start: NaN, end: 1, fmin: 10, fmax: 100 }), null);
  assert.equal(sourceRect({ ...image, end: 0 }, 100, 11, image), null);
  assert.equal(sourceRect(image, 100, 1, image), null);
});
