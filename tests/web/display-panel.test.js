import { test } from 'node:test';
import assert from 'node:assert/strict';

import { DisplayPanel, displaySettings, typedView } from '../../web/display-panel.js';
import { Counted } from './fake-element.js';

const doc = { activeElement: null };
const LIMITS = { duration: 20, nyquist: 22050, minFreq: 20 };
const KEYS = ['method', 'windowMs', 'hopMs', 'q', 'colormap', 'frequencyScale', 'start', 'end', 'fmin',
  'fmax'];
const STATE = {
  file: { name: 'a.wav' },
  display: { method: 'auto', windowMs: null, hopMs: null, q: 16, colormap: 'magma', frequencyScale: 'log' },
  view: { start: 0, end: 20, fmin: 20, fmax: 22050 },
};

class FakeField extends Counted {
  constructor() {
    super();
    Object.assign(this, { value: '', disabled: false, ownerDocument: doc });
  }
}

function setUp(replies = []) {
  const fields = Object.fromEntries(KEYS.map((key) => [key, new FakeField()]));
  const sent = [], views = [], errors = [];
  const panel = new DisplayPanel(fields, {
    onDisplay: async (settings) => { sent.push(settings); return replies.shift() ?? { ok: true }; },
    onView: (view) => views.push(view),
    showError: (message) => errors.push(message),
  });
  panel.render(STATE, false, LIMITS);
  return { fields, sent, views, errors, panel };
}

test('displaySettings: blank window and hop are automatic; other text is refused', () => {
  const values = { method: 'stft', windowMs: ' ', hopMs: '5', q: '20', colormap: 'grey',
    frequencyScale: 'linear' };
  assert.deepEqual(displaySettings(values).settings,
    { method: 'stft', windowMs: null, hopMs: 5, q: 20, colormap: 'grey', frequencyScale: 'linear' });
  assert.match(displaySettings({ ...values, windowMs: 'abc' }).error,
    /^the STFT window must be a number \(or blank: automatic\)$/);
  assert.match(displaySettings({ ...values, q: '' }).error, /^the wavelet's Q must be a number$/);
  assert.match(displaySettings({ ...values, q: 'NaN' }).error, /Q must be a number/);
});

test('typedView keeps the view within the file, in order', () => {
  const values = { start: '1', end: '2.5', fmin: '100', fmax: '4000' };
  assert.deepEqual(typedView(values, LIMITS).view, { start: 1, end: 2.5, fmin: 100, fmax: 4000 });
  assert.match(typedView({ ...values, end: '30' }, LIMITS).error, /within 0 and 20 s/);
  assert.match(typedView({ ...values, end: '1' }, LIMITS).error, /end must be after the start/);
  assert.match(typedView({ ...values, fmin: '5' }, LIMITS).error, /within 20 and 22050 Hz/);
  assert.match(typedView({ ...values, fmin: '5000' }, LIMITS).error, /highest frequency must be above/);
  assert.match(typedView({ ...values, start: 'x' }, LIMITS).error, /^the start must be a number$/);
});

test('render shows the settings and the view; a change sends them, a bad one puts them back', async () => {
  const { fields, sent, errors } = setUp();
  assert.equal(fields.method.value, 'auto');
  assert.equal(fields.windowMs.value, '');
  assert.equal(fields.q.value, '16');
  assert.equal(fields.fmax.value, '22050');
  fields.method.value = 'stft';
  fields.colormap.value = 'print';
  fields.colormap.dispatchEvent(new Event('change'));
  await Promise.resolve();
  assert.deepEqual(sent, [{ method: 'stft', windowMs: null, hopMs: null, q: 16, colormap: 'print',
    frequencyScale: 'log' }]);
  assert.equal(fields.frequencyScale.value, 'log');
  fields.frequencyScale.value = 'linear';
  fields.frequencyScale.dispatchEvent(new Event('change'));
  await Promise.resolve();
  assert.equal(sent[1].frequencyScale, 'linear');
  sent.pop();
  fields.q.value = 'lots';
  fields.q.dispatchEvent(new Event('change'));
  await Promise.resolve();
  assert.equal(sent.length, 1);
  assert.deepEqual(errors, ["the wavelet's Q must be a number"]);
  assert.equal(fields.q.value, '16'); // the settings in force, back in the fields
});

test('a setting Python refuses puts the settings in force back', async () => {
  const { fields } = setUp([{ ok: false }]);
  fields.windowMs.value = '99999';
  fields.windowMs.dispatchEvent(new Event('change'));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(fields.windowMs.value, '');
});

test('a typed view is shown; one out of the file is refused; dispose removes every listener', () => {
  const { fields, views, errors, panel } = setUp();
  fields.start.value = '2';
  fields.end.value = '4';
  fields.end.dispatchEvent(new Event('change'));
  assert.deepEqual(views, [{ start: 2, end: 4, fmin: 20, fmax: 22050 }]);
  fields.fmax.value = '30000';
  fields.fmax.dispatchEvent(new Event('change'));
  assert.equal(views.length, 1);
  assert.match(errors[0], /within 20 and 22050 Hz/);
  assert.equal(fields.fmax.value, '22050');
  panel.dispose();
  assert.equal(KEYS.reduce((n, key) => n + fields[key].listeners, 0), 0);
});

test('without a file the fields are disabled', () => {
  const { fields, panel } = setUp();
  panel.render({ file: null, display: STATE.display, view: null }, false, null);
  assert.ok(KEYS.every((key) => fields[key].disabled));
});
