import { test } from 'node:test';
import assert from 'node:assert/strict';

import { legendTicks } from '../../web/colour-legend.js';

test('legend ticks are round dB levels, at least the spacing apart, the ceiling at the top', () => {
  const ticks = legendTicks(-80, 0, 300);
  assert.deepEqual(ticks.map((t) => t.db), [-80, -70, -60, -50, -40, -30, -20, -10, 0]);
  assert.equal(ticks.at(-1).y, 0);
  assert.equal(ticks[0].y, 300);
  const coarse = legendTicks(-97.3, -12, 120);
  assert.ok(coarse.every((t, i) => i === 0 || coarse[i - 1].y - t.y >= 24));
  assert.ok(coarse.every((t) => t.db % 20 === 0 && t.db >= -97.3 && t.db <= -12));
  assert.deepEqual(legendTicks(-10, -10, 100), []);
});
