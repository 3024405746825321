// Colour mapping for the spectrogram: byte levels -> RGBA pixels.
// The colour table itself lives in colormap.json, shared with the Python
// PNG writer so the page and exported images use identical colours.

/**
 * Build an RGBA lookup table from a list of 256 RGB triples.
 * @param {number[][]} colors 256 entries of [r, g, b], integers 0..255.
 * @returns {Uint8ClampedArray} 256*4 bytes, RGBA, alpha always 255.
 * @throws {Error} if the list is not 256 valid triples.
 */
export function lutFromColors(colors) {
  if (!Array.isArray(colors) || colors.length !== 256) {
    const n = Array.isArray(colors) ? colors.length : typeof colors;
    throw new Error(`colormap must have exactly 256 colours, got ${n}`);
  }
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const c = colors[i];
    if (!Array.isArray(c) || c.length !== 3) {
      throw new Error(`colormap entry ${i} must be [r, g, b], got ${JSON.stringify(c)}`);
    }
    for (let k = 0; k < 3; k++) {
      const v = c[k];
      // Uint8ClampedArray would silently clamp bad data; reject it instead.
      if (!Number.isInteger(v) || v < 0 || v > 255) {
        throw new Error(`colormap entry ${i} channel ${k} must be an integer 0..255, got ${v}`);
      }
      lut[i * 4 + k] = v;
    }
    lut[i * 4 + 3] = 255;
  }
  return lut;
}

/**
 * Paint a byte-quantised spectrogram into an RGBA pixel buffer.
 * Row 0 of `values` is the lowest frequency, so it becomes the BOTTOM image
 * row (image rows run top to bottom).
 * @param {Uint8Array} values width*height levels, row-major, row 0 = lowest frequency.
 * @param {number} width columns (time frames), px.
 * @param {number} height rows (frequency bins), px.
 * @param {Uint8ClampedArray} lut 256*4 RGBA table from lutFromColors.
 * @param {Uint8ClampedArray} [out] width*height*4 buffer to reuse (e.g. ImageData.data).
 * @returns {Uint8ClampedArray} the RGBA pixels (`out` if given).
 * @throws {Error} on size mismatches.
 */
export function paintSpectrogram(values, width, height, lut, out) {
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new Error(`invalid spectrogram size ${width}x${height}`);
  }
  if (!values || values.length !== n) {
    throw new Error(`values length ${values && values.length} does not match ${width}x${height}`);
  }
  if (!lut || lut.length !== 256 * 4) {
    throw new Error('lut must be 256*4 RGBA bytes (see lutFromColors)');
  }
  if (out === undefined) {
    out = new Uint8ClampedArray(n * 4);
  } else if (out.length !== n * 4) {
    throw new Error(`out length ${out.length} does not match ${width}x${height}x4`);
  } else if (out.byteOffset % 4 !== 0) {
    throw new Error('out must start on a 4-byte boundary (ImageData.data always does)');
  }
  // 32-bit views copy one whole pixel per write. Byte order is irrelevant:
  // both views share the same RGBA byte layout, we only move words around.
  // Copy the LUT if it is not 4-byte aligned inside its buffer.
  const lutBytes = lut.byteOffset % 4 === 0 ? lut : lut.slice();
  const lut32 = new Uint32Array(lutBytes.buffer, lutBytes.byteOffset, 256);
  const out32 = new Uint32Array(out.buffer, out.byteOffset, n);
  for (let row = 0; row < height; row++) {
    const src = row * width;
    const dst = (height - 1 - row) * width;
    for (let x = 0; x < width; x++) {
      out32[dst + x] = lut32[values[src + x]];
    }
  }
  return out;
}

/**
 * Quantise a level in dB to a byte, the same way the back end does:
 * round((db - dbMin) / (dbMax - dbMin) * 255), clamped to 0..255.
 * @param {number} db level, dB.
 * @param {number} dbMin level mapped to 0, dB.
 * @param {number} dbMax level mapped to 255, dB.
 * @returns {number} integer 0..255 (0 for NaN or an empty range).
 */
export function levelToByte(db, dbMin, dbMax) {
  const span = dbMax - dbMin;
  if (!(span > 0) || !Number.isFinite(span)) return 0;
  const b = Math.round(((db - dbMin) / span) * 255);
  if (!(b >= 0)) return 0; // also catches NaN
  return b > 255 ? 255 : b;
}

/**
 * Inverse of levelToByte: the dB level a byte stands for (cursor readout).
 * @param {number} byte quantised level 0..255.
 * @param {number} dbMin level of byte 0, dB.
 * @param {number} dbMax level of byte 255, dB.
 * @returns {number} level, dB.
 */
export function byteToLevel(byte, dbMin, dbMax) {
  return dbMin + (byte / 255) * (dbMax - dbMin);
}

/**
 * The colour table for bytes quantised over [dbMin, dbMax] and shown with the colours spanning
 * [floor, ceiling]: byte b takes the colour of levelToByte(byteToLevel(b, dbMin, dbMax), floor,
 * ceiling). Levels at or below the floor get the first colour, at or above the ceiling the last.
 * @param {Uint8ClampedArray} lut 256*4 RGBA, from lutFromColors.
 * @param {number} dbMin level of byte 0, dB.
 * @param {number} dbMax level of byte 255, dB.
 * @param {number} floor level of the first colour, dB.
 * @param {number} ceiling level of the last colour, dB; above the floor.
 * @returns {Uint8ClampedArray} a new 256*4 RGBA table.
 */
export function levelsLut(lut, dbMin, dbMax, floor, ceiling) {
  const out = new Uint8ClampedArray(256 * 4);
  for (let b = 0; b < 256; b++) {
    const colour = levelToByte(byteToLevel(b, dbMin, dbMax), floor, ceiling);
    out.set(lut.subarray(colour * 4, colour * 4 + 4), b * 4);
  }
  return out;
}
