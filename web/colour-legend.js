// The colour scale beside the viewport: the colour map from the floor of the levels (bottom)
// to their ceiling (top), labelled in dBFS.

import { fitToDevicePixels } from './device-pixels.js';

/**
 * Tick levels for a legend `heightPx` tall spanning [floor, ceiling] dBFS: multiples of 5,
 * 10 or 20 dB, at least `minSpacingPx` apart, with their y (0 at the top).
 * @returns {{db: number, y: number}[]}
 */
export function legendTicks(floor, ceiling, heightPx, minSpacingPx = 24) {
  const span = ceiling - floor;
  if (!(span > 0) || !(heightPx > 0)) return [];
  const step = [5, 10, 20, 50].find((s) => (s / span) * heightPx >= minSpacingPx) ?? span;
  const ticks = [];
  for (let db = Math.ceil(floor / step) * step; db <= ceiling; db += step) {
    ticks.push({ db, y: ((ceiling - db) / span) * heightPx });
  }
  return ticks;
}

/**
 * Draw the legend: `canvas` filled with `lut` (256*4 RGBA, the colour map) bottom to top,
 * `axis` with the tick labels.
 * @param {{floor: number, ceiling: number}|null} levels null: no file, the legend is empty
 */
export function renderLegend(canvas, axis, lut, levels) {
  fitToDevicePixels(canvas);
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (!levels) {
    axis.replaceChildren();
    return;
  }
  for (let y = 0; y < canvas.height; y++) {
    const byte = Math.round((1 - y / Math.max(1, canvas.height - 1)) * 255);
    context.fillStyle = `rgb(${lut[byte * 4]}, ${lut[byte * 4 + 1]}, ${lut[byte * 4 + 2]})`;
    context.fillRect(0, y, canvas.width, 1);
  }
  axis.replaceChildren(...legendTicks(levels.floor, levels.ceiling, axis.clientHeight)
    .map(({ db, y }) => {
      const tick = document.createElement('div');
      tick.className = 'tick';
      tick.textContent = String(db);
      tick.style.top = `${y}px`;
      return tick;
    }));
}
