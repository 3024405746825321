import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatTime, timeTicks, formatHz, freqTicks, freqToY, yToFreq,
  timeToX, xToTime, noteName, formatNote,
} from '../../web/axes.js';

const close = (a, b, tol = 1e-9) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

test('formatTime', () => {
  assert.equal(formatTime(83.5), '1:23.500');
  assert.equal(formatTime(0), '0:00.000');
  assert.equal(formatTime(-1), '-0:01.000');
  assert.equal(formatTime(3723), '1:02:03.000');
  assert.equal(formatTime(59.9996), '1:00.000'); // carries, never "0:60.000"
  assert.equal(formatTime(-0.0001), '0:00.000'); // no "-0"
  assert.equal(formatTime(83, 1), '1:23');
  assert.equal(formatTime(3600, 1800), '1:00:00');
  assert.equal(formatTime(83.5, 0.5), '1:23.500');
  for (const bad of [NaN, Infinity, -Infinity, undefined, null, '3']) {
    assert.equal(formatTime(bad), '\u2013');
  }
});

/** Checks every invariant a time tick list must satisfy. */
function checkTimeTicks(start, end, width, minSpacing = 90) {
  const ticks = timeTicks(start, end, width, minSpacing);
  assert.ok(ticks.length <= width / minSpacing + 1, `too many ticks for ${start}..${end}`);
  for (const [i, t] of ticks.entries()) {
    assert.ok(t.t >= start - 1e-9 && t.t <= end + 1e-9, `tick ${t.t} outside ${start}..${end}`);
    assert.ok(t.x >= -1e-6 && t.x <= width + 1e-6);
    assert.ok(close(t.x, timeToX(t.t, start, end, width)));
    assert.equal(typeof t.label, 'string');
    if (i > 0) {
      const prev = ticks[i - 1];
      assert.ok(t.t > prev.t, 'times increase');
      assert.ok(t.x - prev.x >= minSpacing - 1e-6, `spacing ${t.x - prev.x} < ${minSpacing}`);
      assert.notEqual(t.label, prev.label);
    }
  }
  return ticks;
}

test('timeTicks: nice steps, spacing, range, monotonic', () => {
  const ticks = checkTimeTicks(0, 10, 800);
  assert.deepEqual(ticks.map((t) => t.t), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks.map((t) => t.label), ['0:00', '0:02', '0:04', '0:06', '0:08', '0:10']);

  const fine = checkTimeTicks(12.3, 12.5, 900);
  assert.equal(fine[0].label, '0:12.300');
  assert.equal(fine[1].t, 12.32); // exact multiples, no 12.319999...

  const hours = checkTimeTicks(0, 3 * 3600, 1000);
  assert.deepEqual(hours.slice(0, 3).map((t) => t.label), ['0:00', '30:00', '1:00:00']);

  const allowed = new Set([10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600]);
  for (const [start, end, width, spacing] of [
    [0, 1, 1000], [0, 0.01, 1000], [-1, 1, 500], [3.217, 97.6, 1234], [0, 600, 700],
    [100, 5000, 640, 60], [0, 86400, 1920], [0, 1e-6, 800], [5, 6, 3],
  ]) {
    const t = checkTimeTicks(start, end, width, spacing);
    if (t.length > 1) {
      const step = t[1].t - t[0].t;
      const mant = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      const ok = step < 10 ? [1, 2, 5].some((m) => close(mant, m, 1e-6)) : allowed.has(Math.round(step)) || step % 3600 === 0;
      assert.ok(ok, `step ${step} is not nice`);
    }
  }
});

test('timeTicks: bad input gives [] without throwing', () => {
  for (const args of [
    [0, 0, 800], [10, 5, 800], [0, 10, 0], [0, 10, -5], [NaN, 10, 800], [0, Infinity, 800],
    [0, 10, NaN], [0, 10, 800, 0], [0, 10, 800, -1], [0, 10, 800, NaN], [0, 1, 1e-320],
    [-Infinity, Infinity, 800], [-1e308, 1e308, 800],
  ]) {
    assert.deepEqual(timeTicks(...args), [], JSON.stringify(args));
  }
  // Absurd but valid input stays bounded.
  assert.ok(timeTicks(0, 1, 1e12, 1).length <= 1000);
  assert.ok(timeTicks(1e20, 1e20 + 1e6, 800).length <= 10);
});

test('timeToX / xToTime are inverse', () => {
  assert.equal(timeToX(5, 0, 10, 200), 100);
  assert.equal(xToTime(100, 0, 10, 200), 5);
  for (const t of [-3, 0, 1.234, 7.5, 12]) assert.ok(close(xToTime(timeToX(t, 1, 9, 640), 1, 9, 640), t));
  assert.equal(timeToX(1, 5, 5, 100), null);
  assert.equal(timeToX(NaN, 0, 5, 100), null);
  assert.equal(xToTime(10, 0, 5, 0), null);
  assert.equal(xToTime(Infinity, 0, 5, 100), null);
});

