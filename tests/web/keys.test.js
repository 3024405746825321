import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTyping } from '../../web/keys.js';

const element = (tagName, more = {}) => ({ tagName, isContentEditable: false, ...more });

test('text fields, selects and editable content take keys as typing', () => {
  for (const type of ['text', 'number', 'search', 'email', 'password', 'url', 'tel', 'date']) {
    assert.ok(isTyping(element('INPUT', { type })), type);
  }
  assert.ok(isTyping(element('INPUT', { type: '' })), 'an input without a type is text');
  assert.ok(isTyping(element('TEXTAREA')));
  assert.ok(isTyping(element('SELECT')));
  assert.ok(isTyping(element('DIV', { isContentEditable: true })));
});

test('buttons, swatches, checkboxes and the page leave keys to the shortcuts', () => {
  for (const type of ['button', 'checkbox', 'color', 'radio', 'range', 'submit', 'file']) {
    assert.ok(!isTyping(element('INPUT', { type })), type);
  }
  for (const tag of ['BUTTON', 'BODY', 'DIV', 'CANVAS', 'DIALOG']) assert.ok(!isTyping(element(tag)), tag);
  assert.ok(!isTyping(null));
  assert.ok(!isTyping({})); // the window or the document
});
