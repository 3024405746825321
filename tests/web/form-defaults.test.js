import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restoreDefaults } from '../../web/form-defaults.js';

test('inputs, checkboxes and selects go back to their HTML defaults', () => {
  const tolerance = { type: 'number', value: '300', defaultValue: '100' };
  const loop = { type: 'checkbox', checked: true, defaultChecked: false };
  const mode = { value: 'partials', options: [
    { value: 'original', defaultSelected: false }, { value: 'partials', defaultSelected: false }] };
  const marked = { value: 'a', options: [{ value: 'a', defaultSelected: false },
    { value: 'b', defaultSelected: true }] };
  restoreDefaults([tolerance, loop, mode, marked]);
  assert.equal(tolerance.value, '100');
  assert.equal(loop.checked, false);
  assert.equal(mode.value, 'original', 'no option marked: the first');
  assert.equal(marked.value, 'b');
});
