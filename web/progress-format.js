// How progress reads: amounts, rates, clocks and a running task's "how far along". The
// terminal (app/progress_text.py) follows the same rules; tests/progress_format_cases.json
// holds the examples both are tested on. Pure.

import { formatTime } from './axes.js';

const KILO = 1024;

function formatNumber(value) {
  if (value >= 100) return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function formatBytes(count) {
  for (const name of ['B', 'KB', 'MB', 'GB']) {
    if (count < KILO) return name === 'B' ? `${Math.round(count)} ${name}` : `${count.toFixed(1)} ${name}`;
    count /= KILO;
  }
  return `${count.toFixed(1)} TB`;
}

/** A count with its unit: '2.0 KB' for bytes, '1,500 rows', '7.00' without a unit. */
export function formatAmount(value, unit) {
  if (unit === 'bytes') return formatBytes(value);
  return `${formatNumber(value)} ${unit}`.trimEnd();
}

/**
 * Units per second: '12.3 rows/s', '1.0 KB/s', '0.50 it/s' without a unit; '' when nothing
 * advances (null or 0), so a task that counts nothing never reads '0.00 it/s'.
 */
export function formatRate(rate, unit) {
  if (!(rate > 0)) return ''; // also null and undefined
  if (unit === 'bytes') return `${formatBytes(rate)}/s`;
  return `${formatNumber(rate)} ${unit || 'it'}/s`;
}

/** A duration in whole seconds, rounded: '0:04', '1:02:05'. */
export function formatClock(seconds) {
  return formatTime(seconds, 1);
}

/** The fraction done of a task with a total (a total of 0 is all done), else null. */
export function fractionDone(task) {
  if (task.total === null || task.total === undefined) return null;
  return task.total > 0 ? task.done / task.total : 1;
}

/**
 * How far a running task is, in words: ['42%', '12.3 rows/s', 'ETA 0:05'] when its total is
 * known (the percentage rounded down: never 100% before the end; an ETA under a second says
 * nothing), else ['0:04', '2.0 KB', '1.0 KB/s'] (elapsed, count so far, rate).
 * @param {{total: ?number, done: number, rate: ?number, eta: ?number, elapsed: number, unit: string}} task
 * @returns {string[]}
 */
export function progressParts(task) {
  const rate = formatRate(task.rate, task.unit);
  const fraction = fractionDone(task);
  let parts;
  if (fraction !== null) {
    parts = [`${Math.floor(fraction * 100)}%`, rate];
    if (task.eta !== null && task.eta !== undefined && task.eta >= 1) parts.push(`ETA ${formatClock(task.eta)}`);
  } else {
    parts = [formatClock(task.elapsed), task.done ? formatAmount(task.done, task.unit) : '', rate];
  }
  return parts.filter((part) => part);
}