test('formatHz', () => {
  assert.equal(formatHz(50), '50 Hz');
  assert.equal(formatHz(440), '440 Hz');
  assert.equal(formatHz(440.4), '440 Hz'); // whole Hz from 10 Hz up
  assert.equal(formatHz(1000), '1 kHz');
  assert.equal(formatHz(999.7), '1 kHz');
  assert.equal(formatHz(1500), '1.5 kHz');
  assert.equal(formatHz(12500), '12.5 kHz');
  assert.equal(formatHz(2.5), '2.5 Hz');
  assert.equal(formatHz(0.125), '0.125 Hz');
  assert.equal(formatHz(0), '0 Hz');
  assert.equal(formatHz(NaN), '\u2013');
  assert.equal(formatHz(Infinity), '\u2013');
});

const v = (fmin, fmax, scale) => ({ fmin, fmax, scale });

test('freqToY / yToFreq: log mapping from the top, inverse of each other', () => {
  const view = v(20, 20000);
  assert.equal(freqToY(20000, view, 600), 0);
  assert.ok(close(freqToY(20, view, 600), 600));
  assert.ok(close(freqToY(632.455532, view, 600), 300, 1e-6)); // geometric mean sits mid-way
  assert.equal(freqToY(632.455532, v(20, 20000, 'log'), 600), freqToY(632.455532, view, 600));
  for (const f of [20, 55, 440, 1000, 19999]) assert.ok(close(yToFreq(freqToY(f, view, 512), view, 512), f));
  for (const y of [0, 1, 256.5, 512]) assert.ok(close(freqToY(yToFreq(y, view, 512), view, 512), y, 1e-9));
  for (const [f, fmin, fmax, h] of [[0, 20, 20000, 512], [-5, 20, 20000, 512], [NaN, 20, 20000, 512],
    [100, 0, 20000, 512], [100, 20000, 20, 512], [100, 20, 20, 512], [100, 20, 20000, 0],
    [100, 20, Infinity, 512]]) {
    for (const scale of ['log', 'linear']) {
      assert.equal(freqToY(f, v(fmin, fmax, scale), h), null, JSON.stringify([f, fmin, fmax, h, scale]));
    }
  }
  assert.equal(freqToY(100, null, 512), null);
  assert.equal(yToFreq(NaN, view, 512), null);
  assert.equal(yToFreq(10, v(-1, 20000), 512), null);
  assert.equal(yToFreq(10, null, 512), null);
});

test('freqToY / yToFreq: linear mapping, the arithmetic mean mid-way; 0 Hz and below is null', () => {
  const view = v(20, 20020, 'linear');
  assert.equal(freqToY(20020, view, 600), 0);
  assert.equal(freqToY(20, view, 600), 600);
  assert.equal(freqToY(10020, view, 600), 300);
  assert.equal(freqToY(5020, view, 600), 450);
  for (const f of [20, 55, 440, 1000, 19999]) assert.ok(close(yToFreq(freqToY(f, view, 512), view, 512), f));
  assert.equal(yToFreq(300, view, 600), 10020);
  assert.equal(yToFreq(600 * 1.002, view, 600), null); // 0 Hz lies 1/1000 of the height below
  assert.ok(close(yToFreq(600 * 1.0005, view, 600), 10)); // a little below fmin is still a frequency
});

/** Checks every invariant a frequency tick list must satisfy. */
function checkFreqTicks(fmin, fmax, height, minSpacing = 22, scale = 'log') {
  const view = v(fmin, fmax, scale);
  const ticks = freqTicks(view, height, minSpacing);
  const majors = ticks.filter((t) => t.major);
  for (const [i, t] of ticks.entries()) {
    assert.ok(t.f >= fmin * (1 - 1e-9) && t.f <= fmax * (1 + 1e-9), `tick ${t.f} outside ${fmin}..${fmax}`);
    assert.ok(t.y >= -1e-6 && t.y <= height + 1e-6);
    assert.ok(close(t.y, freqToY(t.f, view, height)));
    assert.equal(t.label === '', !t.major);
    if (i > 0) {
      assert.ok(t.f > ticks[i - 1].f, 'frequencies increase');
      assert.ok(t.y < ticks[i - 1].y, 'y decreases (higher frequencies on top)');
    }
  }
  for (let i = 1; i < majors.length; i++) {
    const gap = majors[i - 1].y - majors[i].y;
    assert.ok(gap >= minSpacing - 1e-6, `${fmin}..${fmax}: major spacing ${gap} < ${minSpacing}`);
    assert.notEqual(majors[i].label, majors[i - 1].label);
  }
  return ticks;
}

