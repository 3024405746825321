import { test } from 'node:test';
import assert from 'node:assert/strict';

import { PointerDrag } from '../../web/pointer-drag.js';
import { FakeElement } from './fake-element.js';

const press = (pointerId, extra = {}) => ({ pointerId, button: 0, isPrimary: true, ...extra });

test('a drag captures its pointer and marks the element until it ends', () => {
  const element = new FakeElement();
  const drags = new PointerDrag(element);
  assert.ok(drags.canStart(press(1)));
  const drag = drags.start(press(1), { x: 5 });
  assert.deepEqual(drag, { pointerId: 1, x: 5 });
  assert.ok(element.captured.has(1));
  assert.equal(element.dataset.dragging, '');
  assert.equal(drags.of(press(1)), drag);
  assert.equal(drags.end(), drag);
  assert.equal(element.captured.size, 0);
  assert.ok(!('dragging' in element.dataset));
  assert.equal(drags.current, null);
});

test('one drag at a time, by the primary button of the primary pointer', () => {
  const drags = new PointerDrag(new FakeElement());
  assert.ok(!drags.canStart(press(1, { button: 2 })));
  assert.ok(!drags.canStart(press(1, { isPrimary: false })));
  drags.start(press(1), {});
  assert.ok(!drags.canStart(press(2)));
});

test("another pointer's events neither read nor end the drag", () => {
  const element = new FakeElement();
  const drags = new PointerDrag(element, 'stroking');
  drags.start(press(1), {}, 'trace');
  assert.equal(element.dataset.stroking, 'trace');
  assert.equal(drags.of(press(2)), null);
  assert.equal(drags.end(press(2)), null);
  assert.ok(drags.current);
  assert.ok(drags.end(press(1)));
  assert.ok(!('stroking' in element.dataset));
});

test('ending after the browser took the capture away does not throw', () => {
  const element = new FakeElement();
  const drags = new PointerDrag(element);
  drags.start(press(3), {});
  element.captured.clear(); // lostpointercapture: the capture is gone already
  assert.ok(drags.end(press(3)));
  assert.equal(drags.end(), null); // and ending twice is harmless
});
