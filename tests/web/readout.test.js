import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wireReadout } from '../../web/readout.js';
import { createDocumentState } from '../../web/document-state.js';
import { FakeElement } from './fake-element.js';

/** A partial as the page holds it once pulled. */
function partial(id, name, points) {
  return { id, name, color: '#fff', source: {}, points };
}

function harness() {
  const plot = new FakeElement({ left: 0, top: 0, width: 100, height: 100 });
  const readout = { textContent: '' };
  const tools = { hover: null };
  const drawn = [];
  const documentState = createDocumentState({ pull: () => Promise.resolve({ ok: false }) });
  let revision = 0;
  const showPartials = (partials) => documentState.apply({ revision: ++revision,
    partialsVersion: revision, partials });
  showPartials([]);
  const dispose = wireReadout({ plot, readout, tools, documentState,
    getView: () => ({ start: 0, end: 10, fmin: 100, fmax: 10000 }),
    getImages: () => ({ overview: null, viewport: null }), drawTraces: () => drawn.push(tools.hover) });
  const move = (x, y) => {
    const event = new Event('mousemove');
    Object.assign(event, { clientX: x, clientY: y });
    plot.dispatchEvent(event);
  };
  return { plot, readout, tools, dispose, move, drawn, showPartials, documentState };
}

// A partial through the plot's centre (5 s, 1 kHz on the 100 Hz - 10 kHz log axis).
const THROUGH_CENTRE = [[4.9, 1000, -20], [5, 1000, -20], [5.1, 1000, -20]];

test('the readout shows the time and frequency under the mouse and clears when it leaves', () => {
  const { plot, readout, move } = harness();
  move(50, 50);
  assert.match(readout.textContent, /^0:05\.000 {3}1(\.0)? kHz/);
  plot.dispatchEvent(new Event('mouseleave'));
  assert.equal(readout.textContent, '');
});

test('on a partial the readout names it, and forgets it when it goes under a still mouse', () => {
  const { readout, tools, move, showPartials } = harness();
  showPartials([partial(7, 'Partial 7', THROUGH_CENTRE)]);
  move(50, 50);
  assert.match(readout.textContent, /^Partial 7 {3}0:05\.000/);
  assert.equal(tools.hover.partialId, 7);
  showPartials([]); // undone, say: the mouse has not moved
  assert.equal(tools.hover, null);
  assert.match(readout.textContent, /^0:05\.000 {3}1(\.0)? kHz/);
  showPartials([partial(8, 'Partial 8', THROUGH_CENTRE)]); // redone, under another id
  assert.match(readout.textContent, /^Partial 8 /);
});

test('partials that change off the plot leave the readout empty', () => {
  const { plot, readout, tools, move, showPartials } = harness();
  move(50, 50);
  plot.dispatchEvent(new Event('mouseleave'));
  showPartials([partial(7, 'Partial 7', THROUGH_CENTRE)]);
  assert.equal(readout.textContent, '');
  assert.equal(tools.hover, null);
});

test('after dispose the plot has no listener left and the readout stays as it was', () => {
  const { plot, readout, dispose, move, showPartials } = harness();
  assert.equal(plot.listeners, 2);
  move(50, 50);
  const shown = readout.textContent;
  dispose();
  assert.equal(plot.listeners, 0);
  move(20, 20);
  showPartials([partial(7, 'Partial 7', THROUGH_CENTRE)]);
  assert.equal(readout.textContent, shown);
});
