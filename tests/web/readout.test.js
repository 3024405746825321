import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireReadout } from '../../web/readout.js';
import { FakeElement } from './fake-element.js';

function harness() {
  const plot = new FakeElement({ left: 0, top: 0, width: 100, height: 100 });
  const readout = { textContent: '' };
  const tools = { hover: null };
  const drawn = [];
  const dispose = wireReadout({ plot, readout, tools, getState: () => ({ partials: [] }),
    getView: () => ({ start: 0, end: 10, fmin: 100, fmax: 10000 }),
    getImages: () => ({ overview: null, viewport: null }), drawTraces: () => drawn.push(tools.hover) });
  const move = (x, y) => {
    const event = new Event('mousemove');
    Object.assign(event, { clientX: x, clientY: y });
    plot.dispatchEvent(event);
  };
  return { plot, readout, tools, dispose, move, drawn };
}

test('the readout shows the time and frequency under the mouse and clears when it leaves', () => {
  const { plot, readout, move } = harness();
  move(50, 50);
  assert.match(readout.textContent, /^0:05\.000 {3}1(\.0)? kHz/);
  plot.dispatchEvent(new Event('mouseleave'));
  assert.equal(readout.textContent, '');
});

test('after dispose the plot has no listener left and the readout stays as it was', () => {
  const { plot, readout, dispose, move } = harness();
  assert.equal(plot.listeners, 2);
  dispose();
  assert.equal(plot.listeners, 0);
  move(50, 50);
  assert.equal(readout.textContent, '');
});
