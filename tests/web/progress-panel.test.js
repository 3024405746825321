import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTask } from '../../web/progress-panel.js';

const base = { id: 1, parent: null, label: 'Opening a.wav', total: null, done: 0, state: 'running',
  elapsed: 3.6, rate: 0, eta: null, cancellable: false, message: '', unit: '' };

test('a task reads as what it is and how far along', () => {
  assert.equal(describeTask({ ...base, total: 200, done: 50, rate: 12.3, eta: 12, unit: 'rows' }),
    'Opening a.wav  25%  12.3 rows/s  ETA 0:12');
  assert.equal(describeTask({ ...base, total: 200, done: 50, eta: 0.2 }), 'Opening a.wav  25%');
  assert.equal(describeTask(base), 'Opening a.wav  0:04');
  assert.equal(describeTask({ ...base, done: 2048, rate: 1024, unit: 'bytes' }), 'Opening a.wav  0:04  2.0 KB  1.0 KB/s');
  assert.equal(describeTask({ ...base, state: 'done' }), 'Opening a.wav  done');
  assert.equal(describeTask({ ...base, state: 'cancelled' }), 'Opening a.wav  cancelled');
  assert.equal(describeTask({ ...base, state: 'failed', message: 'disk full' }), 'Opening a.wav  failed: disk full');
});
