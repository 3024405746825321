// Canvases drawn at the screen's own resolution: never blurred by CSS scaling.

/**
 * Size `canvas`'s backing store to its CSS box in device pixels.
 * @returns {boolean} whether the size changed (the caller redraws then).
 */
export function fitToDevicePixels(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (width === canvas.width && height === canvas.height) return false;
  canvas.width = width;
  canvas.height = height;
  return true;
}
