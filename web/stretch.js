// Where a part of a spectrogram image lies: which source pixels show a given view.
// Used to draw an image computed for one view into another at once (zoom, pan, a
// resized window) while the exact image for the new view is still being computed.

/**
 * The rectangle of an image (computed for `imageView`, `width` x `height` pixels, row 0 at
 * the lowest frequency, drawn flipped so row 0 is at the bottom) that shows `targetView`.
 * Columns evenly cover [start, end); rows are centred on log-spaced frequencies from fmin
 * (row 0) to fmax (row height-1), as workers.spectrum.render computes them.
 * Views are {start, end} in seconds and {fmin, fmax} in Hz; rows are log-spaced.
 * Returns {sx, sy, sw, sh} in image pixels with sy measured from the TOP of the drawn image;
 * the rectangle may reach outside the image where the target view does. Null when either
 * view is empty or invalid.
 * @returns {{sx:number, sy:number, sw:number, sh:number} | null}
 */
export function sourceRect(imageView, width, height, targetView) {
  const spanT = imageView.end - imageView.start;
  const spanF = Math.log(imageView.fmax / imageView.fmin);
  const targetSpanF = Math.log(targetView.fmax / targetView.fmin);
  if (!(spanT > 0) || !(spanF > 0) || !(height > 1) || !(targetView.end > targetView.start) || !(targetSpanF > 0)) {
    return null;
  }
  const sx = ((targetView.start - imageView.start) / spanT) * width;
  const sw = ((targetView.end - targetView.start) / spanT) * width;
  // Row i is centred on fmin * (fmax/fmin)^(i/(height-1)) (row 0 at the bottom), so the
  // image's edges lie half a row beyond fmin and fmax. The target's top is its fmax.
  const rowsPerLog = (height - 1) / spanF;
  const sy = 0.5 + Math.log(imageView.fmax / targetView.fmax) * rowsPerLog;
  const sh = targetSpanF * rowsPerLog;
  return [sx, sy, sw, sh].every(Number.isFinite) ? { sx, sy, sw, sh } : null;
}
