import { test } from 'node:test';
import assert from 'node:assert/strict';
import { figureRequest } from '../../web/figure-dialog.js';

test('the fields become export_figure arguments', () => {
  assert.deepEqual(figureRequest({ format: 'png', width: '1200', height: ' 700 ', scale: '2' }),
    { args: ['png', 1200, 700, 2] });
  assert.deepEqual(figureRequest({ format: 'svg', width: '200', height: '8192', scale: '1' }),
    { args: ['svg', 200, 8192, 1] });
});

test('a bad field is one line naming it, never a call', () => {
  const base = { format: 'svg', width: '800', height: '600', scale: '1' };
  const cases = [
    [{ width: '' }, 'Width must be a whole number of px from 200 to 8192'],
    [{ width: '12.5' }, 'Width must be a whole number of px from 200 to 8192'],
    [{ height: 'NaN' }, 'Height must be a whole number of px from 200 to 8192'],
    [{ height: '1e9' }, 'Height must be a whole number of px from 200 to 8192'],
    [{ scale: '5' }, 'Resolution must be 1x to 4x'],
    [{ format: 'jpg' }, 'Choose SVG or PNG'],
  ];
  for (const [change, error] of cases) {
    assert.deepEqual(figureRequest({ ...base, ...change }), { error });
  }
});
