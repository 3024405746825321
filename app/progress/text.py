"""The terminal's view of a ProgressManager: bars redrawn in place (seed 001).

One line per running task, indented by depth, kept at the bottom of the terminal and
redrawn at most 10 times a second: the cursor goes back up over the bars (ESC[nF), each line
is cleared and rewritten (ESC[2K), and what is left below is cleared (ESC[J). A task that
ends leaves one permanent line above the bars ("label done in 1.2 s").

Only on a terminal: when the stream is a pipe or a file, or with quiet=True, no bar is ever
drawn, so what a script captures holds only the CLI's results and errors. Log lines go
through `log()` in every mode: on a terminal it clears the bars, prints the line and draws
the bars again below it, since a line written straight to the stream would land inside them.
`logs_above_bars` sends the `logging` records there too.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from app.progress.logs import FORMAT
from app.progress.tasks import ProgressManager, TaskSnapshot, Throttle, clock

BAR = 20  # characters between the brackets
BLOCK = 4  # the bouncing block of an indeterminate bar
BOUNCE_SPEED = 15  # characters per second the block moves

_UP = "\x1b[{}F"  # to the start of the line n lines up
_CLEAR_LINE = "\x1b[2K"
_CLEAR_BELOW = "\x1b[J"
_HIDE_CURSOR = "\x1b[?25l"  # a cursor jumping over the bars 10 times a second flickers
_SHOW_CURSOR = "\x1b[?25h"


class TextRenderer:
    """Draws `manager`'s tasks on `stream` (sys.stderr by default) until close().

    Use as a context manager, or call close(): it draws the final state, prints the final
    lines of tasks that ended, shows the cursor again and ends the drawing thread.
    """

    def __init__(
        self,
        manager: ProgressManager,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        max_per_second: float = 10.0,
    ) -> None:
        self._manager = manager
        self._stream = stream if stream is not None else sys.stderr
        self.active = not quiet and not manager.quiet and _is_terminal(self._stream)
        self._lock = threading.Lock()  # the stream: the drawing thread and log() callers
        self._tasks: list[TaskSnapshot] = []  # drawn last, for log() to draw again
        self._bars: list[str] = []  # the lines on screen below the cursor's row
        self._reported: set[int] = set()  # tasks whose final line is printed
        self._cursor_hidden = False
        self._closed = False
        # Redrawn also without changes while tasks run: elapsed times and bouncing blocks move.
        self._throttle = (
            Throttle(
                manager,
                self._show,
                max_per_second=max_per_second,
                encode=list,
                heartbeat=1.0 / max_per_second,
            )
            if self.active
            else None
        )

    def log(self, line: str) -> None:
        """Print `line` above the bars (plainly when no bars are drawn)."""
        with self._lock:
            if self.active and not self._closed:
                self._draw(self._tasks, line.splitlines() or [""])
            else:
                self._write(line + "\n")

    def close(self) -> None:
        if self._throttle is not None:
            self._throttle.close()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.active:
                self._draw(self._manager.snapshot(), [])
                if self._cursor_hidden:
                    self._write(_SHOW_CURSOR)

    def __enter__(self) -> TextRenderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _show(self, tasks: list[TaskSnapshot]) -> None:
        with self._lock:
            if not self._closed:
                self._draw(tasks, [])

    def _draw(self, tasks: list[TaskSnapshot], logged: list[str]) -> None:
        """Replace the bars on screen with `tasks`' (under the lock)."""
        columns, rows = _terminal_size(self._stream)
        depth: dict[int, int] = {}
        finals, bars = [], []
        for task in tasks:  # tree order: a parent's depth is known before its subtasks'
            depth[task.id] = depth[task.parent] + 1 if task.parent in depth else 0
            indent = "  " * depth[task.id]
            if task.state == "running":
                bars.append(_fit(indent + bar_line(task), columns))
            elif task.id not in self._reported:
                self._reported.add(task.id)
                finals.append((task.started + task.elapsed, indent + final_line(task)))
        finals.sort(key=lambda pair: pair[0])  # in the order the tasks ended
        finals = [line for _, line in finals]
        self._reported.intersection_update(depth)  # ids are never reused: forget the gone
        if len(bars) > rows - 1:  # the cursor cannot go back above the top of the screen
            shown = max(rows - 2, 0)
            bars = [*bars[:shown], f"... and {len(bars) - shown} more"]
        self._tasks = tasks
        if not logged and not finals and bars == self._bars:
            return
        frame = [_UP.format(len(self._bars))] if self._bars else []
        if bars and not self._cursor_hidden:
            frame.append(_HIDE_CURSOR)
            self._cursor_hidden = True
        frame += [_CLEAR_LINE + line + "\n" for line in logged + finals + bars]
        frame.append(_CLEAR_BELOW)
        self._bars = bars
        self._write("".join(frame))  # one write: the terminal never shows half a frame

    def _write(self, text: str) -> None:
        self._stream.write(text)
        self._stream.flush()


