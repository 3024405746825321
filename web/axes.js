// Axis arithmetic for the spectrogram view: coordinate mappings, tick
// placement and label text. Pure functions, no DOM.
// Bad input (NaN, Infinity, empty or inverted ranges, zero sizes) yields
// [] or null rather than an exception: the view redraws on every mouse
// move and must survive transient nonsense such as a zero-width canvas.

/** Shown instead of a number that cannot be formatted (en dash). */
const NO_VALUE = '\u2013';

/** Hard upper bound on ticks per axis, whatever the pixel size claims. */
const MAX_TICKS = 1000;

const NOTE_NAMES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];

const isNum = Number.isFinite;

/** True if [lo, hi] is a usable range drawn over `px` pixels. */
function validSpan(lo, hi, px) {
  return isNum(lo) && isNum(hi) && hi > lo && isNum(hi - lo) && isNum(px) && px > 0;
}

/**
 * Smallest "nice" number m * 10^k (m = 1, 2 or 5) that is >= x, returned
 * as a ratio num/den so multiples of it can be computed without the drift
 * of repeated float addition (3 * 0.1 != 0.3, but 3 / 10 == 0.3).
 * Null when x is not a positive finite number or the result would overflow.
 */
function niceStep(x) {
  if (!(x > 0) || !isNum(x)) return null;
  const k0 = Math.floor(Math.log10(x));
  // log10 may be off by one near powers of ten, so two decades suffice.
  for (let k = k0; k <= k0 + 1; k++) {
    for (const m of [1, 2, 5]) {
      const num = k >= 0 ? m * 10 ** k : m;
      const den = k >= 0 ? 1 : 10 ** -k;
      const v = num / den;
      if (!isNum(v) || !isNum(num) || !isNum(den)) return null;
      if (v >= x * (1 - 1e-12)) return { num, den, m };
    }
  }
  return null;
}

/** m * 10^k computed as exactly as doubles allow. */
function decadeValue(m, k) {
  return k >= 0 ? m * 10 ** k : m / 10 ** -k;
}

// ---------------------------------------------------------------- time

/**
 * Format a time as "m:ss.mmm" ("h:mm:ss.mmm" from one hour on).
 * @param {number} seconds time, s; negative values get a leading "-".
 * @param {number} [step] tick spacing, s; when >= 1 s the milliseconds are dropped.
 * @returns {string} e.g. "1:23.500", "-0:01.000", "1:02:03.000", "1:23"; "–" if not finite.
 */
export function formatTime(seconds, step) {
  if (!isNum(seconds)) return NO_VALUE;
  const whole = isNum(step) && step >= 1;
  // Round once, in the smallest unit shown, so 59.9996 becomes 1:00.000
  // rather than 0:60.000.
  const unit = whole ? 1000 : 1;
  const totalMs = Math.round(Math.abs(seconds) * 1000 / unit) * unit;
  if (!isNum(totalMs)) return NO_VALUE;
  const ms = totalMs % 1000;
  const totalS = (totalMs - ms) / 1000;
  const s = totalS % 60;
  const totalM = (totalS - s) / 60;
  const m = totalM % 60;
  const h = (totalM - m) / 60;
  const sign = seconds < 0 && totalMs > 0 ? '-' : '';
  const ss = String(s).padStart(2, '0');
  const head = h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  return sign + head + (whole ? '' : '.' + String(ms).padStart(3, '0'));
}

/** Tick steps of a minute or more, s: they follow the clock, not powers of ten. */
const CLOCK_STEPS = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** Smallest allowed time step >= minStep (s), as num/den. */
function timeStep(minStep) {
  // Below 1 ms the labels ("m:ss.mmm") could not tell ticks apart.
  if (minStep <= 1e-3) return { num: 1, den: 1000 };
  if (minStep <= 5) return niceStep(minStep);
  for (const st of CLOCK_STEPS) if (st >= minStep) return { num: st, den: 1 };
  const h = niceStep(minStep / 3600); // beyond an hour: 1, 2, 5, 10 ... hours
  return h && { num: h.num * 3600, den: h.den };
}

/**
 * Time axis ticks at "nice" steps (1, 2, 5 x 10^k ms/s, then 10 s, 15 s,
 * 30 s, 1, 2, 5, 10, 15, 30 min, 1 h, then 1-2-5 hours), spaced at least
 * minSpacingPx apart so labels do not overlap.
 * @param {number} start time at the left edge, s.
 * @param {number} end time at the right edge, s.
 * @param {number} widthPx axis length, px.
 * @param {number} [minSpacingPx=90] minimum distance between ticks, px.
 * @returns {{t: number, x: number, label: string}[]} t in s, x in px from the left; [] on bad input.
 */
