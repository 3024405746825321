// A canvas that shows a spectrogram for a view, stretching the images it has into whatever
// view is asked for, so that drawing never waits for a computation. Images are layers: the
// overview of the whole file first, then the newest viewport image over the part it covers.

import { paintSpectrogram } from './colormap.js';
import { hatchCones } from './edge-cones.js';
import { fitToDevicePixels } from './device-pixels.js';
import { sourceBands } from './stretch.js';
import { freqToY, scaleOf } from './axes.js';

/**
 * A decoded spectrogram image: the uint8 levels, their edge cones (0/1 per pixel, or null;
 * see edge-cones.js), their metadata from the back end ({width, height, dbMin, dbMax, view,
 * scale}: its rows are evenly spaced on that frequency scale)
 * and an offscreen canvas holding its colours, the cones hatched in `coneStyle`
 * (colormap.json's edgeCones).
 */
export function makeImage(levels, cones, meta, lut, coneStyle) {
  const canvas = document.createElement('canvas');
  canvas.width = meta.width;
  canvas.height = meta.height;
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(meta.width, meta.height);
  paintSpectrogram(levels, meta.width, meta.height, lut, pixels.data);
  if (cones) hatchCones(pixels.data, cones, meta.width, meta.height, coneStyle);
  context.putImageData(pixels, 0, 0);
  return { levels, cones, meta, canvas };
}

/** The view an image was computed for, with the frequency scale of its rows. */
function imageView(image) {
  return { ...image.meta.view, scale: scaleOf(image.meta) };
}

/** The level in dBFS that `image` holds at time `t` (s) and frequency `f` (Hz), or null
 * (outside it, or in an edge cone, where it holds no level of the sound). */
export function levelAt(image, t, f) {
  const { width, height, dbMin, dbMax, view } = image.meta;
  const col = Math.floor(((t - view.start) / (view.end - view.start)) * width);
  // Row steps down from the top row (fmax) on the image's own axis; null for no frequency.
  const fromTop = height > 1 ? freqToY(f, imageView(image), height - 1) : 0;
  if (fromTop === null) return null;
  const row = Math.round(height - 1 - fromTop);
  if (!(col >= 0 && col < width && row >= 0 && row < height)) return null;
  if (image.cones && image.cones[row * width + col]) return null;
  return dbMin + (image.levels[row * width + col] / 255) * (dbMax - dbMin);
}

export class SpectrogramCanvas {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.images = [];
    this.view = null;
    // Size the backing store to the element in device pixels, so the image is drawn at
    // screen resolution and never blurred by CSS scaling.
    this.onResize = null; // called with (width, height) in device pixels after a resize
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.resize();
  }

  resize() {
    if (fitToDevicePixels(this.canvas)) {
      this.draw();
      if (this.onResize) this.onResize(this.canvas.width, this.canvas.height);
    }
  }

  /** Show `images` (from makeImage; nulls are skipped), bottom layer first, for `view`. */
  show(images, view) {
    this.images = images.filter(Boolean);
    this.view = view;
    this.draw();
  }

  draw() {
    const { context, canvas } = this;
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (!this.view) return;
    context.imageSmoothingEnabled = true;
    for (const image of this.images) {
      const { meta } = image;
      for (const band of sourceBands(imageView(image), meta.width, meta.height, this.view, canvas.height)) {
        // Only the part of the source inside the image is drawn, into the matching part of
        // the canvas, so a layer that covers less than the view leaves the layer below.
        const x0 = Math.max(0, band.sx), x1 = Math.min(meta.width, band.sx + band.sw);
        const y0 = Math.max(0, band.sy), y1 = Math.min(meta.height, band.sy + band.sh);
        if (!(x1 > x0 && y1 > y0)) continue;
        const scaleX = canvas.width / band.sw, scaleY = band.dh / band.sh;
        // Shrinking with plain bilinear sampling skips source rows: a partial one row thick
        // (the 384-row overview in a 64 px strip) comes out dashed. 'high' filters over them.
        context.imageSmoothingQuality = scaleX < 1 || scaleY < 1 ? 'high' : 'low';
        context.drawImage(image.canvas, x0, y0, x1 - x0, y1 - y0, (x0 - band.sx) * scaleX,
          band.dy + (y0 - band.sy) * scaleY, (x1 - x0) * scaleX, (y1 - y0) * scaleY);
      }
    }
  }

  dispose() {
    this.resizeObserver.disconnect();
    this.images = [];
  }
}
