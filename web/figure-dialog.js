// Export… > Figure: a small dialog asking the figure's format, size and resolution; the
// figure itself (axes, labels, the dBFS legend, the partials) is drawn by Python
// (app/files/figure.py), the same as `soma render --figure`.

import { listenAll } from './listen.js';

/** The figure's sides, px, and PNG pixels per px: app/files/figure.py's limits. */
export const FIGURE_LIMITS = { minSide: 200, maxSide: 8192, maxScale: 4 };

/**
 * The export_figure arguments the dialog's fields ask for, or the one-line reason they
 * cannot be used.
 * @param {{format: string, width: string, height: string, scale: string}} fields the raw
 *   values of the dialog's controls
 * @returns {{args: [string, number, number, number]}|{error: string}}
 */
export function figureRequest({ format, width, height, scale }) {
  if (format !== 'svg' && format !== 'png') return { error: 'Choose SVG or PNG' };
  const { minSide, maxSide, maxScale } = FIGURE_LIMITS;
  const sides = [];
  for (const [name, text] of [['Width', width], ['Height', height]]) {
    const value = String(text).trim() === '' ? NaN : Number(text);
    if (!Number.isInteger(value) || value < minSide || value > maxSide) {
      return { error: `${name} must be a whole number of px from ${minSide} to ${maxSide}` };
    }
    sides.push(value);
  }
  const resolution = Number(scale);
  if (!Number.isInteger(resolution) || resolution < 1 || resolution > maxScale) {
    return { error: `Resolution must be 1x to ${maxScale}x` };
  }
  return { args: [format, sides[0], sides[1], resolution] };
}

/**
 * @param {object} options
 * @param {HTMLDialogElement} options.dialog the form: #figure-format, #figure-width,
 *   #figure-height, #figure-scale, #figure-problem, and its Export and Cancel buttons
 * @param {(method: string, ...args) => Promise<object>} options.act
 * @returns {{open: () => void, dispose: () => void}}
 */
export function wireFigureDialog({ dialog, act }) {
  const field = (name) => dialog.querySelector(`#figure-${name}`);
  const problem = field('problem');

  function submit(event) {
    event.preventDefault();
    const request = figureRequest({ format: field('format').value, width: field('width').value,
      height: field('height').value, scale: field('scale').value });
    problem.textContent = request.error || '';
    if (request.error) return;
    dialog.close();
    act('export_figure', ...request.args);
  }

  const unlisten = [
    listenAll(dialog.querySelector('form'), [['submit', submit]]),
    listenAll(field('cancel'), [['click', () => dialog.close()]]),
  ];
  return {
    open() {
      problem.textContent = '';
      dialog.showModal();
    },
    dispose() { for (const stop of unlisten) stop(); },
  };
}
