import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisposalScope } from '../../web/disposal.js';
import { listenAll } from '../../web/listen.js';
import { Counted } from './fake-element.js';

test('disposing runs every handle once, newest first', () => {
  const scope = new DisposalScope();
  const ran = [];
  scope.add(() => ran.push('first'));
  scope.add({ dispose: () => ran.push('object') });
  scope.add(() => ran.push('last'));
  scope.dispose();
  scope.dispose();
  assert.deepEqual(ran, ['last', 'object', 'first']);
});

test('add returns the handle, so a part is made and kept in one expression', () => {
  const scope = new DisposalScope();
  const part = { dispose() {} };
  assert.equal(scope.add(part), part);
});

test('a handle added after disposal runs at once', () => {
  const scope = new DisposalScope();
  scope.dispose();
  let ran = 0;
  scope.add(() => { ran += 1; });
  assert.equal(ran, 1);
  scope.dispose();
  assert.equal(ran, 1);
});

test('a handle that throws does not stop the others; the first error is thrown after', () => {
  const scope = new DisposalScope();
  const ran = [];
  scope.add(() => ran.push('a'));
  scope.add(() => { throw new Error('first'); });
  scope.add(() => { throw new Error('second'); });
  assert.throws(() => scope.dispose(), /second/);
  assert.deepEqual(ran, ['a']);
});

test('after dispose, elements wired through the scope have no listeners left', () => {
  const scope = new DisposalScope();
  const targets = [new Counted(), new Counted()];
  for (const target of targets) {
    scope.add(listenAll(target, [['click', () => {}], ['keydown', () => {}]]));
  }
  assert.deepEqual(targets.map((t) => t.listeners), [2, 2]);
  scope.dispose();
  assert.deepEqual(targets.map((t) => t.listeners), [0, 0]);
});
