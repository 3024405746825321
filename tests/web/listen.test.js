import { test } from 'node:test';
import assert from 'node:assert/strict';

import { listenAll } from '../../web/listen.js';
import { Counted } from './fake-element.js';

test('listenAll adds every listener and its returned function removes them all', () => {
  const target = new Counted();
  const heard = [];
  const unlisten = listenAll(target, [
    ['a', () => heard.push('a')],
    ['b', () => heard.push('b'), { passive: true }],
  ]);
  assert.equal(target.listeners, 2);
  target.dispatchEvent(new Event('a'));
  target.dispatchEvent(new Event('b'));
  unlisten();
  assert.equal(target.listeners, 0);
  target.dispatchEvent(new Event('a'));
  assert.deepEqual(heard, ['a', 'b']);
});
