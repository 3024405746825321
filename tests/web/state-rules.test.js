import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNewFile, isStale, nextSelection, tracesChanged, viewLimits } from '../../web/state-rules.js';

test('a state older than the one shown is stale; the same or newer is not', () => {
  assert.ok(isStale({ revision: 5 }, { revision: 4 }));
  assert.ok(!isStale({ revision: 5 }, { revision: 5 }));
  assert.ok(!isStale({ revision: 5 }, { revision: 6 }));
  assert.ok(!isStale(null, { revision: 0 }), 'the first state is always taken');
});

test('a new file: none before, none now, or another overview', () => {
  const file = (key) => ({ overview: { key } });
  assert.ok(isNewFile(null, file('a')));
  assert.ok(isNewFile({ overview: null }, file('a')));
  assert.ok(isNewFile(file('a'), { overview: null }));
  assert.ok(isNewFile(file('a'), file('b')));
  assert.ok(!isNewFile(file('a'), file('a')));
});

test('traces change with the partials version or the selection', () => {
  const s = (partialsVersion, selection) => ({ partialsVersion, selection });
  assert.ok(!tracesChanged(s(1, [2]), s(1, [2])));
  assert.ok(tracesChanged(s(1, [2]), s(2, [2])));
  assert.ok(tracesChanged(s(1, [2]), s(1, [2, 3])));
});

test('the view limits are the overview view, none without a file', () => {
  assert.equal(viewLimits(null), null);
  assert.equal(viewLimits({ overview: null }), null);
  assert.deepEqual(viewLimits({ overview: { view: { start: 0, end: 20, fmin: 20, fmax: 22050 } } }),
    { duration: 20, nyquist: 22050, minFreq: 20 });
});

test('a click selects the partial alone; additive toggles it; on none clears unless additive', () => {
  assert.deepEqual(nextSelection([1, 2], 3, false), [3]);
  assert.deepEqual(nextSelection([1, 2], 3, true), [1, 2, 3]);
  assert.deepEqual(nextSelection([1, 2], 2, true), [1]);
  assert.deepEqual(nextSelection([1, 2], null, false), []);
  assert.deepEqual(nextSelection([1, 2], null, true), [1, 2]);
});
