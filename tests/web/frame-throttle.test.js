import { test } from 'node:test';
import assert from 'node:assert/strict';

import { frameThrottle } from '../../web/frame-throttle.js';

/** A frame clock the test advances by hand. */
function fakeFrames() {
  const pending = new Map();
  let next = 1;
  return {
    request: (cb) => { pending.set(next, cb); return next++; },
    cancel: (id) => pending.delete(id),
    tick() {
      const due = [...pending.values()];
      pending.clear();
      for (const cb of due) cb();
    },
    get pending() { return pending.size; },
  };
}

test('the first call runs at once', () => {
  const frames = fakeFrames();
  let runs = 0;
  const call = frameThrottle(() => runs++, frames);
  call();
  assert.equal(runs, 1);
});

test('calls in the same frame run once, at the next frame, then the throttle rests', () => {
  const frames = fakeFrames();
  const seen = [];
  let value = 0;
  const call = frameThrottle(() => seen.push(value), frames);
  value = 1; call();
  value = 2; call();
  value = 3; call();
  assert.deepEqual(seen, [1]);
  frames.tick();
  assert.deepEqual(seen, [1, 3]); // the newest value, once
  frames.tick(); // nothing came during that frame
  assert.deepEqual(seen, [1, 3]);
  assert.equal(frames.pending, 0, 'no frame is requested once calls stop');
  value = 4; call(); // a call after a quiet frame runs at once again
  assert.deepEqual(seen, [1, 3, 4]);
});

test('a steady stream runs once per frame', () => {
  const frames = fakeFrames();
  let runs = 0;
  const call = frameThrottle(() => runs++, frames);
  for (let frame = 0; frame < 10; frame++) {
    for (let i = 0; i < 5; i++) call();
    frames.tick();
  }
  assert.equal(runs, 11); // the first at once, then one per frame
});

test('dispose cancels a deferred call and leaves no frame requested', () => {
  const frames = fakeFrames();
  let runs = 0;
  const call = frameThrottle(() => runs++, frames);
  call();
  call();
  call.dispose();
  assert.equal(frames.pending, 0);
  frames.tick();
  assert.equal(runs, 1);
});
