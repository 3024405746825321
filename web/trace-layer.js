// The overlay canvas that draws traced partials over the spectrogram, the stroke in progress,
// the regions being tracked, the region marked with the Select tool and the hover marker. It draws only what it is given: the page calls draw() with the
// partials of the newest state and the view shown (which may run ahead of the state while a
// gesture moves), so partials stay glued to the spectrogram under them.

import { freqToY, timeToX } from './axes.js';
import { fitToDevicePixels } from './device-pixels.js';
import { partialPolylines } from './trace-geometry.js';
import { regionRect } from './region.js';

/** Line widths, CSS px. */
const LINE = 2;
const SELECTED_LINE = 3;
// Extra width on each side of the dark outline under a line: without it a partial vanishes
// into the bright ridge it was snapped onto.
const HALO = 1.5;
const SELECTED_HALO = 3;
const ERASER = 12; // twice the default eraser radius of erasedRanges, so what you see is what it hits

const FALLBACK_COLOR = '#e0a458';

// Rectangles: the Track tool's (amber: dashed while dragged, filled faintly while it is
// tracked) and the Select tool's (pale blue: dashed while dragged, filled faintly once marked).
const DRAGGED_TRACK = { fill: null, line: '#e0a458', dash: [6, 4] };
const TRACKING = { fill: 'rgb(224 164 88 / 0.12)', line: '#e0a458', dash: [] };
const DRAGGED_SELECT = { fill: null, line: '#9fd3ff', dash: [6, 4] };
const MARKED = { fill: 'rgb(159 211 255 / 0.10)', line: '#9fd3ff', dash: [4, 3] };

export class TraceLayer {
  /** @param {HTMLCanvasElement} canvas an overlay the same size as the spectrogram canvas. */
  constructor(canvas) {
    this.canvas = canvas;
    this.context = canvas.getContext('2d');
    this.scene = null; // the arguments of the last draw(), redrawn after a resize
    // Backing store in device pixels, as SpectrogramCanvas does, so lines stay sharp.
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(canvas);
    this.resize();
  }

  resize() {
    if (fitToDevicePixels(this.canvas)) this.redraw();
  }

  /**
   * Draw a scene; everything is optional.
   * @param {object} scene
   * @param {Array} [scene.partials] [{id, color '#rrggbb', points [[t, f|null, a|null]]}].
   * @param {Array} [scene.selection] ids of the selected partials.
   * @param {object|null} [scene.view] {start, end, fmin, fmax} (s, Hz); nothing but the
   *   stroke is drawn without one.
   * @param {{x:number, y:number}[]} [scene.stroke] the stroke in progress, CSS px.
   * @param {'trace'|'erase'|'track'|'select'} [scene.strokeKind='trace'] a 'track' or
   *   'select' stroke is drawn as the rectangle from its first point to its last.
   * @param {{start, end, fmin, fmax}[]} [scene.regions] regions being tracked (s, Hz),
   *   each drawn until its partials arrive.
   * @param {{start, end, fmin, fmax}|null} [scene.marked] the region marked with the Select
   *   tool (s, Hz).
   * @param {{partialId: *, point: Array}|null} [scene.hover] from nearestPoint.
   */
  draw(scene) {
    this.scene = scene || {};
    this.redraw();
  }

  redraw() {
    const { canvas, context } = this;
    const scene = this.scene || {};
    // Drawing happens in CSS px; the transform maps them onto device pixels.
    const width = canvas.clientWidth, height = canvas.clientHeight;
    const scale = width > 0 ? canvas.width / width : 1;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (!(width > 0 && height > 0)) return;
    context.setTransform(scale, 0, 0, height > 0 ? canvas.height / height : 1, 0, 0);
    context.lineJoin = 'round';
    context.lineCap = 'round';
    const { partials = [], selection = [], view = null, stroke = [], strokeKind = 'trace',
      hover = null, regions = [], marked = null } = scene;
    if (view) {
      const selected = new Set(selection);
      // Selected partials last, so they lie on top of the ones they cross.
      const ordered = [...partials.filter((p) => !selected.has(p.id)),
        ...partials.filter((p) => selected.has(p.id))];
      for (const partial of ordered) {
        const runs = partialPolylines(partial, view, width, height);
        if (!runs.length) continue;
        const color = /^#[0-9a-f]{6}$/i.test(partial.color) ? partial.color : FALLBACK_COLOR;
        const [line, halo] = selected.has(partial.id) ? [SELECTED_LINE, SELECTED_HALO] : [LINE, HALO];
        this.strokeRuns(runs, 'rgb(0 0 0 / 0.75)', line + 2 * halo);
        this.strokeRuns(runs, color, line);
      }
      if (hover && Array.isArray(hover.point)) this.drawHover(hover, partials, view, width, height);
      for (const region of regions) {
        const rect = regionRect(region, view, width, height);
        if (rect) this.drawRectangle(rect, TRACKING);
      }
      const rect = regionRect(marked, view, width, height);
      if (rect) this.drawRectangle(rect, MARKED);
    }
    if (stroke && stroke.length) this.drawStroke(stroke, strokeKind);
  }

