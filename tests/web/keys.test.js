import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTyping, shortcutFor } from '../../web/keys.js';

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

test('shortcutFor names the command of each shortcut', () => {
  const cases = [
    [{ key: 'o', ctrlKey: true }, 'open'],
    [{ key: 'O', metaKey: true }, 'open'],
    [{ key: 's', ctrlKey: true }, 'save'],
    [{ key: 'S', ctrlKey: true, shiftKey: true }, 'save-as'],
    [{ key: 'z', ctrlKey: true }, 'undo'],
    [{ key: 'Z', ctrlKey: true, shiftKey: true }, 'redo'],
    [{ key: 'y', ctrlKey: true }, 'redo'],
    [{ key: 't' }, 'trace'],
    [{ key: 'E' }, 'erase'],
    [{ key: 'n' }, 'navigate'],
    [{ key: 'r' }, 'track'],
    [{ key: 'M' }, 'select'],
    [{ key: 'Escape' }, 'clear-region'],
    [{ key: 'F' }, 'find-harmonics'],
    [{ key: 'j' }, 'join'],
    [{ key: 'x' }, 'split'],
    [{ key: ' ' }, 'play'],
    [{ key: '?', shiftKey: true }, 'help'],
    [{ key: 'Delete' }, 'delete'],
    [{ key: 'Backspace' }, 'delete'],
    [{ key: 's' }, 'slice'],
    [{ key: 'W' }, 'waveform'],
    [{ key: 'h' }, 'harmonics'],
    [{ key: 'q', ctrlKey: true }, 'quit'],
  ];
  for (const [event, command] of cases) assert.equal(shortcutFor(event), command, JSON.stringify(event));
});

test('shortcutFor leaves other keys, and tools with a modifier, to the browser', () => {
  for (const event of [{ key: 'g' }, { key: 't', ctrlKey: true }, { key: 't', altKey: true },
    { key: 'r', altKey: true }, { key: ' ', ctrlKey: true }, { key: 'q' }, { key: 'h', altKey: true },
    { key: 'w', ctrlKey: true }, { key: 'ArrowLeft' }, { key: 'Escape', ctrlKey: true }]) {
    assert.equal(shortcutFor(event), null, JSON.stringify(event));
  }
});