export function timeTicks(start, end, widthPx, minSpacingPx = 90) {
  if (!validSpan(start, end, widthPx) || !(minSpacingPx > 0) || !isNum(minSpacingPx)) return [];
  const span = end - start;
  const chosen = timeStep((minSpacingPx * span) / widthPx);
  if (!chosen) return [];
  const { num, den } = chosen;
  const step = num / den;
  if (!isNum(step)) return [];
  const first = Math.ceil(start / step - 1e-9) + 0; // + 0 turns -0 into 0
  const ticks = [];
  for (let i = first; ticks.length < MAX_TICKS; i++) {
    const t = (i * num) / den;
    if (t > end + step * 1e-9) break;
    // Guards against huge |start| where i * step stops advancing.
    if (ticks.length && t <= ticks[ticks.length - 1].t) break;
    ticks.push({ t, x: ((t - start) / span) * widthPx, label: formatTime(t, step) });
  }
  return ticks;
}

/**
 * Map a time to a horizontal position.
 * @param {number} t time, s.
 * @param {number} start time at x = 0, s.
 * @param {number} end time at x = widthPx, s.
 * @param {number} widthPx axis length, px.
 * @returns {number|null} x in px from the left; null on bad input.
 */
export function timeToX(t, start, end, widthPx) {
  if (!isNum(t) || !validSpan(start, end, widthPx)) return null;
  return ((t - start) / (end - start)) * widthPx;
}

/**
 * Inverse of timeToX.
 * @param {number} x position, px from the left.
 * @param {number} start time at x = 0, s.
 * @param {number} end time at x = widthPx, s.
 * @param {number} widthPx axis length, px.
 * @returns {number|null} time, s; null on bad input.
 */
export function xToTime(x, start, end, widthPx) {
  if (!isNum(x) || !validSpan(start, end, widthPx)) return null;
  return start + (x / widthPx) * (end - start);
}

// ---------------------------------------------------------------- frequency

/**
 * Format a frequency: "50 Hz", "440 Hz", "1 kHz", "1.5 kHz", "12.5 kHz".
 * Rounded to whole Hz from 10 Hz up, to three significant digits below.
 * @param {number} f frequency, Hz.
 * @returns {string} the label; "–" if not finite.
 */
export function formatHz(f) {
  if (!isNum(f)) return NO_VALUE;
  const a = Math.abs(f);
  const r = a < 10 ? Number(a.toPrecision(3)) : Math.round(a);
  const sign = f < 0 && r > 0 ? '-' : '';
  // Rounding happens before choosing the unit so 999.7 reads "1 kHz".
  if (r < 1000) return `${sign}${r} Hz`;
  return `${sign}${Number((r / 1000).toFixed(3))} kHz`;
}

// ---------------------------------------------------------------- frequency scale

/** The scale of a view ({fmin, fmax, scale}): 'log' unless it says 'linear'. A frequency
 * axis is spaced as Python's workers.rows.SCALES: 'log' (equal ratios take equal heights, the
 * default) or 'linear' (equal Hz take equal heights). */
export function scaleOf(view) {
  return view && view.scale === 'linear' ? 'linear' : 'log';
}

/** Where frequency `f` (Hz) lies along an axis of `scale`, in the axis' own unit (ln Hz or
 * Hz): equal steps of it take equal heights. */
export function axisPosition(f, scale) {
  return scale === 'linear' ? f : Math.log(f);
}

/** Inverse of axisPosition. */
export function axisFrequency(u, scale) {
  return scale === 'linear' ? u : Math.exp(u);
}

/** How far frequency `to` lies above `from` (Hz) along an axis of `scale`, in the axis'
 * unit: axisPosition(to) - axisPosition(from), but from their ratio on a log axis, so that
 * it is exactly 0 and exactly the whole span at the ends. */
export function axisDistance(from, to, scale) {
  return scale === 'linear' ? to - from : Math.log(to / from);
}

/**
 * Map a frequency to a vertical position on the view's frequency axis, fmax at the top.
 * @param {number} f frequency, Hz (> 0).
 * @param {{fmin: number, fmax: number, scale?: string}} view fmin at y = heightPx, fmax
 *   at y = 0 (Hz, 0 < fmin < fmax); scale 'log' (the default) or 'linear'.
 * @param {number} heightPx axis length, px.
 * @returns {number|null} y in px from the top; null on bad input.
 */
export function freqToY(f, view, heightPx) {
  if (!(f > 0) || !isNum(f) || !view || !validSpan(view.fmin, view.fmax, heightPx)) return null;
  const { fmin, fmax } = view;
  if (!(fmin > 0)) return null;
  const scale = scaleOf(view);
  return (axisDistance(f, fmax, scale) / axisDistance(fmin, fmax, scale)) * heightPx;
}

