import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeTask, withoutRepeats } from '../../web/progress-panel.js';

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

test('finished tasks that read the same show once, the newest, with its children', () => {
  const task = (id, label, state, parent = null) => ({ ...base, id, label, state, parent });
  const tasks = [
    task(1, 'CWT of 2 s', 'done'),
    task(2, 'Opening a.wav', 'done'), task(3, 'Decoding', 'done', 2),
    task(4, 'CWT of 2 s', 'done'),
    task(5, 'Opening a.wav', 'done'), task(6, 'Decoding', 'done', 5),
    task(7, 'CWT of 2 s', 'running'), task(8, 'CWT of 2 s', 'running'),
    task(9, 'CWT of 2 s', 'cancelled'),
  ];
  assert.deepEqual(withoutRepeats(tasks).map((t) => t.id), [4, 5, 6, 7, 8, 9]);
  assert.deepEqual(withoutRepeats([]), []);
});
