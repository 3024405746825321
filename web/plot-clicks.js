// Clicks on an element that also takes drags (the plot pans under the hand): the browser
// fires 'click' after a drag too, so a click is a press and release less than CLICK_SLOP
// apart. The one home of that rule, for every part of the page a click on the plot serves.

import { listenAll } from './listen.js';

/** A press and release closer than this, CSS px, is a click rather than a stroke or a drag. */
export const CLICK_SLOP = 3;

/** Whether a release at (x, y) after a press at `press` ({x, y}, CSS px) is a click. */
export function isClick(press, x, y) {
  return Boolean(press) && Math.hypot(x - press.x, y - press.y) < CLICK_SLOP;
}

/**
 * Call `onClick(event)` for each click on `element` that ends no drag.
 * @param {EventTarget} element
 * @param {(event: MouseEvent) => void} onClick
 * @returns {() => void} removes the listeners
 */
export function listenForClicks(element, onClick) {
  let pressed = null;
  return listenAll(element, [
    ['pointerdown', (event) => { pressed = { x: event.clientX, y: event.clientY }; }],
    ['click', (event) => { if (isClick(pressed, event.clientX, event.clientY)) onClick(event); }],
  ]);
}
