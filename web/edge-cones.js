// The edge cones of a spectrogram image: where the analysis reached past the start or end of
// the audio, so a pixel shows the edge rather than the sound. Python sends them as a bit mask
// after the image's levels (workers/imaging.py image_payload); the page hatches them as
// colormap.json's `edgeCones` says, as `soma render` does (app/files/png.py).

/**
 * Split an image payload into its levels and its cone mask.
 * @param {Uint8Array} bytes the payload: width*height levels, then (with `edges`) the mask
 *   bits, row-major, most significant bit first.
 * @param {{width: number, height: number, edges: boolean}} meta
 * @returns {{levels: Uint8Array, cones: Uint8Array|null}} cones: one 0/1 byte per pixel.
 * @throws {Error} when the payload's length does not match.
 */
export function splitPayload(bytes, { width, height, edges }) {
  const n = width * height;
  const expected = n + (edges ? Math.ceil(n / 8) : 0);
  if (bytes.length !== expected) {
    throw new Error(`image has ${bytes.length} bytes, expected ${expected}`);
  }
  const levels = bytes.subarray(0, n);
  if (!edges) return { levels, cones: null };
  const cones = new Uint8Array(n);
  for (let i = 0; i < n; i++) cones[i] = (bytes[n + (i >> 3)] >> (7 - (i & 7))) & 1;
  return { levels, cones };
}

/**
 * Hatch the cone pixels of painted RGBA `pixels` (from paintSpectrogram: row 0 of the mask,
 * the lowest frequency, is the bottom image row): dimmed, with diagonal grey lines.
 * @param {Uint8ClampedArray} pixels width*height*4 RGBA, changed in place.
 * @param {Uint8Array} cones width*height 0/1, row 0 = lowest frequency.
 * @param {{stripe: number, dim: number, line: number}} style colormap.json's edgeCones: px
 *   between lines (along a row), the share of its colour a cone pixel keeps, the lines' grey.
 */
export function hatchCones(pixels, cones, width, height, { stripe, dim, line: grey }) {
  for (let row = 0; row < height; row++) {
    const y = height - 1 - row;
    for (let x = 0; x < width; x++) {
      if (!cones[row * width + x]) continue;
      const at = (y * width + x) * 4;
      const line = (x + y) % stripe === 0;
      for (let k = 0; k < 3; k++) pixels[at + k] = line ? grey : pixels[at + k] * dim;
    }
  }
}
