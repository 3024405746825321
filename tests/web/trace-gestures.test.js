import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachTraceGestures } from '../../web/trace-gestures.js';
import { Counted, FakeElement } from './fake-element.js';

/** Dispatch a bubbling, cancelable event of `type` carrying `props` on `target`. */
function fire(target, type, props = {}) {
  const event = new Event(type, { cancelable: true, bubbles: true });
  let stopped = false;
  const stop = event.stopPropagation.bind(event);
  event.stopPropagation = () => { stopped = true; stop(); };
  Object.assign(event, { button: 0, buttons: 0, isPrimary: true, pointerId: 1, ...props });
  target.dispatchEvent(event);
  return Object.assign(event, { stopped: () => stopped });
}

/** Attach with a mode the test can change; records every callback call. */
function harness(mode = 'trace') {
  const element = new FakeElement();
  const win = new Counted();
  const state = { mode, calls: [] };
  const record = (name) => (...args) => state.calls.push([name, ...args]);
  const dispose = attachTraceGestures(element, {
    getMode: () => state.mode,
    onStroke: record('stroke'),
    onErase: record('erase'),
    onRegion: record('region'),
    grab: (x, y) => state.calls.push(['grab', x, y]) && x < 50,
    onMove: record('move'),
    onClickAt: record('click'),
    onHover: record('hover'),
    onStrokeChange: (points, kind) => state.calls.push(['change', points.length, kind]),
    win,
  });
  const named = (name) => state.calls.filter(([n]) => n === name);
  return { element, win, state, dispose, named };
}

/** Press at client (x0, y0), move through `moves`, release at the last one. */
function drag(element, x0, y0, moves, extra = {}) {
  const down = fire(element, 'pointerdown', { clientX: x0, clientY: y0, buttons: 1, ...extra });
  for (const [x, y] of moves) fire(element, 'pointermove', { clientX: x, clientY: y, buttons: 1 });
  const [x, y] = moves.length ? moves[moves.length - 1] : [x0, y0];
  const up = fire(element, 'pointerup', { clientX: x, clientY: y });
  return { down, up };
}

test('a drag in trace mode reports the stroke in element pixels and stops propagation', () => {
  const { element, state, dispose, named } = harness('trace');
  const down = fire(element, 'pointerdown', { clientX: 200, clientY: 150, buttons: 1 });
  assert.ok(down.stopped(), 'the press must not reach the panning ancestor');
  assert.ok(element.captured.has(1), 'pointer captured');
  assert.equal(element.dataset.stroking, 'trace');
  fire(element, 'pointermove', { clientX: 210, clientY: 150, buttons: 1 });
  fire(element, 'pointermove', { clientX: 230, clientY: 140, buttons: 1 });
  fire(element, 'pointermove', { pointerId: 2, clientX: 0, clientY: 0, buttons: 1 }); // another pointer
  assert.deepEqual(named('change').map(([, n, kind]) => [n, kind]), [[1, 'trace'], [2, 'trace'], [3, 'trace']]);
  fire(element, 'pointerup', { clientX: 240, clientY: 140 });
  assert.deepEqual(named('stroke'), [['stroke',
    [{ x: 100, y: 100 }, { x: 110, y: 100 }, { x: 130, y: 90 }, { x: 140, y: 90 }]]]);
  assert.deepEqual(named('change').at(-1), ['change', 0, 'trace'], 'the live stroke is cleared');
  assert.equal(named('erase').length + named('click').length, 0);
  assert.equal(element.captured.size, 0, 'capture released');
  assert.ok(!('stroking' in element.dataset));
  // A wheel event is never stopped: it must reach the ancestor that zooms.
  assert.ok(!fire(element, 'wheel', { deltaY: -100 }).stopped());
  assert.ok(!fire(element, 'wheel', { deltaY: -100 }).defaultPrevented);
  // Only the primary button draws.
  const calls = state.calls.length;
  drag(element, 200, 150, [[300, 200]], { button: 2 });
  assert.equal(named('stroke').length, 1);
  assert.equal(state.calls.length, calls);
  dispose();
});