/**
 * Inverse of freqToY.
 * @param {number} y position, px from the top.
 * @param {{fmin: number, fmax: number, scale?: string}} view as for freqToY.
 * @param {number} heightPx axis length, px.
 * @returns {number|null} frequency, Hz; null on bad input or where a linear axis, continued
 *   below its fmin, reaches 0 Hz.
 */
export function yToFreq(y, view, heightPx) {
  if (!isNum(y) || !view || !validSpan(view.fmin, view.fmax, heightPx) || !(view.fmin > 0)) {
    return null;
  }
  const { fmin, fmax } = view;
  const down = y / heightPx;
  const f = scaleOf(view) === 'linear' ? fmax - down * (fmax - fmin)
    : fmax * Math.exp(-down * Math.log(fmax / fmin));
  return f > 0 ? f : null;
}

/**
 * The centre frequency of row `row` of an image or slice of `rows` rows spanning the view's
 * axis, row 0 at fmin: evenly spaced on its scale, as workers.rows.row_frequencies.
 * @param {{fmin: number, fmax: number, scale?: string}} view Hz.
 * @returns {number} Hz (fmin for a single row).
 */
export function rowFrequency(view, row, rows) {
  const scale = scaleOf(view);
  const low = axisPosition(view.fmin, scale);
  const share = rows > 1 ? row / (rows - 1) : 0;
  return axisFrequency(low + share * (axisPosition(view.fmax, scale) - low), scale);
}

/**
 * Log-spaced candidates: mantissas x 10^k inside [fmin, fmax], keeping only
 * decades k divisible by kStride.
 */
function decadeTicks(fmin, fmax, mantissas, kStride) {
  const out = [];
  const k0 = Math.floor(Math.log10(fmin));
  const k1 = Math.ceil(Math.log10(fmax));
  for (let k = Math.ceil(k0 / kStride) * kStride; k <= k1 && out.length <= MAX_TICKS; k += kStride) {
    for (const m of mantissas) {
      const f = decadeValue(m, k);
      if (f >= fmin * (1 - 1e-12) && f <= fmax * (1 + 1e-12)) out.push(f);
    }
  }
  return out;
}

/** Multiples of num/den inside [fmin, fmax] (zoomed-in, nearly linear view). */
function linearTicks(fmin, fmax, num, den) {
  const out = [];
  for (let i = Math.ceil((fmin * den) / num - 1e-9); out.length <= MAX_TICKS; i++) {
    const f = (i * num) / den;
    if (f > fmax * (1 + 1e-12)) break;
    // Guards against huge i where i * step stops advancing.
    if (out.length && f <= out[out.length - 1]) break;
    // The first candidate may lie below fmin when fmin is a billionth of the step.
    if (f >= fmin * (1 - 1e-12)) out.push(f);
  }
  return out;
}

/**
 * Evenly spaced ticks: majors at the smallest nice step of at least `minStep` Hz, minors
 * subdividing it (1 -> 0.2, 2 -> 0.5, 5 -> 1) where `minorGapPx(step)`, the closest two
 * minors `step` Hz apart come on the axis, is at least `minorSpacing` px.
 */
function evenTicks(fmin, fmax, minStep, minorSpacing, minorGapPx) {
  // Labels resolve whole Hz from 10 Hz up (see formatHz); below that a 0.01 Hz floor
  // keeps three significant digits enough down to 1 Hz.
  const lin = niceStep(Math.max(minStep, fmax >= 10 ? 1 : 0.01));
  if (!lin) return { major: [], minor: [] };
  const major = linearTicks(fmin, fmax, lin.num, lin.den);
  const div = lin.m === 2 ? 4 : 5;
  const majorSet = new Set(major);
  const minor = minorGapPx(lin.num / lin.den / div) >= minorSpacing
    ? linearTicks(fmin, fmax, lin.num, lin.den * div).filter((f) => !majorSet.has(f))
    : [];
  return { major, minor };
}

/**
 * Choose major and minor tick frequencies on a log axis. Two families compete and the
 * one giving more labelled ticks wins: 1-2-5 x 10^k (wide views, the usual case) and
 * evenly spaced multiples (zoomed views, where a log axis is nearly linear and
 * 1-2-5 x 10^k would leave it bare).
 */
