// The Display panel in the status bar: how the spectrogram is computed (method, the STFT's
// window and hop, the wavelet's Q, a log or linear frequency axis) and coloured (the colour
// map), and the view typed in as numbers. The settings go to Python (set_display), which
// keeps them per project and checks them again; the page refuses what is not a number
// before anything is sent.

import { listenAll } from './listen.js';

const SETTINGS = ['method', 'windowMs', 'hopMs', 'q', 'colormap', 'frequencyScale'];
const CHOICES = new Set(['method', 'colormap', 'frequencyScale']); // selects: their text as it is
const LIMITS = ['start', 'end', 'fmin', 'fmax'];
const OPTIONAL = new Set(['windowMs', 'hopMs']); // blank: Soma's choice
const NAMES = { windowMs: 'the STFT window', hopMs: 'the STFT hop', q: "the wavelet's Q",
  start: 'the start', end: 'the end', fmin: 'the lowest frequency', fmax: 'the highest frequency' };

/** A field's number: null when blank and optional; an error (one line) unless finite. */
function readNumber(key, raw) {
  const text = String(raw).trim();
  if (text === '' && OPTIONAL.has(key)) return { value: null };
  const value = Number(text);
  return text !== '' && Number.isFinite(value) ? { value }
    : { error: `${NAMES[key]} must be a number${OPTIONAL.has(key) ? ' (or blank: automatic)' : ''}` };
}

/**
 * The display settings the fields hold, or the first field's problem.
 * @param {{method: string, windowMs: string, hopMs: string, q: string, colormap: string,
 *   frequencyScale: string}} values
 * @returns {{settings?: object, error?: string}}
 */
export function displaySettings(values) {
  const settings = { method: values.method, colormap: values.colormap,
    frequencyScale: values.frequencyScale };
  for (const key of ['windowMs', 'hopMs', 'q']) {
    const { value, error } = readNumber(key, values[key]);
    if (error) return { error };
    settings[key] = value;
  }
  return { settings };
}

/**
 * The view typed in, or why it cannot be shown: within the file (`limits` from
 * state-rules.js viewLimits), start before end, the lowest frequency below the highest.
 * @param {{start: string, end: string, fmin: string, fmax: string}} values
 * @returns {{view?: object, error?: string}}
 */
export function typedView(values, limits) {
  const view = {};
  for (const key of LIMITS) {
    const { value, error } = readNumber(key, values[key]);
    if (error) return { error };
    view[key] = value;
  }
  if (view.start < 0 || view.end > limits.duration) {
    return { error: `the view must lie within 0 and ${limits.duration} s` };
  }
  if (!(view.end > view.start)) return { error: 'the end must be after the start' };
  if (view.fmin < limits.minFreq || view.fmax > limits.nyquist) {
    return { error: `the frequencies must lie within ${limits.minFreq} and ${limits.nyquist} Hz` };
  }
  if (!(view.fmax > view.fmin)) {
    return { error: 'the highest frequency must be above the lowest' };
  }
  return { view };
}

/** Round for a field: enough digits to tell views apart, not float noise. */
const shown = (value) => (value === null ? '' : String(Math.round(value * 1000) / 1000));

export class DisplayPanel {
  /**
   * @param {object} fields the inputs and selects by name: method, windowMs, hopMs, q,
   *   colormap (whose options are the colour maps), frequencyScale, start, end, fmin, fmax
   * @param {object} callbacks
   * @param {(settings: object) => Promise<{ok: boolean}>} callbacks.onDisplay
   * @param {(view: object) => void} callbacks.onView
   * @param {(message: string) => void} callbacks.showError
   */
  constructor(fields, { onDisplay, onView, showError }) {
    this.fields = fields;
    this.state = null;
    const changedSettings = async () => {
      const values = Object.fromEntries(SETTINGS.map((key) => [key, fields[key].value]));
      const { settings, error } = displaySettings(values);
      if (error) {
        showError(error);
        this.render(this.state, true);
        return;
      }
      const reply = await onDisplay(settings);
      if (!reply.ok && this.state) this.render(this.state, true);
    };
    const changedView = () => {
      const values = Object.fromEntries(LIMITS.map((key) => [key, fields[key].value]));
      const limits = this.limits;
      if (!limits) return;
      const { view, error } = typedView(values, limits);
      if (error) {
        showError(error);
        this.render(this.state, true);
      } else onView(view);
    };
    this.unlisten = [
      ...SETTINGS.map((key) => listenAll(fields[key], [['change', changedSettings]])),
      ...LIMITS.map((key) => listenAll(fields[key], [['change', changedView]])),
    ];
    this.limits = null;
  }

  /** Show `state`'s settings and view, within `limits` (viewLimits); a field being typed in
   * is left alone unless `force`. */
  render(state, force = false, limits = this.limits) {
    this.state = state;
    this.limits = limits;
    const display = state && state.display;
    const values = { ...(display || {}), ...((state && state.view) || {}) };
    for (const key of [...SETTINGS, ...LIMITS]) {
      const field = this.fields[key];
      field.disabled = !(state && state.file);
      if (!field.disabled && (force || field.ownerDocument.activeElement !== field)) {
        field.value = CHOICES.has(key) ? values[key] : shown(values[key]);
      }
    }
  }

  dispose() {
    for (const unlisten of this.unlisten) unlisten();
  }
}
