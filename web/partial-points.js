// Partials as Python sends them: each one's points as `pointData`, base64 of little-endian
// float64 rows [t (s), f (Hz), a (dBFS)] with NaN for a gap (app/partials.py,
// points_to_base64). Compact bytes, where per-point JSON lists took seconds to build for a
// long partial. The rest of the page reads points as [[t, f | null, a | null], ...].

/** Bytes of a base64 string (atob gives one char per byte). */
function base64Bytes(text) {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/**
 * The points of one partial from its `pointData`.
 * @param {string} text base64 of n * 3 little-endian float64.
 * @returns {Array} n rows [t, f | null, a | null].
 * @throws {Error} when the bytes are not whole rows.
 */
export function decodePoints(text) {
  const bytes = base64Bytes(text);
  if (bytes.length % 24 !== 0) throw new Error(`${bytes.length} bytes are not whole [t, f, a] rows`);
  // DataView, not a Float64Array over the bytes: the data is little-endian whatever the
  // machine's own order is.
  const view = new DataView(bytes.buffer);
  const points = new Array(bytes.length / 24);
  const value = (offset) => {
    const x = view.getFloat64(offset, true);
    return Number.isNaN(x) ? null : x;
  };
  for (let i = 0; i < points.length; i++) {
    points[i] = [view.getFloat64(24 * i, true), value(24 * i + 8), value(24 * i + 16)];
  }
  return points;
}

/** `partials` from Python with their points decoded: [{id, name, color, source, points}]. */
export function withPoints(partials) {
  return partials.map(({ pointData, ...partial }) => ({ ...partial, points: decodePoints(pointData) }));
}
