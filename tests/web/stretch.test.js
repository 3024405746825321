import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BAND_ROWS, sourceBands } from '../../web/stretch.js';

const image = { start: 0, end: 10, fmin: 100, fmax: 10000 };
const close = (a, b, tol = 1e-9) => Math.abs(a - b) <= tol;

test('the image\'s own view is the whole image, edges half a row beyond fmin and fmax', () => {
  for (const scale of ['log', 'linear']) {
    const [r, ...more] = sourceBands({ ...image, scale }, 1000, 201, { ...image, scale }, 300);
    assert.equal(more.length, 0, 'one band for one scale');
    assert.equal(r.sx, 0);
    assert.equal(r.sw, 1000);
    assert.ok(close(r.sy, 0.5) && close(r.sh, 200));
    assert.deepEqual([r.dy, r.dh], [0, 300]);
  }
});

test('a sub-view maps to the rows and columns that show it', () => {
  // 1 kHz is half-way up the log axis: row 100 of 201, centred 100.5 rows from the top.
  const [r] = sourceBands(image, 1000, 201, { start: 2.5, end: 5, fmin: 100, fmax: 1000 }, 300);
  assert.ok(close(r.sx, 250) && close(r.sw, 250));
  assert.ok(close(r.sy, 100.5) && close(r.sh, 100));
  // On a linear axis 5050 Hz is half-way up.
  const linear = { ...image, scale: 'linear' };
  const [l] = sourceBands(linear, 1000, 201, { ...linear, fmin: 100, fmax: 5050 }, 300);
  assert.ok(close(l.sy, 100.5) && close(l.sh, 100));
});

test('a log image in a linear view is drawn in bands that follow the curve', () => {
  const linear = { ...image, scale: 'linear' };
  const bands = sourceBands(image, 1000, 201, linear, 402);
  assert.equal(bands.length, Math.ceil(402 / BAND_ROWS));
  assert.deepEqual([bands[0].dy, bands.at(-1).dy + bands.at(-1).dh], [0, 402]);
  for (const [i, band] of bands.entries()) {
    if (i) assert.ok(close(band.sy, bands[i - 1].sy + bands[i - 1].sh), 'bands join');
    assert.equal(band.dy, i * BAND_ROWS);
  }
  assert.ok(close(bands[0].sy, 0.5) && close(bands.at(-1).sy + bands.at(-1).sh, 200.5));
  // Canvas row 201 of 402 shows 5050 Hz, which lies log10(10000 / 5050) of the log image's
  // two decades down: 0.5 + 0.1483 * 200 rows from its top. Bands meet the curve at their
  // edges and stay within a third of a canvas row of it between them (a quarter where the
  // curve bends most, at the bottom).
  const rowOf = (y) => 0.5 + (Math.log10(10000 / (10000 - (y / 402) * 9900)) / 2) * 200;
  for (const band of bands) {
    assert.ok(close(band.sy, rowOf(band.dy), 1e-9));
    const off = Math.abs(band.sy + band.sh / 2 - rowOf(band.dy + band.dh / 2));
    assert.ok(off / (band.sh / band.dh) < 1 / 3, `row ${band.dy}`);
  }
  assert.ok(close(rowOf(201), 0.5 + (Math.log10(10000 / 5050) / 2) * 200));
  // The top of the linear view (high frequencies) is stretched over few log rows, the
  // bottom squeezed: the band heights in source rows grow downwards.
  assert.ok(bands[0].sh < bands.at(-1).sh / 10);
});

test('a view beyond the image reaches outside it', () => {
  const [r] = sourceBands(image, 100, 11, { start: -5, end: 15, fmin: 10, fmax: 100000 }, 50);
  assert.ok(r.sx < 0 && r.sx + r.sw > 100 && r.sy < 0 && r.sy + r.sh > 11);
});

test('empty or invalid views give no band', () => {
  assert.deepEqual(sourceBands(image, 100, 11, { start: 1, end: 1, fmin: 10, fmax: 100 }, 50), []);
  assert.deepEqual(sourceBands(image, 100, 11, { start: 0, end: 1, fmin: 100, fmax: 100 }, 50), []);
  assert.deepEqual(sourceBands(image, 100, 11, { start: NaN, end: 1, fmin: 10, fmax: 100 }, 50), []);
  assert.deepEqual(sourceBands({ ...image, end: 0 }, 100, 11, image, 50), []);
  assert.deepEqual(sourceBands(image, 100, 1, image, 50), []);
  assert.deepEqual(sourceBands(image, 100, 11, image, 0), []);
  assert.deepEqual(sourceBands(image, 100, 11, { ...image, fmin: 0, scale: 'linear' }, 50), []);
});
