// Axis labels as DOM elements, laid out from the pure tick functions in axes.js.
// DOM text (not canvas text) stays crisp at any scale and can be read by tests.

import { timeTicks, freqTicks, formatTime } from './axes.js';

function tick(className, text, position, property) {
  const element = document.createElement('div');
  element.className = className;
  element.textContent = text;
  element.style[property] = `${position}px`;
  return element;
}

/** Fill `container` with time labels for [start, end); the end of the span is labelled too. */
export function renderTimeAxis(container, start, end) {
  const width = container.clientWidth;
  const ticks = timeTicks(start, end, width);
  const elements = ticks
    .filter((t) => t.x < width - 70) // leave room for the end label
    .map((t) => tick('tick', t.label, t.x, 'left'));
  if (end > start) elements.push(tick('tick edge-end', formatTime(end), width, 'left'));
  container.replaceChildren(...elements);
}

/** Fill `container` with frequency labels for the view's [fmin, fmax] on its scale (log or
 * linear), fmax at the top. */
export function renderFreqAxis(container, view) {
  const ticks = freqTicks(view, container.clientHeight);
  container.replaceChildren(...ticks.map((t) =>
    tick(t.major ? 'tick' : 'tick minor', t.major ? t.label : '', t.y, 'top')));
}
