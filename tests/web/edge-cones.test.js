import { test } from 'node:test';
import assert from 'node:assert/strict';

import { hatchCones, splitPayload } from '../../web/edge-cones.js';

test('a payload without edges is its levels', () => {
  const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6]);
  const { levels, cones } = splitPayload(bytes, { width: 3, height: 2, edges: false });
  assert.deepEqual(Array.from(levels), [1, 2, 3, 4, 5, 6]);
  assert.equal(cones, null);
  assert.throws(() => splitPayload(bytes, { width: 3, height: 2, edges: true }), /expected 7/);
});

test('the mask after the levels is read most significant bit first (numpy packbits)', () => {
  // 3 x 3 pixels, cones at 0, 2 and 8: bits 1010 0000 1(000 0000).
  const bytes = Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9, 9, 0b10100000, 0b10000000]);
  const { levels, cones } = splitPayload(bytes, { width: 3, height: 3, edges: true });
  assert.equal(levels.length, 9);
  assert.deepEqual(Array.from(cones), [1, 0, 1, 0, 0, 0, 0, 0, 1]);
});

test('cone pixels are dimmed or lined, with mask row 0 at the bottom; others untouched', () => {
  const width = 8, height = 2;
  const pixels = new Uint8ClampedArray(width * height * 4).fill(200);
  const cones = new Uint8Array(width * height);
  cones.fill(1, 0, width); // the whole lowest row: the bottom image row
  hatchCones(pixels, cones, width, height, { stripe: 6, dim: 0.35, line: 112 });
  const top = Array.from(pixels.subarray(0, width * 4));
  assert.ok(top.every((v) => v === 200));
  const bottom = [];
  for (let x = 0; x < width; x++) bottom.push(pixels[(width + x) * 4]);
  assert.ok(bottom.every((v) => v < 200), `bottom row ${bottom}`);
  assert.ok(new Set(bottom).size === 2, 'two greys: the dimmed colour and the hatch line');
  assert.equal(pixels[(width + 0) * 4 + 3], 200, 'alpha is left alone');
});
