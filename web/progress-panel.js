// The progress panel: one bar per task the Python side is working on, with cancel buttons.
// Tasks arrive as snapshots (app/progress.py, TaskSnapshot.to_json), at most 10 times a
// second; the panel is rebuilt from each, so it holds no state of its own.

import { fractionDone, progressParts } from './progress-format.js';

const SLIDE_SECONDS = 1.2; // one pass of an indeterminate bar's block

/** A line of text about a task: what it is and how far along, for a bar's label. */
export function describeTask(task) {
  if (task.state === 'running') return [task.label, ...progressParts(task)].join('  ');
  if (task.state === 'failed') return `${task.label}  failed${task.message ? `: ${task.message}` : ''}`;
  return `${task.label}  ${task.state}`; // done, cancelled
}

/**
 * `tasks` without the finished ones that say the same as a newer one (the same view
 * computed again reads "CWT of 2 s at 934×597 done" each time): of a finished top-level
 * task's line, only the newest shows, with its children; running tasks all show.
 * @param {Array} tasks snapshots, parents before children, older before newer
 */
export function withoutRepeats(tasks) {
  const finishedLine = (task) => task.parent === null && task.state !== 'running' && describeTask(task);
  const newest = new Map(); // a finished line -> the id of the newest task reading so
  for (const task of tasks) if (finishedLine(task)) newest.set(finishedLine(task), task.id);
  const dropped = new Set();
  for (const task of tasks) {
    const line = finishedLine(task);
    if ((line && newest.get(line) !== task.id) || dropped.has(task.parent)) dropped.add(task.id);
  }
  return tasks.filter((task) => !dropped.has(task.id));
}

/** Depth of each task in the tree (tasks come parents first). */
function depths(tasks) {
  const depth = new Map();
  for (const task of tasks) depth.set(task.id, task.parent === null ? 0 : (depth.get(task.parent) ?? 0) + 1);
  return depth;
}

/**
 * Show `tasks` in `container`; hidden when there are none.
 * @param {HTMLElement} container
 * @param {Array} snapshots the tasks, parents before children
 * @param {{onCancel: (id: number) => void}} callbacks
 */
export function renderProgressPanel(container, snapshots, { onCancel }) {
  const tasks = withoutRepeats(snapshots);
  container.hidden = tasks.length === 0;
  const depth = depths(tasks);
  container.replaceChildren(...tasks.map((task) => {
    const row = document.createElement('div');
    row.className = `task ${task.state}`;
    row.dataset.taskId = String(task.id);
    row.style.paddingLeft = `${depth.get(task.id) * 14}px`;
    const label = document.createElement('div');
    label.className = 'task-label';
    label.textContent = describeTask(task);
    const bar = document.createElement('div');
    bar.className = 'task-bar';
    const fill = document.createElement('div');
    const fraction = fractionDone(task);
    // A task without a total has a block sliding across (CSS), as the terminal's bounces. The
    // panel is rebuilt at each snapshot: the task's elapsed time sets where the block is, or
    // each rebuild would start it again from the left.
    const sliding = fraction === null && task.state === 'running';
    fill.className = sliding ? 'fill indeterminate' : 'fill';
    if (sliding) {
      fill.style.animationDuration = `${SLIDE_SECONDS}s`;
      fill.style.animationDelay = `${-(task.elapsed % SLIDE_SECONDS)}s`;
    }
    fill.style.width = `${task.state === 'running' ? (fraction === null ? 30 : Math.floor(fraction * 100)) : 100}%`;
    bar.append(fill);
    row.append(label, bar);
    if (task.cancellable && task.state === 'running') {
      const cancel = document.createElement('button');
      cancel.className = 'task-cancel';
      cancel.textContent = '×';
      cancel.title = 'Cancel';
      cancel.addEventListener('click', () => onCancel(task.id));
      row.append(cancel);
    }
    return row;
  }));
}
