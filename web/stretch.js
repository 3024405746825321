// Where a part of a spectrogram image lies: which source pixels show a given view.
// Used to draw an image computed for one view into another at once (zoom, pan, a
// resized window, another frequency scale) while the exact image for the new view is still
// being computed.

import { freqToY, scaleOf, yToFreq } from './axes.js';

/** Canvas rows per band where an image is drawn into a view of the other frequency scale:
 * the mapping from canvas rows to image rows is curved there, and over so few rows one
 * straight stretch stays within a quarter of a canvas row of it (log rows in a linear view
 * from 100 Hz, at its bottom, where the curve bends most). */
export const BAND_ROWS = 4;

/**
 * Image rows from the top of the drawn image (`height` rows computed for `imageView`, row 0
 * at the lowest frequency, drawn flipped so row 0 is at the bottom) at which frequency `f`
 * (Hz, > 0) lies. Rows are centred on frequencies evenly spaced on the image's scale from
 * fmin (row 0) to fmax (row height-1), as workers.spectrum.render computes them: on the
 * image's axis (freqToY) over its height - 1 row steps, and the image's edges half a row
 * beyond fmin and fmax.
 */
function rowsFromTop(imageView, height, f) {
  return 0.5 + freqToY(f, imageView, height - 1);
}

/**
 * The parts of an image (computed for `imageView`, `width` x `height` pixels) that show
 * `targetView` on a canvas `canvasHeight` rows tall. Views are {start, end} in seconds,
 * {fmin, fmax} in Hz and their scale ('log' unless it says 'linear'); columns evenly cover
 * [start, end). Each band is a source rectangle {sx, sy, sw, sh} in image pixels, sy measured
 * from the TOP of the drawn image, to be drawn across the canvas' width into its rows
 * [dy, dy + dh). One band covers the whole canvas when both views have the same scale; else
 * bands of BAND_ROWS rows follow the curve. Rectangles may reach outside the image where the
 * target view does.
 * @returns {{sx:number, sy:number, sw:number, sh:number, dy:number, dh:number}[]} [] when
 *   either view is empty or invalid.
 */
export function sourceBands(imageView, width, height, targetView, canvasHeight) {
  const spanT = imageView.end - imageView.start;
  if (!(spanT > 0) || !(imageView.fmax > imageView.fmin && imageView.fmin > 0) || !(height > 1)
    || !(targetView.end > targetView.start) || !(targetView.fmax > targetView.fmin && targetView.fmin > 0)
    || !(canvasHeight > 0)) {
    return [];
  }
  const sx = ((targetView.start - imageView.start) / spanT) * width;
  const sw = ((targetView.end - targetView.start) / spanT) * width;
  const bandRows = scaleOf(imageView) === scaleOf(targetView) ? canvasHeight : BAND_ROWS;
  const bands = [];
  for (let dy = 0; dy < canvasHeight; dy += bandRows) {
    const dh = Math.min(bandRows, canvasHeight - dy);
    const top = dy === 0 ? targetView.fmax : yToFreq(dy, targetView, canvasHeight);
    const bottom = dy + dh === canvasHeight ? targetView.fmin : yToFreq(dy + dh, targetView, canvasHeight);
    const sy = rowsFromTop(imageView, height, top);
    bands.push({ sx, sy, sw, sh: rowsFromTop(imageView, height, bottom) - sy, dy, dh });
  }
  return bands.every((band) => Object.values(band).every(Number.isFinite)) ? bands : [];
}
