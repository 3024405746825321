import { test } from 'node:test';
import assert from 'node:assert/strict';

import { LevelsControl, autoLevels, sameLevels } from '../../web/levels-control.js';
import { Counted } from './fake-element.js';

const doc = { activeElement: null };

/** An input or button: a value, disabled, min and max, and its document's focus. */
class FakeField extends Counted {
  constructor() {
    super();
    Object.assign(this, { value: '', disabled: false, min: '', max: '', ownerDocument: doc });
  }
}

const OVERVIEW = { dbMin: -100, dbMax: 0 };
const state = (floor, ceiling) => ({ overview: OVERVIEW, levels: { floor, ceiling } });

function setUp(replies = []) {
  const elements = { floor: new FakeField(), ceiling: new FakeField(), reset: new FakeField() };
  const sent = [];
  const control = new LevelsControl(elements, {
    onSet: async (floor, ceiling) => { sent.push([floor, ceiling]); return replies.shift() ?? { ok: true }; },
  });
  return { elements, sent, control };
}

test('sameLevels compares floor and ceiling', () => {
  assert.ok(sameLevels(null, null));
  assert.ok(sameLevels({ floor: -60, ceiling: 0 }, { floor: -60, ceiling: 0 }));
  assert.ok(!sameLevels({ floor: -60, ceiling: 0 }, { floor: -50, ceiling: 0 }));
  assert.ok(!sameLevels(null, { floor: -60, ceiling: 0 }));
});

test('render shows the levels within the images range; Auto is off at the file\'s own', () => {
  const { elements, control } = setUp();
  control.render(state(-100, 0));
  assert.equal(elements.floor.value, '-100');
  assert.equal(elements.ceiling.min, '-100');
  assert.equal(elements.ceiling.max, '0');
  assert.ok(elements.reset.disabled);
  control.render(state(-62.34, -10));
  assert.equal(elements.floor.value, '-62.3');
  assert.ok(!elements.reset.disabled);
  control.render({ overview: null, levels: null }); // no file
  assert.ok(elements.floor.disabled && elements.floor.value === '');
});

test('a field being typed in is left alone', () => {
  const { elements, control } = setUp();
  elements.floor.value = '-4';
  doc.activeElement = elements.floor;
  control.render(state(-100, 0));
  assert.equal(elements.floor.value, '-4');
  doc.activeElement = null;
});

test('a change sends the fields; the levels in force are not sent again', async () => {
  const { elements, sent, control } = setUp();
  control.render(state(-100, 0));
  elements.floor.value = '-60';
  elements.floor.dispatchEvent(new Event('change'));
  await Promise.resolve();
  assert.deepEqual(sent, [[-60, 0]]);
  control.render(state(-60, 0));
  elements.ceiling.dispatchEvent(new Event('change')); // blur of an unchanged field
  assert.deepEqual(sent, [[-60, 0]]);
});

test('a refused value puts the levels in force back, even in a focused field', async () => {
  const { elements, control } = setUp([{ ok: false }]);
  control.render(state(-60, 0));
  elements.ceiling.value = '-70';
  doc.activeElement = elements.ceiling;
  await control.set(-60, -70);
  assert.equal(elements.ceiling.value, '0');
  doc.activeElement = null;
});

test('Auto sends the levels fitted to the overview, whatever the viewport', () => {
  const { elements, sent, control } = setUp();
  const overview = { ...OVERVIEW, autoLevels: { floor: -75, ceiling: -3 } };
  const viewport = { ...OVERVIEW, autoLevels: { floor: -58, ceiling: -12 } };
  control.render({ overview, viewport, levels: { floor: -75, ceiling: -3 } });
  assert.ok(elements.reset.disabled);
  control.render({ overview, viewport, levels: { floor: -60, ceiling: -3 } });
  assert.ok(!elements.reset.disabled);
  elements.reset.dispatchEvent(new Event('click'));
  assert.deepEqual(sent, [[-75, -3]]);
  assert.deepEqual(autoLevels({ overview, viewport }), { floor: -75, ceiling: -3 });
});

test('Auto without fitted levels sends the file\'s own range; dispose removes every listener', () => {
  const { elements, sent, control } = setUp();
  control.render(state(-60, -10));
  elements.reset.dispatchEvent(new Event('click'));
  assert.deepEqual(sent, [[-100, 0]]);
  control.dispose();
  assert.equal(elements.floor.listeners + elements.ceiling.listeners + elements.reset.listeners, 0);
});
