import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatAmount, formatClock, formatRate, progressParts } from '../../web/progress-format.js';

// The examples app/progress_text.py is tested on too (tests/test_progress_text.py).
const CASES = JSON.parse(readFileSync(new URL('../progress_format_cases.json', import.meta.url)));

test('amounts read as the terminal writes them', () => {
  for (const [value, unit, text] of CASES.amount) assert.equal(formatAmount(value, unit), text);
});

test('rates read as the terminal writes them, and a rate of nothing is not shown', () => {
  for (const [rate, unit, text] of CASES.rate) assert.equal(formatRate(rate, unit), text);
});

test('clocks read as the terminal writes them', () => {
  for (const [seconds, text] of CASES.clock) assert.equal(formatClock(seconds), text);
});

test('a running task reads as on the terminal: no 0.00 it/s for one without a total', () => {
  for (const [task, text] of CASES.task) assert.equal(progressParts(task).join('  '), text, JSON.stringify(task));
});
