import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDocumentState } from '../../web/document-state.js';

const pushed = (revision, partialsVersion = 0) => ({ revision, partialsVersion });
const pulled = (revision, partialsVersion = 0) => ({ revision, partialsVersion, partials: [] });

test('a state older than the one shown is ignored; subscribers see (state, previous)', () => {
  const doc = createDocumentState({ pull: () => new Promise(() => {}) });
  const seen = [];
  doc.subscribe((state, previous) => seen.push([state.revision, previous && previous.revision]));
  doc.apply(pulled(3));
  doc.apply(pulled(2));
  doc.apply(pulled(4));
  assert.deepEqual(seen, [[3, null], [4, 3]]);
  assert.equal(doc.current.revision, 4);
});

test('a push without the partials keeps those shown and pulls the new version once', async () => {
  let pulls = 0;
  const doc = createDocumentState({
    pull: async () => { pulls += 1; return { ok: true, state: pulled(2, 1) }; },
  });
  doc.apply(pulled(1, 0));
  const shown = doc.current.partials;
  doc.apply(pushed(2, 0));
  assert.equal(pulls, 0, 'same version: nothing to pull');
  assert.equal(doc.current.partials, shown);
  doc.apply(pushed(2, 1));
  assert.equal(pulls, 1);
  assert.equal(doc.current.partialsVersion, 0, 'the partials shown keep their own version');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(doc.current.partialsVersion, 1);
});

test('states arriving while a version is pulled pull it once; a failed pull lets the next retry', async () => {
  const replies = [];
  let pulls = 0;
  const doc = createDocumentState({
    pull: () => { pulls += 1; return new Promise((resolve) => replies.push(resolve)); },
  });
  doc.apply(pulled(1, 0));
  doc.apply(pushed(2, 1));
  doc.apply(pushed(3, 1)); // a zoom, say, while the partials are on their way
  assert.equal(pulls, 1);
  replies[0]({ ok: false, error: 'overtaken' });
  await new Promise((resolve) => setImmediate(resolve));
  doc.apply(pushed(4, 1));
  assert.equal(pulls, 2, 'the failed pull is tried again');
  replies[1]({ ok: true, state: pulled(5, 1) });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(doc.current.partialsVersion, 1);
  doc.apply(pushed(6, 1));
  assert.equal(pulls, 2, 'the version shown: nothing to pull');
});

test('a pull overtaken by newer states still brings its partials, and nothing else', async () => {
  let answer;
  const doc = createDocumentState({ pull: () => new Promise((resolve) => { answer = resolve; }) });
  doc.apply(pulled(1, 0));
  doc.apply(pushed(2, 1)); // an edit: the pull starts
  doc.apply({ ...pushed(5, 1), view: 'zoomed' }); // states of a zoom while it runs
  const partials = [{ id: 1, points: [] }];
  answer({ ok: true, state: { ...pulled(3, 1), partials, view: 'old' } });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(doc.current.revision, 5);
  assert.equal(doc.current.view, 'zoomed');
  assert.equal(doc.current.partials, partials);
  assert.equal(doc.current.partialsVersion, 1);
});

test('after dispose no state is taken and no subscriber is called', () => {
  const doc = createDocumentState({ pull: () => new Promise(() => {}) });
  let calls = 0;
  doc.subscribe(() => { calls += 1; });
  doc.dispose();
  doc.apply(pulled(1));
  assert.equal(calls, 0);
  assert.equal(doc.current, null);
});

test('an unsubscribed listener is not called', () => {
  const doc = createDocumentState({ pull: () => new Promise(() => {}) });
  let calls = 0;
  const unsubscribe = doc.subscribe(() => { calls += 1; });
  unsubscribe();
  doc.apply(pulled(1));
  assert.equal(calls, 0);
});
