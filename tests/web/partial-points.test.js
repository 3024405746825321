import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePoints, withPoints } from '../../web/partial-points.js';

/** Little-endian float64 `values` as bytes, as app/document/partials.py serves them. */
function encode(values) {
  const view = new DataView(new ArrayBuffer(8 * values.length));
  values.forEach((x, i) => view.setFloat64(8 * i, x, true));
  return new Uint8Array(view.buffer);
}

const partial = (id, pointCount) => ({ id, name: `P${id}`, color: '#ff0000', source: {}, pointCount });

test('decodePoints reads rows [t, f, a] from a row on and turns a gap\'s NaN into null', () => {
  const bytes = encode([9, 9, 9, 0, 440, -6, 0.005, NaN, NaN, 0.01, 441.5, -7.25]);
  const view = new DataView(bytes.buffer);
  assert.deepEqual(decodePoints(view, 1, 3), [[0, 440, -6], [0.005, null, null], [0.01, 441.5, -7.25]]);
  assert.deepEqual(decodePoints(view, 4, 0), []);
});

test('decodePoints matches the bytes Python writes', () => {
  // np.array([[1.5, 220.0, -20.0]], '<f8').tobytes()
  const bytes = Uint8Array.from(Buffer.from('AAAAAAAA+D8AAAAAAIBrQAAAAAAAADTA', 'base64'));
  assert.deepEqual(decodePoints(new DataView(bytes.buffer), 0, 1), [[1.5, 220, -20]]);
});

test('withPoints gives each partial its pointCount rows, in order, and keeps the rest', () => {
  const partials = withPoints([partial(3, 1), partial(5, 0), partial(4, 2)],
    encode([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  assert.deepEqual(partials, [
    { id: 3, name: 'P3', color: '#ff0000', source: {}, points: [[1, 2, 3]] },
    { id: 5, name: 'P5', color: '#ff0000', source: {}, points: [] },
    { id: 4, name: 'P4', color: '#ff0000', source: {}, points: [[4, 5, 6], [7, 8, 9]] },
  ]);
});

test('withPoints reads bytes that do not start at their buffer\'s start', () => {
  const whole = encode([0, 1, 2, 3]);
  const bytes = whole.subarray(8); // a view 8 bytes in
  assert.deepEqual(withPoints([partial(1, 1)], bytes)[0].points, [[1, 2, 3]]);
});

test('withPoints refuses bytes that are not the rows the partials count', () => {
  assert.throws(() => withPoints([partial(1, 2)], encode([1, 2, 3])), /not the 2 \[t, f, a\] rows/);
  assert.throws(() => withPoints([partial(1, 1)], encode([1, 2])), /16 bytes/);
});

test('withPoints handles a 2,000,000-point partial', () => {
  const n = 2_000_000;
  const values = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) values.set([i * 0.001, 440, -6], 3 * i);
  const [{ points }] = withPoints([partial(1, n)], new Uint8Array(values.buffer));
  assert.equal(points.length, n);
  assert.deepEqual(points[n - 1], [(n - 1) * 0.001, 440, -6]);
});
