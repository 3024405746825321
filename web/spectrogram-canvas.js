// A canvas that shows a spectrogram image for a view, stretching the image it has into
// whatever view is asked for, so that drawing never waits for a computation.

import { paintSpectrogram } from './colormap.js';
import { sourceRect } from './stretch.js';

/**
 * A decoded spectrogram image: the uint8 levels, their metadata from the back end
 * ({width, height, dbMin, dbMax, view}) and an offscreen canvas holding its colours.
 */
export function makeImage(levels, meta, lut) {
  const canvas = document.createElement('canvas');
  canvas.width = meta.width;
  canvas.height = meta.height;
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(meta.width, meta.height);
  paintSpectrogram(levels, meta.width, meta.height, lut, pixels.data);
  context.putImageData(pixels, 0, 0);
  return { levels, meta, canvas };
}

/** The level in dBFS that `image` holds at time `t` (s) and frequency `f` (Hz), or null. */
export function levelAt(image, t, f) {
  const { width, height, dbMin, dbMax, view } = image.meta;
  const col = Math.floor(((t - view.start) / (view.end - view.start)) * width);
  const row = Math.round((Math.log(f / view.fmin) / Math.log(view.fmax / view.fmin)) * (height - 1));
  if (!(col >= 0 && col < width && row >= 0 && row < height)) return null;
  return dbMin + (image.levels[row * width + col] / 255) * (dbMax - dbMin);
}

export class SpectrogramCanvas {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.image = null;
    this.view = null;
    // Size the backing store to the element in device pixels, so the image is drawn at
    // screen resolution and never blurred by CSS scaling.
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.resize();
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(this.canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(this.canvas.clientHeight * ratio));
    if (width !== this.canvas.width || height !== this.canvas.height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.draw();
    }
  }

  /** Show `image` (from makeImage, or null) for `view` ({start, end, fmin, fmax}). */
  show(image, view) {
    this.image = image;
    this.view = view;
    this.draw();
  }

  draw() {
    const { context, canvas } = this;
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (!this.image || !this.view) return;
    const { meta } = this.image;
    const rect = sourceRect(meta.view, meta.width, meta.height, this.view);
    if (!rect) return;
    context.imageSmoothingEnabled = true;
    context.drawImage(this.image.canvas, rect.sx, rect.sy, rect.sw, rect.sh,
      0, 0, canvas.width, canvas.height);
  }

  dispose() {
    this.resizeObserver.disconnect();
    this.image = null;
  }
}
