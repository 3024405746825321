import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireKeys } from '../../web/page-keys.js';
import { Counted } from './fake-element.js';

const LIMITS = { duration: 10, nyquist: 20000, minFreq: 20 };

function harness({ view = { start: 2, end: 4, fmin: 100, fmax: 1000 }, helpOpen = false } = {}) {
  const win = new Counted();
  const ran = [];
  const views = [];
  const dispose = wireKeys({
    win, help: { open: helpOpen }, getView: () => view, getLimits: () => LIMITS,
    onView: (next) => views.push(next),
    commands: {
      open: () => { ran.push('open'); },
      delete: () => { ran.push('delete'); return false; },
      help: () => { ran.push('help'); },
    },
  });
  const press = (props, target = null) => {
    const event = new Event('keydown', { cancelable: true });
    Object.assign(event, { ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...props });
    if (target) Object.defineProperty(event, 'target', { value: target });
    win.dispatchEvent(event);
    return event.defaultPrevented;
  };
  return { win, ran, views, dispose, press };
}

test('a shortcut runs its command and takes the key', () => {
  const { ran, press } = harness();
  assert.ok(press({ key: 'o', ctrlKey: true }));
  assert.deepEqual(ran, ['open']);
});

test('a command that did nothing, or none, leaves the key to the browser', () => {
  const { ran, press } = harness();
  assert.ok(!press({ key: 'Delete' }));
  assert.ok(!press({ key: 'x' }));
  assert.ok(!press({ key: 'z', ctrlKey: true }), 'no undo command given');
  assert.deepEqual(ran, ['delete']);
});

test('a navigation key asks for its view', () => {
  const { views, press } = harness();
  assert.ok(press({ key: 'ArrowRight' }));
  assert.equal(views.length, 1);
  assert.ok(views[0].start > 2);
});

test('keys typed in a field, or with the key list up, are not shortcuts (but ? closes it)', () => {
  const typing = harness();
  assert.ok(!typing.press({ key: 'o', ctrlKey: true }, { tagName: 'INPUT', type: 'text' }));
  assert.deepEqual(typing.ran, []);
  const help = harness({ helpOpen: true });
  assert.ok(!help.press({ key: 'o', ctrlKey: true }));
  assert.ok(help.press({ key: '?' }));
  assert.deepEqual(help.ran, ['help']);
});

test('after dispose the window has no listener left and keys do nothing', () => {
  const { win, ran, dispose, press } = harness();
  assert.equal(win.listeners, 1);
  dispose();
  assert.equal(win.listeners, 0);
  assert.ok(!press({ key: 'o', ctrlKey: true }));
  assert.deepEqual(ran, []);
});

test('while another dialog is up the page takes no key', () => {
  const win = new Counted();
  const ran = [];
  const figure = { open: true };
  wireKeys({ win, help: { open: false }, modals: [figure], getView: () => null,
    getLimits: () => LIMITS, onView: () => {}, commands: { trace: () => { ran.push('trace'); } } });
  const press = () => {
    const event = new Event('keydown', { cancelable: true });
    Object.assign(event, { key: 't', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false });
    win.dispatchEvent(event);
    return event.defaultPrevented;
  };
  assert.ok(!press());
  figure.open = false;
  assert.ok(press());
  assert.deepEqual(ran, ['trace']);
});
