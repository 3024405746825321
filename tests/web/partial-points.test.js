import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePoints, withPoints } from '../../web/partial-points.js';

/** base64 of little-endian float64 `values`, as app/partials.py writes it. */
function encode(values) {
  const view = new DataView(new ArrayBuffer(8 * values.length));
  values.forEach((x, i) => view.setFloat64(8 * i, x, true));
  return Buffer.from(view.buffer).toString('base64');
}

test('decodePoints reads rows [t, f, a] and turns a gap\'s NaN into null', () => {
  const points = decodePoints(encode([0, 440, -6, 0.005, NaN, NaN, 0.01, 441.5, -7.25]));
  assert.deepEqual(points, [[0, 440, -6], [0.005, null, null], [0.01, 441.5, -7.25]]);
  assert.deepEqual(decodePoints(''), []);
});

test('decodePoints matches the bytes Python writes', () => {
  // base64.b64encode(np.array([[1.5, 220.0, -20.0]], '<f8').tobytes())
  assert.deepEqual(decodePoints('AAAAAAAA+D8AAAAAAIBrQAAAAAAAADTA'), [[1.5, 220, -20]]);
});

test('decodePoints refuses bytes that are not whole rows', () => {
  assert.throws(() => decodePoints(encode([0, 440])), /not whole/);
});

test('withPoints replaces pointData by points and keeps the rest', () => {
  const [partial] = withPoints([{ id: 3, name: 'A4', color: '#ff0000', source: {}, pointData: encode([1, 2, 3]) }]);
  assert.deepEqual(partial, { id: 3, name: 'A4', color: '#ff0000', source: {}, points: [[1, 2, 3]] });
});

test('decodePoints handles a 2,000,000-point partial', () => {
  const n = 2_000_000;
  const values = new Float64Array(3 * n);
  for (let i = 0; i < n; i++) values.set([i * 0.001, 440, -6], 3 * i);
  const points = decodePoints(Buffer.from(values.buffer).toString('base64'));
  assert.equal(points.length, n);
  assert.deepEqual(points[n - 1], [(n - 1) * 0.001, 440, -6]);
});
