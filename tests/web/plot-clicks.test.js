import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLICK_SLOP, isClick, listenForClicks } from '../../web/plot-clicks.js';
import { Counted } from './fake-element.js';

function fire(element, type, x, y) {
  const event = new Event(type);
  Object.assign(event, { clientX: x, clientY: y });
  element.dispatchEvent(event);
}

test('a press and release less than CLICK_SLOP apart is a click; a drag, or no press, is not', () => {
  assert.ok(isClick({ x: 10, y: 10 }, 10, 10));
  assert.ok(isClick({ x: 10, y: 10 }, 10 + CLICK_SLOP - 0.5, 10));
  assert.ok(!isClick({ x: 10, y: 10 }, 10 + CLICK_SLOP, 10));
  assert.ok(!isClick(null, 10, 10));
});

test('listenForClicks reports clicks, not the click that ends a drag, and unlistens', () => {
  const element = new Counted();
  const clicks = [];
  const unlisten = listenForClicks(element, (event) => clicks.push([event.clientX, event.clientY]));
  fire(element, 'click', 5, 5); // no press seen: not ours
  fire(element, 'pointerdown', 100, 50);
  fire(element, 'click', 101, 51);
  fire(element, 'pointerdown', 100, 50);
  fire(element, 'click', 140, 50); // a pan
  assert.deepEqual(clicks, [[101, 51]]);
  unlisten();
  assert.equal(element.listeners, 0);
  fire(element, 'pointerdown', 100, 50);
  fire(element, 'click', 100, 50);
  assert.equal(clicks.length, 1);
});
