import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnSpan, decodeEnvelope, harmonicMarks, labelledPeaks, peakLabel }
  from '../../web/measure-math.js';
import { singleFlight } from '../../web/single-flight.js';

const view = { start: 0, end: 2, fmin: 100, fmax: 1000 };

test('harmonic marks: 2f, 3f ... inside the view, on the log axis', () => {
  const marks = harmonicMarks(110, view, 100);
  assert.deepEqual(marks.map((m) => m.k), [2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(Math.abs(marks.find((m) => m.k === 2).y - 100 * Math.log10(1000 / 220)) < 1e-9);
  assert.deepEqual(harmonicMarks(600, view, 100), []);
  assert.deepEqual(harmonicMarks(NaN, view, 100), []);
  assert.deepEqual(harmonicMarks(-5, view, 100), []);
  assert.equal(harmonicMarks(1, { fmin: 1, fmax: 1e6 }, 100).length, 15); // up to 16f
});

test('peak labels: Hz to a tenth and the note; the loudest kept where two would overlap', () => {
  assert.equal(peakLabel(440.04), '440.0 Hz  A4 +0\u00a2');
  assert.equal(peakLabel(1234.5), '1.234 kHz  D#6 -14\u00a2');
  const peaks = [{ frequency: 440, level: -6 }, { frequency: 445, level: -20 },
    { frequency: 880, level: -26 }, { frequency: 5000, level: -30 }];
  const placed = labelledPeaks(peaks, view, 300);
  assert.deepEqual(placed.map((p) => p.frequency), [440, 880]); // 445 too close, 5 kHz outside
  assert.ok(placed.every((p) => p.label && p.y >= 0 && p.y <= 300));
});

test('the envelope decodes from little-endian int16 pairs and refuses a wrong length', () => {
  const bytes = new Uint8Array([0x01, 0x80, 0xff, 0x7f, 0x00, 0x00, 0x10, 0x00]);
  const base64 = btoa(String.fromCharCode(...bytes));
  assert.deepEqual([...decodeEnvelope(base64, 2)], [-32767, 32767, 0, 16]);
  assert.equal(decodeEnvelope(base64, 3), null);
});

test('a column of an older envelope lands where its time is in the new view', () => {
  assert.deepEqual(columnSpan(0, 4, 0, 2, view, 400), [0, 100]);
  assert.deepEqual(columnSpan(1, 4, 0, 2, { ...view, start: 0.5, end: 1.5 }, 400), [0, 200]);
});

test('single flight: one call at a time, the newest arguments next, nothing after dispose', async () => {
  const sent = [];
  const received = [];
  const answers = [];
  const request = singleFlight((x) => {
    sent.push(x);
    return new Promise((resolve) => answers.push(() => resolve(x * 10)));
  }, (reply) => received.push(reply));
  request(1);
  request(2);
  request(3); // replaces 2
  assert.deepEqual(sent, [1]);
  answers.shift()();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(sent, [1, 3]);
  assert.deepEqual(received, [10]);
  request.dispose();
  answers.shift()();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(received, [10]);
});