function pickLogTicks(fmin, fmax, heightPx, minSpacingPx, minorSpacing) {
  const pxPerDecade = heightPx / Math.log10(fmax / fmin);

  // Log family. Closest pairs: 1-2 and 5-10 are log10(2) decades apart;
  // among 1..9 it is 9-10, log10(10/9).
  let logMajor;
  let logMinor = [];
  if (pxPerDecade * Math.log10(2) >= minSpacingPx) {
    logMajor = decadeTicks(fmin, fmax, [1, 2, 5], 1);
  } else if (pxPerDecade >= minSpacingPx) {
    logMajor = decadeTicks(fmin, fmax, [1], 1);
  } else {
    const stride = niceStep(minSpacingPx / pxPerDecade);
    // Decade strides are whole numbers (1, 2, 5, 10 ...) since x >= 1 here.
    logMajor = stride ? decadeTicks(fmin, fmax, [1], stride.num / stride.den) : [];
  }
  if (pxPerDecade >= minSpacingPx && pxPerDecade * Math.log10(10 / 9) >= minorSpacing) {
    const major = new Set(logMajor);
    logMinor = decadeTicks(fmin, fmax, [1, 2, 3, 4, 5, 6, 7, 8, 9], 1).filter((f) => !major.has(f));
  }

  // Linear family. Log compression makes the top pair the closest one, so the step must
  // give >= minSpacingPx between fmax - step and fmax.
  const pxPerLn = heightPx / Math.log(fmax / fmin);
  const even = evenTicks(fmin, fmax, fmax * -Math.expm1(-minSpacingPx / pxPerLn), minorSpacing,
    (step) => pxPerLn * Math.log(fmax / (fmax - step)));
  return even.major.length <= logMajor.length ? { major: logMajor, minor: logMinor } : even;
}

/**
 * Ticks for the view's frequency axis, fmax at the top. Labelled major ticks are at least
 * minSpacingPx apart; unlabelled minor ticks (e.g. 1..9 x 10^k) are added only where they
 * fit. A linear axis has evenly spaced ticks; a log one 1-2-5 x 10^k, or evenly spaced ones
 * where it is zoomed in so far that it is nearly linear.
 * @param {{fmin: number, fmax: number, scale?: string}} view frequencies at the bottom and
 *   the top, Hz (0 < fmin < fmax), and the scale ('log', the default, or 'linear').
 * @param {number} heightPx axis length, px.
 * @param {number} [minSpacingPx=22] minimum distance between labelled ticks, px.
 * @returns {{f: number, y: number, label: string, major: boolean}[]}
 *   sorted by ascending f; y in px from the top; label "" for minor ticks; [] on bad input.
 */
export function freqTicks(view, heightPx, minSpacingPx = 22) {
  if (!view) return [];
  const { fmin, fmax } = view;
  if (!validSpan(fmin, fmax, heightPx) || !(fmin > 0) || !isNum(fmax / fmin)) return [];
  if (!(minSpacingPx > 0) || !isNum(minSpacingPx)) return [];
  // Minor ticks are unlabelled lines: they only need to stay distinguishable.
  const minorSpacing = Math.max(3, minSpacingPx / 4);
  const pxPerHz = heightPx / (fmax - fmin);
  const { major, minor } = scaleOf(view) === 'linear'
    ? evenTicks(fmin, fmax, minSpacingPx / pxPerHz, minorSpacing, (step) => step * pxPerHz)
    : pickLogTicks(fmin, fmax, heightPx, minSpacingPx, minorSpacing);
  const ticks = [
    ...major.map((f) => ({ f, major: true, label: formatHz(f) })),
    ...minor.map((f) => ({ f, major: false, label: '' })),
  ];
  ticks.sort((a, b) => a.f - b.f);
  return ticks.slice(0, MAX_TICKS).map((t) => ({ ...t, y: freqToY(t.f, view, heightPx) }));
}

// ---------------------------------------------------------------- notes

/**
 * Nearest equal-tempered note (A4 = 440 Hz) and the offset from it.
 * @param {number} f frequency, Hz.
 * @returns {{name: string, cents: number}|null} e.g. {name: "A4", cents: 0};
 *   cents is an integer in -50..+50; null if f is not a positive finite number.
 */
export function noteName(f) {
  if (!(f > 0) || !isNum(f)) return null;
  const semis = 12 * Math.log2(f / 440);
  const nearest = Math.round(semis);
  const cents = Math.round((semis - nearest) * 100) + 0; // + 0 turns -0 into 0
  const midi = 69 + nearest;
  const pitchClass = ((midi % 12) + 12) % 12;
  const octave = Math.floor(midi / 12) - 1;
  return { name: `${NOTE_NAMES[pitchClass]}${octave}`, cents };
}

/**
 * Note name with cents, for the cursor readout.
 * @param {number} f frequency, Hz.
 * @returns {string} e.g. "A4 +0¢", "C#5 -12¢"; "–" if f has no note.
 */
export function formatNote(f) {
  const n = noteName(f);
  if (!n) return NO_VALUE;
  return `${n.name} ${n.cents < 0 ? '-' : '+'}${Math.abs(n.cents)}\u00a2`;
}
