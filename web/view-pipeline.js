// The pictures of the view: the overview and viewport canvases, the trace overlay, the axes
// and the overview's outline. The view is the page's own while it has a file: a gesture sets
// it (onView), which redraws at once from the images the page has and asks Python for the
// exact image at once, then at most once per animation frame. A new state brings new images
// (fetched by key), new levels or colour map (the images recoloured from their bytes, the
// colour legend redrawn) or new traces. While a file decodes, the overview strip shows that
// file's overview as far as it is computed (state.growing), in its own levels. Every view
// shown, the overview strip's too, has the frequency scale the display settings choose
// (axes.js' scaleOf), whatever scale an image was computed on.

import { levelsLut } from './colormap.js';
import { sameLevels } from './levels-control.js';
import { renderFreqAxis, renderTimeAxis } from './axis-view.js';
import { scaleOf } from './axes.js';
import { SpectrogramCanvas, makeImage } from './spectrogram-canvas.js';
import { renderLegend } from './colour-legend.js';
import { splitPayload } from './edge-cones.js';
import { viewsEqual } from './view-math.js';
import { frameThrottle } from './frame-throttle.js';
import { viewRectangle } from './overview-gestures.js';
import { TraceLayer } from './trace-layer.js';
import { isNewFile, tracesChanged, viewLimits } from './state-rules.js';

const ROLES = ['overview', 'viewport', 'growing'];

/**
 * @param {object} options
 * @param {object} options.elements {overviewCanvas, viewportCanvas, traceCanvas,
 *   legendCanvas (canvases), outline (the overview's view rectangle), overviewAxis,
 *   overviewFreqAxis, timeAxis, freqAxis, legendAxis, panes (whose size the axes and the
 *   outline follow)}
 * @param {Object<string, Uint8ClampedArray>} options.colormaps each colour map's 256-entry
 *   RGBA table, before the levels, by name; the first is the default
 * @param {object} options.coneStyle how edge cones are hatched (colormap.json's edgeCones)
 * @param {() => object|null} options.getState the document state shown
 * @param {() => {stroke: Array, strokeKind: string, hover: object|null}} options.getTraceScene
 *   the stroke being drawn and the point under the mouse
 * @param {(method: string, ...args) => Promise<{ok: boolean, error?: string}>} options.call
 * @param {(url: string) => Promise<Uint8Array>} options.fetchBytes
 * @param {(message: string) => void} options.showError
 */
