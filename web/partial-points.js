// The partials' points as Python serves them: bytes at the state's `partialsData`
// (app/document/partials.py, partials_bytes), little-endian float64 rows [t (s), f (Hz),
// a (dBFS)] with NaN for a gap, each partial's `pointCount` rows after the one before's.
// Bytes, fetched, not JSON through pywebview: a tracked 10-minute file's 2.4 million points
// took 7 s to arrive as base64 text and 5-6 s of this thread to parse. The rest of the page
// reads points as [[t, f | null, a | null], ...].

const ROW_BYTES = 24;

/**
 * `count` rows of points from `view`, starting at row `first`.
 * @param {DataView} view the bytes (little-endian float64, three to a row).
 * @param {number} first the first row.
 * @param {number} count how many rows.
 * @returns {Array} count rows [t, f | null, a | null].
 */
export function decodePoints(view, first, count) {
  // DataView, not a Float64Array over the bytes: the data is little-endian whatever the
  // machine's own order is (and a partial's rows need not start 8-byte aligned in a copy).
  const points = new Array(count);
  const value = (offset) => {
    const x = view.getFloat64(offset, true);
    return Number.isNaN(x) ? null : x;
  };
  for (let i = 0; i < count; i++) {
    const offset = ROW_BYTES * (first + i);
    points[i] = [view.getFloat64(offset, true), value(offset + 8), value(offset + 16)];
  }
  return points;
}

/**
 * `partials` from Python ([{id, name, color, source, pointCount}]) with their points from
 * `bytes`: [{id, name, color, source, points}].
 * @param {Array} partials as get_state lists them.
 * @param {Uint8Array} bytes the points of all of them, in their order.
 * @throws {Error} when the bytes are not exactly the rows the partials count.
 */
export function withPoints(partials, bytes) {
  const rows = partials.reduce((sum, partial) => sum + partial.pointCount, 0);
  if (bytes.length !== ROW_BYTES * rows) {
    throw new Error(`${bytes.length} bytes are not the ${rows} [t, f, a] rows of the partials`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let first = 0;
  return partials.map(({ pointCount, ...partial }) => {
    const points = decodePoints(view, first, pointCount);
    first += pointCount;
    return { ...partial, points };
  });
}
