import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitTime, trackSettingsFrom, TRACK_DEFAULTS } from '../../web/track-region.js';

test('empty settings fields take the defaults; the rest are sent as typed for Python to check', () => {
  assert.deepEqual(trackSettingsFrom({ thresholdDb: '', minDurationMs: ' ', maxPartials: '' }), TRACK_DEFAULTS);
  assert.deepEqual(trackSettingsFrom({ thresholdDb: '24', minDurationMs: '80', maxPartials: '10' }),
    { thresholdDb: 24, minDurationMs: 80, maxPartials: 10 });
  assert.ok(Number.isNaN(trackSettingsFrom({ thresholdDb: 'loud', minDurationMs: '', maxPartials: '' }).thresholdDb));
});

test('a split cuts under the mouse, else at the playback cursor', () => {
  assert.equal(splitTime(1.5, 3), 1.5);
  assert.equal(splitTime(null, 3), 3);
  assert.equal(splitTime(null, null), null);
});
