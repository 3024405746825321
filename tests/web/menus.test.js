import { test } from 'node:test';
import assert from 'node:assert/strict';
import { onMenuChoice } from '../../web/menus.js';
import { FakeElement } from './fake-element.js';

class FakeSelect extends FakeElement {
  constructor() {
    super();
    this.value = '';
    this.blurred = 0;
  }
  blur() { this.blurred += 1; }
}

test('a menu choice is handed on, the menu shows its title again and gives the keys back', () => {
  const select = new FakeSelect();
  const chosen = [];
  const dispose = onMenuChoice(select, (value) => chosen.push(value));
  select.value = 'csv';
  select.dispatchEvent(new Event('change'));
  assert.deepEqual(chosen, ['csv']);
  assert.equal(select.value, '');
  assert.equal(select.blurred, 1);
  select.dispatchEvent(new Event('change')); // the title, no choice
  assert.deepEqual(chosen, ['csv']);
  dispose();
  assert.equal(select.listeners, 0);
});