class _RendererLogHandler(logging.Handler):
    def __init__(self, renderer: TextRenderer, level: int) -> None:
        super().__init__(level)
        self._renderer = renderer
        self.setFormatter(logging.Formatter(FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._renderer.log(self.format(record))
        except Exception:  # logging's rule: a handler never raises into the caller
            self.handleError(record)


@contextmanager
def logs_above_bars(renderer: TextRenderer, level: int = logging.WARNING) -> Iterator[None]:
    """While inside, the root logger's records of `level` and up are written through
    `renderer.log`, above its bars, rather than by Python's last-resort handler straight
    into them."""
    handler = _RendererLogHandler(renderer, level)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


def bar_line(task: TaskSnapshot) -> str:
    """`label  [#####-----]  42%  12.3 rows/s  ETA 0:05`, or for an indeterminate task a
    bouncing block, the elapsed time and the count so far."""
    if task.total is not None:
        filled = int(_fraction(task) * BAR)
        bar = f"[{'#' * filled}{'-' * (BAR - filled)}]"
    else:
        span = BAR - BLOCK
        step = int(task.elapsed * BOUNCE_SPEED) % (2 * span)
        at = step if step <= span else 2 * span - step
        bar = f"[{' ' * at}{'#' * BLOCK}{' ' * (span - at)}]"
    return "  ".join([task.label, bar, *progress_parts(task)])


def progress_parts(task: TaskSnapshot) -> list[str]:
    """How far a running task is, in words: ['42%', '12.3 rows/s', 'ETA 0:05'] when its
    total is known, else ['0:04', '2.0 KB', '1.0 KB/s'] (elapsed, count, rate).

    The page follows the same rules (web/progress-format.js); tests/progress_format_cases.json
    holds the examples both are tested on. A rate shows only while work advances: a task
    that counts nothing would otherwise read '0.00 it/s'; an ETA under a second says nothing.
    """
    rate = rate_text(task.rate, task.unit)
    if task.total is not None:
        # Rounded down: a running task never shows 100% before it has done it all.
        parts = [f"{int(_fraction(task) * 100)}%", rate]
        if task.eta is not None and task.eta >= 1:
            parts.append(f"ETA {clock(task.eta)}")
    else:
        parts = [clock(task.elapsed), amount_text(task.done, task.unit) if task.done else "", rate]
    return [part for part in parts if part]


def _fraction(task: TaskSnapshot) -> float:
    return task.done / task.total if task.total > 0 else 1.0


def final_line(task: TaskSnapshot) -> str:
    if task.state == "done":
        return f"{task.label} done in {task.elapsed:.1f} s"
    if task.state == "failed":
        return f"{task.label} failed: {task.message}"
    return f"{task.label} cancelled"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # not a file, or a closed one
        return False


def _terminal_size(stream: TextIO) -> tuple[int, int]:
    """(columns, rows); a pseudo-terminal nobody sized reports 0 x 0."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        return 80, 24
    return size.columns or 80, size.lines or 24


def _fit(line: str, columns: int) -> str:
    # A line that wraps takes two rows and the cursor-up count would be wrong; the last
    # column is left free because some terminals wrap on writing it.
    return line if len(line) < columns else line[: max(columns - 2, 0)] + "~"


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def amount_text(value: float, unit: str) -> str:
    """A count with its unit: '2.0 KB' for bytes, '1,500 rows', '7.00' without a unit."""
    if unit == "bytes":
        return _bytes(value)
    return f"{_number(value)} {unit}".rstrip()


def rate_text(rate: float | None, unit: str) -> str:
    """'12.3 rows/s', '1.0 KB/s', '0.50 it/s' without a unit; '' when nothing advances."""
    if rate is None or rate <= 0:
        return ""
    if unit == "bytes":
        return f"{_bytes(rate)}/s"
    return f"{_number(rate)} {unit or 'it'}/s"


def _bytes(count: float) -> str:
    for name in ("B", "KB", "MB", "GB"):
        if count < 1024:
            return f"{count:.0f} {name}" if name == "B" else f"{count:.1f} {name}"
        count /= 1024
    return f"{count:.1f} TB"