test('freqTicks: 1-2-5 majors, minors where they fit, no overlaps', () => {
  const ticks = checkFreqTicks(20, 20000, 512);
  assert.deepEqual(
    ticks.filter((t) => t.major).map((t) => t.label),
    ['20 Hz', '50 Hz', '100 Hz', '200 Hz', '500 Hz', '1 kHz', '2 kHz', '5 kHz', '10 kHz', '20 kHz'],
  );
  assert.ok(ticks.some((t) => !t.major && t.f === 300), 'minor tick at 300 Hz');

  // Too short for 1-2-5: decades only, and no minors.
  const short = checkFreqTicks(20, 24000, 200);
  assert.deepEqual(short.map((t) => t.f), [100, 1000, 10000]);

  // Zoomed in: evenly spaced labels instead of a bare axis.
  const zoom = checkFreqTicks(1000, 1100, 500);
  assert.ok(zoom.filter((t) => t.major).length >= 5);

  for (const [fmin, fmax, h, s] of [
    [1, 24000, 900], [0.5, 22050, 900], [100, 300, 500], [5, 12, 400], [20, 20000, 50],
    [30, 16000, 1080, 40], [1e-6, 1e6, 300], [1, 1.0000001, 500], [440, 441, 2000], [20, 20000, 1e6, 1],
  ]) {
    checkFreqTicks(fmin, fmax, h, s);
    checkFreqTicks(fmin, fmax, h, s, 'linear');
  }
});

test('freqTicks: a linear axis has evenly spaced majors and minors between them', () => {
  const ticks = checkFreqTicks(20, 22050, 900, 22, 'linear');
  const majors = ticks.filter((t) => t.major);
  // 22 px is 539 Hz here: majors every 1 kHz (from 1 kHz), minors every 200 Hz (8 px).
  assert.deepEqual(majors.map((t) => t.f), Array.from({ length: 22 }, (_, i) => 1000 * (i + 1)));
  assert.deepEqual(majors.slice(0, 2).map((t) => t.label), ['1 kHz', '2 kHz']);
  assert.ok(ticks.some((t) => !t.major && t.f === 200) && ticks.some((t) => !t.major && t.f === 1400));
  const gaps = majors.slice(1).map((t, i) => majors[i].y - t.y);
  assert.ok(gaps.every((g) => close(g, gaps[0], 1e-9)), 'equal Hz, equal heights');
});

test('freqTicks: bad input gives [] without throwing', () => {
  for (const [fmin, fmax, h, s] of [
    [0, 20000, 512], [-20, 20000, 512], [20000, 20, 512], [440, 440, 512], [20, 20000, 0],
    [20, 20000, -1], [NaN, 20000, 512], [20, Infinity, 512], [20, 20000, NaN], [20, 20000, 512, 0],
    [20, 20000, 512, -3], [1e-300, 1e300, 100],
  ]) {
    for (const scale of ['log', 'linear']) {
      assert.deepEqual(freqTicks(v(fmin, fmax, scale), h, s), [], JSON.stringify([fmin, fmax, h, s, scale]));
    }
  }
  assert.deepEqual(freqTicks(null, 512), []);
  assert.ok(freqTicks(v(1e-300, 1e-290), 1e9, 1).length <= 1000);
  assert.ok(Array.isArray(freqTicks(v(20, 20000), 1e-300)));
});

test('noteName: nearest equal-tempered note, A4 = 440 Hz', () => {
  assert.deepEqual(noteName(440), { name: 'A4', cents: 0 });
  assert.deepEqual(noteName(261.63), { name: 'C4', cents: 0 });
  assert.deepEqual(noteName(466.16 * 2 ** (10 / 1200)), { name: 'A#4', cents: 10 });
  assert.deepEqual(noteName(27.5), { name: 'A0', cents: 0 });
  assert.deepEqual(noteName(16.3516), { name: 'C0', cents: 0 });
  assert.deepEqual(noteName(440 * 2 ** (-30 / 1200)), { name: 'A4', cents: -30 });
  const c = noteName(440 * 2 ** (49.9 / 1200)).cents;
  assert.ok(c >= -50 && c <= 50);
  for (const bad of [0, -440, NaN, Infinity, undefined]) assert.equal(noteName(bad), null);
});

test('formatNote', () => {
  assert.equal(formatNote(440), 'A4 +0\u00a2');
  assert.equal(formatNote(554.365 * 2 * 2 ** (-12 / 1200)), 'C#6 -12\u00a2');
  assert.equal(formatNote(523.25 * 2 ** (-12 / 1200)), 'C5 -12\u00a2');
  assert.equal(formatNote(0), '\u2013');
});