test('a drag in erase mode calls onErase', () => {
  const { element, dispose, named } = harness('erase');
  const { down } = drag(element, 200, 150, [[200, 200], [250, 250]]);
  assert.ok(down.stopped());
  assert.deepEqual(named('erase'), [['erase', [{ x: 100, y: 100 }, { x: 100, y: 150 }, { x: 150, y: 200 }]]]);
  assert.equal(named('stroke').length, 0);
  assert.ok(named('change').every(([, , kind]) => kind === 'erase'));
  dispose();
});

test('a press and release without moving is a click', () => {
  const { element, state, dispose, named } = harness('trace');
  drag(element, 300, 200, [[301, 201]]);
  assert.deepEqual(named('click'), [['click', 200, 150, false]]);
  assert.equal(named('stroke').length, 0);
  drag(element, 300, 200, [], { shiftKey: true });
  assert.deepEqual(named('click').at(-1), ['click', 200, 150, true]);
  state.mode = 'erase';
  drag(element, 300, 200, [], { ctrlKey: true });
  assert.deepEqual(named('click').at(-1), ['click', 200, 150, true]);
  assert.equal(named('erase').length, 0);
  // Wandering away and back is a stroke, not a click.
  state.mode = 'trace';
  drag(element, 300, 200, [[340, 200], [300, 200]]);
  assert.equal(named('stroke').length, 1);
  assert.equal(named('click').length, 3);
  dispose();
});

test('Escape cancels the stroke in progress', () => {
  const { element, win, dispose, named } = harness('trace');
  fire(element, 'pointerdown', { clientX: 200, clientY: 150, buttons: 1 });
  fire(element, 'pointermove', { clientX: 260, clientY: 150, buttons: 1 });
  const key = fire(win, 'keydown', { key: 'Escape' });
  assert.ok(key.defaultPrevented);
  assert.deepEqual(named('change').at(-1), ['change', 0, 'trace']);
  assert.equal(element.captured.size, 0);
  fire(element, 'pointermove', { clientX: 300, clientY: 150, buttons: 1 });
  fire(element, 'pointerup', { clientX: 300, clientY: 150 });
  assert.equal(named('stroke').length + named('click').length, 0, 'nothing after the cancel');
  // Escape with no stroke is left alone (other handlers may use it).
  assert.ok(!fire(win, 'keydown', { key: 'Escape' }).defaultPrevented);
  // The browser taking the pointer away cancels too.
  fire(element, 'pointerdown', { clientX: 200, clientY: 150, buttons: 1 });
  fire(element, 'pointermove', { clientX: 260, clientY: 150, buttons: 1 });
  fire(element, 'pointercancel', {});
  fire(element, 'pointerup', { clientX: 260, clientY: 150 });
  assert.equal(named('stroke').length, 0);
  dispose();
});

test('hover reports the pointer without a button, and leaving clears it', () => {
  const { element, state, dispose, named } = harness('erase');
  fire(element, 'pointermove', { clientX: 150, clientY: 60 });
  assert.deepEqual(named('hover'), [['hover', 50, 10]]);
  fire(element, 'pointerleave', {});
  assert.deepEqual(named('hover').at(-1), ['hover', null, null]);
  // Not while drawing.
  drag(element, 200, 150, [[260, 150]]);
  assert.equal(named('hover').length, 2);
  state.mode = 'navigate';
  fire(element, 'pointermove', { clientX: 150, clientY: 60 });
  assert.equal(named('hover').length, 2);
  dispose();
});

test('navigate mode does nothing and lets every event through', () => {
  const { element, state, dispose } = harness('navigate');
  const { down, up } = drag(element, 200, 150, [[300, 200]]);
  drag(element, 200, 150, []);
  fire(element, 'pointermove', { clientX: 10, clientY: 10 });
  const dbl = fire(element, 'dblclick', {});
  assert.ok(!down.stopped() && !up.stopped() && !dbl.stopped());
  assert.equal(element.captured.size, 0);
  assert.deepEqual(state.calls, []);
  // In a drawing mode a double-click is kept from the ancestor (it would reset the view).
  state.mode = 'trace';
  assert.ok(fire(element, 'dblclick', {}).stopped());
  dispose();
});

