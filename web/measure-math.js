// The measurement panes' arithmetic: harmonic marks, peak labels that do not overlap, the
// waveform's envelope bytes, and where a column of it falls in another view. Pure.

import { formatNote, freqToY } from './axes.js';

/** Harmonics marked above the cursor's frequency at most (2f ... 16f). */
export const MAX_HARMONIC = 16;

/**
 * The harmonic cursor's marks: 2f, 3f, ... up to MAX_HARMONIC f, those inside the view.
 * @param {number} f the cursor's frequency, Hz
 * @param {{fmin: number, fmax: number}} view Hz
 * @param {number} height px of the plot, fmax at the top (log axis)
 * @returns {{k: number, f: number, y: number}[]} [] for a bad frequency or view
 */
export function harmonicMarks(f, view, height) {
  if (!(f > 0) || !Number.isFinite(f) || !view) return [];
  const marks = [];
  for (let k = 2; k <= MAX_HARMONIC && k * f <= view.fmax; k++) {
    const y = freqToY(k * f, view, height);
    if (y !== null && k * f >= view.fmin) marks.push({ k, f: k * f, y });
  }
  return marks;
}

/** A peak's frequency to a tenth of a Hz (a kHz to three decimals) and its note. */
export function peakLabel(f) {
  const hz = f < 1000 ? `${f.toFixed(1)} Hz` : `${(f / 1000).toFixed(3)} kHz`;
  return `${hz}  ${formatNote(f)}`;
}

/**
 * Which peaks get a label: the loudest first, each at least `gap` px from those already
 * labelled, inside the view.
 * @param {{frequency: number, level: number}[]} peaks loudest first
 * @param {{fmin: number, fmax: number}} view Hz
 * @param {number} height px, fmax at the top
 * @param {number} [gap=14] px between labels
 * @returns {{frequency: number, level: number, y: number, label: string}[]}
 */
export function labelledPeaks(peaks, view, height, gap = 14) {
  const placed = [];
  for (const peak of peaks) {
    const y = freqToY(peak.frequency, view, height);
    if (y === null || y < 0 || y > height) continue;
    if (placed.some((other) => Math.abs(other.y - y) < gap)) continue;
    placed.push({ ...peak, y, label: peakLabel(peak.frequency) });
  }
  return placed;
}

/**
 * The waveform's envelope from its base64 bytes: little-endian int16 [min, max] per column,
 * full scale 32767 (app/compute/measurement.py).
 * @returns {Int16Array|null} 2 * columns values; null when the bytes do not match
 */
export function decodeEnvelope(base64, columns) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  if (bytes.length !== columns * 4) return null;
  const view = new DataView(bytes.buffer);
  const values = new Int16Array(columns * 2);
  for (let i = 0; i < values.length; i++) values[i] = view.getInt16(2 * i, true);
  return values;
}

/**
 * Where column `c` of an envelope of [start, end) falls in `view`, px from the left of a
 * plot `width` px wide: [left, right).
 */
export function columnSpan(c, columns, start, end, view, width) {
  const scale = width / (view.end - view.start);
  const t0 = start + (c / columns) * (end - start), t1 = start + ((c + 1) / columns) * (end - start);
  return [(t0 - view.start) * scale, (t1 - view.start) * scale];
}
