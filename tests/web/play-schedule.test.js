import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaySchedule, audiblePartials } from '../../web/play-schedule.js';

test('chunks cover [from, to) in order on the audio clock, then finish', () => {
  const s = new PlaySchedule({ from: 2, to: 3.2, chunk: 0.5, clockStart: 10 });
  const chunks = [];
  for (let c = s.next(); c; c = s.next()) chunks.push(c);
  assert.deepEqual(chunks.map((c) => c.file), [2, 2.5, 3]);
  assert.deepEqual(chunks.map((c) => c.clock), [10, 10.5, 11]);
  assert.ok(Math.abs(chunks[2].seconds - 0.2) < 1e-12);
  assert.ok(s.finished);
});

test('the playhead follows the clock, and is null outside what is scheduled', () => {
  const s = new PlaySchedule({ from: 5, to: 6, chunk: 0.5, clockStart: 1 });
  s.next(); s.next();
  assert.equal(s.positionAt(0.5), null);
  assert.equal(s.positionAt(1.25), 5.25);
  assert.equal(s.positionAt(1.75), 5.75);
  assert.equal(s.positionAt(2.5), null);
});

test('a loop wraps to the start and never finishes, keeping bounded memory', () => {
  const s = new PlaySchedule({ from: 0, to: 1, chunk: 0.4, loop: true });
  const files = [];
  for (let i = 0; i < 200; i++) files.push(s.next().file);
  assert.deepEqual(files.slice(0, 5).map((f) => Math.round(f * 10) / 10), [0, 0.4, 0.8, 0, 0.4]);
  assert.ok(!s.finished && s.segments.length <= 64);
  const last = s.segments[s.segments.length - 1];
  assert.equal(s.positionAt(last.clock), last.file);
});

test('ahead() tells how much is scheduled beyond a clock time; bad ranges throw', () => {
  const s = new PlaySchedule({ from: 0, to: 10, chunk: 0.5, clockStart: 2 });
  s.next(); s.next();
  assert.equal(s.ahead(2.25), 0.75);
  assert.throws(() => new PlaySchedule({ from: 1, to: 1 }), /cannot play/);
  assert.throws(() => new PlaySchedule({ from: NaN, to: 1 }), /cannot play/);
});

test('a loop can start inside its range and wraps to its start', () => {
  const s = new PlaySchedule({ from: 1, to: 2, loop: true, chunk: 0.5, startAt: 1.75 });
  const files = [s.next(), s.next(), s.next()].map((c) => c.file);
  assert.deepEqual(files, [1.75, 1, 1.5]);
  assert.throws(() => new PlaySchedule({ from: 1, to: 2, startAt: 2 }), /cannot start/);
});

test('the partials heard: the soloed ones, else all but the muted', () => {
  assert.deepEqual(audiblePartials([1, 2, 3], { solo: [], mute: [] }), [1, 2, 3]);
  assert.deepEqual(audiblePartials([1, 2, 3], { solo: [], mute: [2] }), [1, 3]);
  assert.deepEqual(audiblePartials([1, 2, 3], { solo: [3], mute: [] }), [3]);
  assert.deepEqual(audiblePartials([1, 2, 3], { solo: [3], mute: [3] }), []);
  assert.deepEqual(audiblePartials([], { solo: [], mute: [] }), []);
});