  /** Stroke polylines; a run of a single point becomes a dot of the line's width. */
  strokeRuns(runs, color, lineWidth) {
    const { context } = this;
    context.strokeStyle = color;
    context.fillStyle = color;
    context.lineWidth = lineWidth;
    context.beginPath();
    for (const run of runs) {
      if (run.length === 1) continue;
      context.moveTo(run[0][0], run[0][1]);
      for (let i = 1; i < run.length; i++) context.lineTo(run[i][0], run[i][1]);
    }
    context.stroke();
    context.beginPath();
    for (const run of runs) {
      if (run.length !== 1) continue;
      context.moveTo(run[0][0] + lineWidth / 2, run[0][1]);
      context.arc(run[0][0], run[0][1], lineWidth / 2, 0, 2 * Math.PI);
    }
    context.fill();
  }

  drawHover(hover, partials, view, width, height) {
    const { context } = this;
    const x = timeToX(hover.point[0], view.start, view.end, width);
    const y = freqToY(hover.point[1], view, height);
    if (x === null || y === null) return;
    const partial = partials.find((p) => p.id === hover.partialId);
    context.beginPath();
    context.arc(x, y, 4.5, 0, 2 * Math.PI);
    context.lineWidth = 3.5;
    context.strokeStyle = 'rgb(0 0 0 / 0.8)';
    context.stroke();
    context.lineWidth = 1.5;
    context.strokeStyle = partial && /^#[0-9a-f]{6}$/i.test(partial.color) ? partial.color : '#fff';
    context.stroke();
  }

  /** A rectangle in one of the RECTANGLES styles, over a dark underlay. */
  drawRectangle({ x, y, width, height }, { fill, line, dash }) {
    const { context } = this;
    if (fill) {
      context.fillStyle = fill;
      context.fillRect(x, y, width, height);
    }
    context.setLineDash([]);
    context.strokeStyle = 'rgb(0 0 0 / 0.6)';
    context.lineWidth = 3;
    context.strokeRect(x, y, width, height);
    context.setLineDash(dash);
    context.strokeStyle = line;
    context.lineWidth = 1.5;
    context.strokeRect(x, y, width, height);
    context.setLineDash([]);
  }

  drawStroke(points, kind) {
    const { context } = this;
    if (kind === 'track' || kind === 'select') {
      const a = points[0], b = points[points.length - 1];
      this.drawRectangle({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y),
        width: Math.abs(b.x - a.x), height: Math.abs(b.y - a.y) },
      kind === 'track' ? DRAGGED_TRACK : DRAGGED_SELECT);
      return;
    }
    context.beginPath();
    context.moveTo(points[0].x, points[0].y);
    for (const p of points) context.lineTo(p.x, p.y);
    if (kind === 'erase') {
      context.setLineDash([]);
      context.strokeStyle = 'rgb(255 70 70 / 0.35)';
      context.lineWidth = ERASER;
      context.stroke();
    } else {
      // A dark underlay keeps the dashes visible over bright parts of the spectrogram.
      context.setLineDash([]);
      context.strokeStyle = 'rgb(0 0 0 / 0.6)';
      context.lineWidth = 3;
      context.stroke();
      context.setLineDash([6, 4]);
      context.strokeStyle = '#fff';
      context.lineWidth = 1.5;
      context.stroke();
      context.setLineDash([]);
    }
  }

  dispose() {
    this.resizeObserver.disconnect();
    this.scene = null;
    const { canvas, context } = this;
    context.setTransform(1, 0, 0, 1, 0, 0);
    context.clearRect(0, 0, canvas.width, canvas.height);
  }
}