test('dispose removes every listener, releases the capture, and nothing fires after', () => {
  const { element, win, state, dispose } = harness('trace');
  assert.ok(element.listeners > 0 && win.listeners === 1);
  fire(element, 'pointerdown', { clientX: 200, clientY: 150, buttons: 1 });
  fire(element, 'pointermove', { clientX: 260, clientY: 150, buttons: 1 });
  const calls = state.calls.length;
  dispose();
  assert.equal(element.listeners, 0, 'element listeners left behind');
  assert.equal(win.listeners, 0, 'window listener left behind');
  assert.equal(element.captured.size, 0, 'pointer capture left behind');
  assert.ok(!('stroking' in element.dataset));
  dispose(); // twice is harmless
  assert.equal(element.listeners, 0);
  fire(element, 'pointermove', { clientX: 300, clientY: 150, buttons: 1 });
  fire(element, 'pointerup', { clientX: 300, clientY: 150 });
  fire(win, 'keydown', { key: 'Escape' });
  drag(element, 200, 150, [[300, 200]]);
  drag(element, 200, 150, []);
  fire(element, 'pointermove', { clientX: 10, clientY: 10 });
  assert.equal(state.calls.length, calls, 'callbacks after dispose');
});

test('works without a window (defaults to globalThis.window, absent in node)', () => {
  const element = new FakeElement();
  const strokes = [];
  const dispose = attachTraceGestures(element, { getMode: () => 'trace', onStroke: (p) => strokes.push(p) });
  drag(element, 200, 150, [[260, 150]]);
  assert.equal(strokes.length, 1);
  dispose();
  assert.equal(element.listeners, 0);
});

test('a drag in track mode reports its rectangle; Escape cancels it; a click still selects', () => {
  const { element, win, named, dispose } = harness('track');
  drag(element, 200, 100, [[260, 140], [300, 180]]);
  assert.deepEqual(named('region'), [['region', [{ x: 100, y: 50 }, { x: 160, y: 90 }, { x: 200, y: 130 }], 'track']]);
  fire(element, 'pointerdown', { clientX: 200, clientY: 100, buttons: 1 });
  fire(element, 'pointermove', { clientX: 300, clientY: 200, buttons: 1 });
  fire(win, 'keydown', { key: 'Escape' });
  fire(element, 'pointerup', { clientX: 300, clientY: 200 });
  assert.equal(named('region').length, 1, 'the cancelled drag is not reported');
  assert.deepEqual(named('change').at(-1), ['change', 0, 'track']);
  drag(element, 200, 100, []);
  assert.deepEqual(named('click'), [['click', 100, 50, false]]);
  assert.equal(named('stroke').length + named('erase').length, 0);
  dispose();
});

test('a drag in select mode reports its rectangle as a select; a click selects a partial', () => {
  const { element, named, dispose } = harness('select');
  drag(element, 200, 100, [[300, 180]]);
  assert.deepEqual(named('region'), [['region', [{ x: 100, y: 50 }, { x: 200, y: 130 }], 'select']]);
  assert.deepEqual(named('change').at(-1), ['change', 0, 'select']);
  drag(element, 200, 100, [], { shiftKey: true });
  assert.deepEqual(named('click'), [['click', 100, 50, true]]);
  dispose();
});

test('a select press on a partial drags its points instead of marking a region', () => {
  const { element, named, dispose } = harness('select');
  drag(element, 120, 100, [[130, 60]]); // grabbed: x < 50 on the element
  assert.deepEqual(named('grab'), [['grab', 20, 50]]);
  assert.deepEqual(named('move'), [['move', [{ x: 20, y: 50 }, { x: 30, y: 10 }]]]);
  assert.deepEqual(named('change').at(-1), ['change', 0, 'move']);
  assert.equal(named('region').length, 0);
  drag(element, 300, 100, [[400, 180]]); // not on a partial: a region
  assert.equal(named('region').length, 1);
  drag(element, 120, 100, []); // a press and release on it is still a click
  assert.equal(named('click').length, 1);
  assert.equal(named('move').length, 1);
  dispose();
});