export function wireViewPipeline({ elements, colormaps, coneStyle, getState, getTraceScene, call, fetchBytes,
  showError }) {
  // The view shown: the state's, or newer while a gesture runs ahead of it; with the scale.
  let view = null;
  let images = { overview: null, viewport: null, growing: null }; // from makeImage, by role
  const overlays = new Set(); // more drawing that follows the view (the playback cursor)
  const overviewCanvas = new SpectrogramCanvas(elements.overviewCanvas);
  const viewportCanvas = new SpectrogramCanvas(elements.viewportCanvas);
  const traceLayer = new TraceLayer(elements.traceCanvas);

  function drawTraces() {
    const state = getState();
    traceLayer.draw({
      partials: (state && state.partials) || [], selection: (state && state.selection) || [],
      view, ...getTraceScene(),
    });
  }

  /** The image meta of `role` in `state`: the growing overview's is inside its record. */
  function metaOf(state, role) {
    if (!state) return null;
    return role === 'growing' ? state.growing && state.growing.image : state[role];
  }

  /** The frequency scale the document's display settings choose. */
  function scaleOfState(state) {
    return scaleOf({ scale: state && state.display && state.display.frequencyScale });
  }

  /** `region` ({start, end, fmin, fmax}) as a view on the display's frequency scale. */
  function onScale(region) {
    return region && { ...region, scale: scaleOfState(getState()) };
  }

  /** The whole view of the file being opened, when its growing overview is shown. */
  function growingView() {
    const growing = getState() && getState().growing;
    if (!growing || !images.growing) return null;
    const { fmin, fmax } = images.growing.meta.view;
    return onScale({ start: 0, end: growing.duration, fmin, fmax });
  }

  /** Redraw everything that depends on the view: both canvases, the axes, the outline. */
  function drawView() {
    const { overview, viewport, growing } = images;
    const opening = growingView();
    if (opening) overviewCanvas.show([growing], opening);
    else overviewCanvas.show([overview], overview && onScale(overview.meta.view));
    viewportCanvas.show([overview, viewport], view);
    drawTraces();
    for (const overlay of overlays) overlay();
    const limits = viewLimits(getState());
    const box = overviewCanvas.canvas;
    const rect = !opening && view && limits
      && viewRectangle(view, limits, box.clientWidth, box.clientHeight);
    const outline = elements.outline;
    outline.hidden = !rect;
    if (rect) Object.assign(outline.style, { left: `${rect.x}px`, top: `${rect.y}px`,
      width: `${rect.w}px`, height: `${rect.h}px` });
    const state = getState();
    renderLegend(elements.legendCanvas, elements.legendAxis, colormapOf(state),
      (state && state.file && state.levels) || null);
    const strip = opening || (view && state.overview && onScale(state.overview.view));
    if (strip) {
      renderTimeAxis(elements.overviewAxis, 0, strip.end);
      renderFreqAxis(elements.overviewFreqAxis, strip);
    } else {
      for (const axis of [elements.overviewAxis, elements.overviewFreqAxis]) axis.replaceChildren();
    }
    if (!view) {
      for (const axis of [elements.timeAxis, elements.freqAxis]) axis.replaceChildren();
      return;
    }
    renderTimeAxis(elements.timeAxis, view.start, view.end);
    renderFreqAxis(elements.freqAxis, view);
    document.body.dataset.view = JSON.stringify(view);
  }

  /** Ask Python for the image of the current view at the canvas' pixel size: the first
   * request at once, then at most one a frame, for the newest view. */
  const requestImage = frameThrottle(async () => {
    if (!view) return;
    const { width, height } = viewportCanvas.canvas;
    const reply = await call('set_view', view.start, view.end, view.fmin, view.fmax, width, height);
    if (!reply.ok) showError(reply.error);
  });

  function onView(next) {
    view = onScale(next);
    drawView();
    requestImage();
  }

  /** The colour map the document's display settings choose. */
  function colormapOf(state) {
    const name = state && state.display && state.display.colormap;
    return colormaps[name] || Object.values(colormaps)[0];
  }

  /** The colour table for the bytes of the image of `role` under the document's levels (the
   * growing overview's own: the document's are the open file's) and colour map. */
  function lutFor(meta, role) {
    const state = getState();
    const levels = role === 'growing' ? meta.autoLevels : state && state.levels;
    const colormap = colormapOf(state);
    return levels ? levelsLut(colormap, meta.dbMin, meta.dbMax, levels.floor, levels.ceiling)
      : colormap;
  }

  /** Colour the images the page has again, for new levels or colours: from their bytes. */
  function recolour() {
    for (const role of ROLES) {
      const image = images[role];
      if (image) images[role] = makeImage(image.levels, image.cones, image.meta,
        lutFor(image.meta, role), coneStyle);
    }
    drawView();
  }

  /** Fetch the bytes of an image the state names, unless they are already here. */
  async function loadImage(role, meta) {
    const current = images[role];
    if (!meta || (current && current.meta.key === meta.key)) return;
    const isNewest = () => {
      const newest = metaOf(getState(), role);
      return newest && newest.key === meta.key;
    };
    let bytes;
    try {
      bytes = await fetchBytes(meta.url);
    } catch (error) {
      // A part of a growing overview is dropped from the store once the next is shown.
      if (isNewest()) throw error;
      return;
    }
    const { levels, cones } = splitPayload(bytes, meta);
    // A newer image (or file) may have arrived while these bytes were on their way.
    if (!isNewest()) return;
    images[role] = makeImage(levels, cones, meta, lutFor(meta, role), coneStyle);
    document.body.dataset[`${role}Key`] = meta.key;
    drawView();
  }

  /** A new state: a new file starts from its own view and images; otherwise the view stays
   * the page's, and the pictures are redrawn only for new levels, the traces only when they
   * changed. */
  function stateArrived(state, previous) {
    const newFile = isNewFile(previous, state);
    if (!state.growing && images.growing) {
      images.growing = null; // the file opened, or its open ended: its own overview again
      delete document.body.dataset.growingKey;
      if (!newFile) drawView();
    }
    if (newFile) {
      images = { overview: null, viewport: null, growing: null };
      view = onScale(state.view);
      if (state.view && !(state.viewport && viewsEqual(state.viewport.view, state.view))) {
        requestImage();
      }
      drawView();
    } else {
      // A new frequency scale: the images the page has are drawn on the new axis until
      // Python's arrive for it.
      const rescaled = scaleOfState(previous) !== scaleOfState(state);
      if (rescaled) view = onScale(view);
      const recoloured = !sameLevels(previous.levels, state.levels)
        || colormapOf(previous) !== colormapOf(state);
      if (recoloured) recolour();
      else if (rescaled) drawView();
      else if (tracesChanged(previous, state)) drawTraces();
    }
    for (const role of ROLES) {
      loadImage(role, metaOf(state, role)).catch((error) => showError(`Could not load an image: ${error.message}`));
    }
  }

  /** The view as it is shown, the spectrogram with the partials over it, as a PNG data URL
   * at the canvas' device-pixel size. */
  function picture() {
    const spectrogram = viewportCanvas.canvas;
    const composed = document.createElement('canvas');
    composed.width = spectrogram.width;
    composed.height = spectrogram.height;
    const context = composed.getContext('2d');
    context.drawImage(spectrogram, 0, 0);
    context.drawImage(traceLayer.canvas, 0, 0, composed.width, composed.height);
    return composed.toDataURL('image/png');
  }

  // Axis labels and the outline depend on the pixel size of their boxes.
  const panesObserver = new ResizeObserver(drawView);
  panesObserver.observe(elements.panes);
  // A resized viewport deserves an image at its new resolution.
  viewportCanvas.onResize = requestImage;

  return {
    get view() { return view; },
    get images() { return images; },
    getLimits: () => viewLimits(getState()),
    onView, drawView, drawTraces, stateArrived, picture,
    /** Draw `overlay` with the view from now on; returns the function that stops it. */
    addOverlay(overlay) {
      overlays.add(overlay);
      return () => overlays.delete(overlay);
    },
    dispose() {
      panesObserver.disconnect();
      requestImage.dispose();
      viewportCanvas.onResize = null;
      overlays.clear();
      for (const part of [traceLayer, viewportCanvas, overviewCanvas]) part.dispose();
    },
  };
}
