import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lutFromColors, paintSpectrogram, levelToByte, byteToLevel, levelsLut } from '../../web/colormap.js';

const table = JSON.parse(readFileSync(new URL('../../web/colormap.json', import.meta.url), 'utf8'));
const magma = table.maps[0];
const lut = lutFromColors(magma.colors);

/** RGBA bytes of LUT entry i. */
const entry = (i) => Array.from(lut.subarray(i * 4, i * 4 + 4));

test('colormap.json holds magma (the default), a perceptual grey and one for print', () => {
  assert.deepEqual(table.maps.map((m) => m.name), ['magma', 'grey', 'print']);
  for (const map of table.maps) {
    assert.match(map.license, /CC0/);
    assert.equal(map.colors.length, 256);
    for (const c of map.colors) {
      assert.equal(c.length, 3);
      for (const v of c) assert.ok(Number.isInteger(v) && v >= 0 && v <= 255);
    }
  }
  const [, grey, print] = table.maps;
  // Grey runs black to white, evenly in lightness (L* 50 is sRGB 119); print the reverse.
  assert.deepEqual([grey.colors[0], grey.colors[128], grey.colors[255]],
    [[0, 0, 0], [119, 119, 119], [255, 255, 255]]);
  assert.deepEqual(print.colors, [...grey.colors].reverse());
});

test('lutFromColors builds an opaque RGBA table with magma endpoints', () => {
  assert.ok(lut instanceof Uint8ClampedArray);
  assert.equal(lut.length, 1024);
  for (let i = 0; i < 256; i++) assert.equal(lut[i * 4 + 3], 255);
  const near = (got, want) => got.every((v, k) => Math.abs(v - want[k]) <= 1);
  assert.ok(near(entry(0), [0, 0, 4, 255]), `first colour ${entry(0)}`);
  assert.ok(near(entry(255), [252, 253, 191, 255]), `last colour ${entry(255)}`);
  // Perceptually uniform maps get brighter monotonically (sum as a rough luminance).
  const sum = (i) => lut[i * 4] + lut[i * 4 + 1] + lut[i * 4 + 2];
  assert.ok(sum(0) < sum(128) && sum(128) < sum(255));
});

test('lutFromColors rejects malformed colour lists', () => {
  assert.throws(() => lutFromColors(magma.colors.slice(1)), /256/);
  assert.throws(() => lutFromColors(null), /256/);
  const bad = magma.colors.map((c) => [...c]);
  bad[7] = [0, 300, 0];
  assert.throws(() => lutFromColors(bad), /entry 7/);
  bad[7] = [0, 0];
  assert.throws(() => lutFromColors(bad), /entry 7/);
  bad[7] = [0, 1.5, 0];
  assert.throws(() => lutFromColors(bad), /entry 7/);
});

test('paintSpectrogram draws row 0 (lowest frequency) as the bottom image row', () => {
  const width = 3;
  const height = 4;
  const values = new Uint8Array(width * height);
  values[0 * width + 1] = 255; // lowest frequency bin, column 1
  values[3 * width + 2] = 128; // highest frequency bin, column 2
  const out = paintSpectrogram(values, width, height, lut);
  assert.equal(out.length, width * height * 4);
  const pixel = (x, y) => Array.from(out.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
  assert.deepEqual(pixel(1, height - 1), entry(255));
  assert.deepEqual(pixel(2, 0), entry(128));
  assert.deepEqual(pixel(0, 0), entry(0));
  assert.deepEqual(pixel(1, 0), entry(0));
});

test('paintSpectrogram fills and returns the given output buffer', () => {
  const width = 5;
  const height = 2;
  const values = Uint8Array.from({ length: width * height }, (_, i) => i * 20);
  const out = new Uint8ClampedArray(width * height * 4).fill(7);
  const result = paintSpectrogram(values, width, height, lut, out);
  assert.equal(result, out);
  for (let row = 0; row < height; row++) {
    for (let x = 0; x < width; x++) {
      const v = values[row * width + x];
      const o = ((height - 1 - row) * width + x) * 4;
      assert.deepEqual(Array.from(out.subarray(o, o + 4)), entry(v));
    }
  }
});

test('paintSpectrogram rejects mismatched sizes', () => {
  assert.throws(() => paintSpectrogram(new Uint8Array(5), 2, 3, lut), /values length/);
  assert.throws(() => paintSpectrogram(new Uint8Array(6), 2, 3, lut, new Uint8ClampedArray(8)), /out length/);
  assert.throws(() => paintSpectrogram(new Uint8Array(6), 2, 3, new Uint8ClampedArray(4)), /lut/);
  assert.equal(paintSpectrogram(new Uint8Array(0), 0, 0, lut).length, 0);
});

test('levelToByte quantises like the back end and clamps', () => {
  assert.equal(levelToByte(-100, -100, 0), 0);
  assert.equal(levelToByte(0, -100, 0), 255);
  assert.equal(levelToByte(-50, -100, 0), 128); // 127.5 rounds up
  assert.equal(levelToByte(-200, -100, 0), 0);
  assert.equal(levelToByte(20, -100, 0), 255);
  assert.equal(levelToByte(NaN, -100, 0), 0);
  assert.equal(levelToByte(-50, 0, 0), 0);
  assert.equal(levelToByte(-50, 0, -100), 0);
});

test('byteToLevel inverts levelToByte within half a step', () => {
  const dbMin = -120;
  const dbMax = -10;
  const halfStep = (dbMax - dbMin) / 255 / 2;
  for (let db = dbMin; db <= dbMax; db += 0.37) {
    const back = byteToLevel(levelToByte(db, dbMin, dbMax), dbMin, dbMax);
    assert.ok(Math.abs(back - db) <= halfStep + 1e-9, `${db} -> ${back}`);
  }
  for (let b = 0; b < 256; b++) assert.equal(levelToByte(byteToLevel(b, dbMin, dbMax), dbMin, dbMax), b);
});

/** A table whose entry i is the grey i, so colours read back as their index. */
const greys = () => lutFromColors(Array.from({ length: 256 }, (_, i) => [i, i, i]));
const colourOf = (lut, b) => lut[b * 4];

test('levelsLut over the bytes\' own range changes no colour', () => {
  const lut = greys();
  assert.deepEqual(levelsLut(lut, -100, 0, -100, 0), lut);
});

test('levelsLut maps the floor and below to the first colour, the ceiling and above to the last', () => {
  const lut = levelsLut(greys(), -100, 0, -60, -20);
  assert.equal(colourOf(lut, levelToByte(-100, -100, 0)), 0);
  assert.equal(colourOf(lut, levelToByte(-60, -100, 0)), 0);
  assert.equal(colourOf(lut, levelToByte(-40, -100, 0)), 128); // halfway up the new span
  assert.equal(colourOf(lut, levelToByte(-20, -100, 0)), 255);
  assert.equal(colourOf(lut, levelToByte(0, -100, 0)), 255);
  for (let b = 1; b < 256; b++) assert.ok(colourOf(lut, b) >= colourOf(lut, b - 1), 'monotonic');
  for (let b = 0; b < 256; b++) assert.equal(lut[b * 4 + 3], 255, 'opaque');
});
