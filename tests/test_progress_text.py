"""The terminal renderer, in a real process on a real pseudo-terminal and on a pipe."""

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from app.progress.tasks import ProgressManager, TaskSnapshot, clock
from app.progress.text import (
    TextRenderer,
    amount_text,
    bar_line,
    final_line,
    progress_parts,
    rate_text,
)

ROOT = Path(__file__).resolve().parent.parent

# Bars and a log line on stderr, the result on stdout, as the CLI will do it.
SCRIPT = """
import logging, sys, time
from app.progress.tasks import ProgressManager
from app.progress.text import TextRenderer, logs_above_bars

manager = ProgressManager()
with TextRenderer(manager, quiet="--quiet" in sys.argv) as renderer, logs_above_bars(renderer):
    with manager.task("analyse") as analyse:
        with analyse.child("read", 40, unit="rows") as read:
            for k in range(40):
                read.update(advance=1)
                time.sleep(0.01)
                if k == 20:
                    logging.getLogger("soma.test").warning("LOGGED: by logging")
        renderer.log("LOGGED: halfway")
        with analyse.child("search") as search:
            for _ in range(30):
                search.update(advance=7)
                time.sleep(0.01)
    try:
        with manager.task("doomed", 10):
            raise OSError("disk full")
    except OSError:
        pass
print("RESULT 42", flush=True)
"""

LOGGED_RECORD = r"[\d-]+ [\d:,]+ WARNING soma\.test: LOGGED: by logging"
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _run_on_pty(*args: str) -> str:
    """Everything the script writes to its terminal (stdout and stderr share it)."""
    master, slave = pty.openpty()
    # A pseudo-terminal starts as 0 x 0; give it a real terminal's size.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every copy of the slave is closed, the script has ended
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(master)
        process.wait(10)
    assert process.returncode == 0, output.decode(errors="replace")
    return output.decode()


def test_bars_are_drawn_and_redrawn_in_place_on_a_terminal():
    output = _run_on_pty()
    assert "\x1b[?25l" in output and output.rstrip().endswith("RESULT 42")
    assert "\x1b[?25h" in output  # the cursor is shown again
    assert output.count("\x1b[2F") >= 5  # back up over the two bars: redrawn in place
    assert "\x1b[2K" in output and "\x1b[J" in output
    lines = [ESCAPE.sub("", line) for line in output.replace("\r", "").split("\n")]
    bars = [line for line in lines if line.startswith("  read  [")]
    assert len(bars) >= 3
    # (An ETA under a second is not shown, and these 40 rows take less.)
    assert re.search(r"\[#+-+\]  \d+%  [\d.]+ rows/s", "\n".join(bars))
    percents = [int(m) for m in re.findall(r"(\d+)%", "\n".join(bars))]
    assert percents == sorted(percents) and percents[-1] >= 50
    assert any(re.match(r"  search  \[ *#### *\]  \d:\d\d", line) for line in lines)
    assert re.search(r"^analyse  \[#*-*\]\s+\d+%", "\n".join(lines), re.M)  # aggregated
    # Final lines, each once, and the log line, whole, on a line of its own.
    assert sum(bool(re.fullmatch(r"  read done in 0\.\d s", ln)) for ln in lines) == 1
    assert sum(bool(re.fullmatch(r"analyse done in \d\.\d s", ln)) for ln in lines) == 1
    assert lines.count("doomed failed: disk full") == 1
    assert lines.count("LOGGED: halfway") == 1
    # A logging record between two redraws of the bars: whole, on a line of its own.
    logged = [ln for ln in lines if "LOGGED: by logging" in ln]
    assert len(logged) == 1 and re.fullmatch(LOGGED_RECORD, logged[0]), logged
    # Nothing is left drawn after close(): the last frame clears below the final lines.
    last = output.rindex("doomed failed: disk full")
    assert "[" not in ESCAPE.sub("", output[last:])


def test_nothing_but_the_log_line_reaches_a_pipe():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, timeout=30)
    assert done.returncode == 0
    assert done.stdout == b"RESULT 42\n"
    assert re.fullmatch(LOGGED_RECORD + "\nLOGGED: halfway\n", done.stderr.decode())


def test_quiet_draws_nothing_on_a_terminal():
    output = _run_on_pty("--quiet")
    assert re.fullmatch(LOGGED_RECORD + "\nLOGGED: halfway\nRESULT 42\n", output.replace("\r", ""))


def _snapshot(**changes) -> TaskSnapshot:
    fields = dict(
        id=1,
        parent=None,
        label="render",
        total=200.0,
        done=84.0,
        state="running",
        started=0.0,
        elapsed=3.0,
        rate=12.3,
        eta=5.0,
        cancellable=False,
        message="",
        unit="rows",
    )
    fields.update(changes)
    return TaskSnapshot(**fields)


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({}, "render  [########------------]  42%  12.3 rows/s  ETA 0:05"),
        (
            {"done": 199.9, "rate": 1500.0, "eta": 3725.0},
            "render  [###################-]  99%  1,500 rows/s  ETA 1:02:05",
        ),
        (
            {"total": None, "done": 0.0, "rate": None, "eta": None, "elapsed": 0.0},
            "render  [####                ]  0:00",
        ),
        (
            {"total": None, "done": 0.0, "rate": 0.0, "eta": None, "elapsed": 3.0, "unit": ""},
            "render  [             ####   ]  0:03",
        ),  # no '0.00 it/s': nothing is counted
        (
            {
                "total": None,
                "done": 2048.0,
                "unit": "bytes",
                "rate": 1024.0,
                "eta": None,
                "elapsed": 65.0,
            },
            "render  [               #### ]  1:05  2.0 KB  1.0 KB/s",
        ),
    ],
)
def test_bar_lines(changes, expected):
    assert bar_line(_snapshot(**changes)) == expected


CASES = json.loads((ROOT / "tests" / "progress_format_cases.json").read_text())


def test_the_shared_formatting_cases():
    """The examples web/progress-format.js is tested on too: the two renderers agree."""
    for value, unit, text in CASES["amount"]:
        assert amount_text(value, unit) == text
    for rate, unit, text in CASES["rate"]:
        assert rate_text(rate, unit) == text
    for seconds, text in CASES["clock"]:
        assert clock(seconds) == text
    for fields, text in CASES["task"]:
        assert "  ".join(progress_parts(_snapshot(**fields))) == text, fields


def test_final_lines():
    assert final_line(_snapshot(state="done", elapsed=1.23)) == "render done in 1.2 s"
    assert final_line(_snapshot(state="cancelled")) == "render cancelled"
    assert final_line(_snapshot(state="failed", message="no audio")) == "render failed: no audio"


class _FakeTerminal:
    """A stream that says it is a terminal: the renderer's thread, in this process."""

    def __init__(self) -> None:
        self.text = []

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise OSError("no terminal size")  # the renderer falls back to 80 x 24

    def write(self, text: str) -> None:
        self.text.append(text)

    def flush(self) -> None:
        pass


def test_close_draws_the_end_and_leaves_no_thread():
    baseline = threading.active_count()
    manager = ProgressManager()
    stream = _FakeTerminal()
    renderer = TextRenderer(manager, stream)
    assert renderer.active and threading.active_count() == baseline + 1
    manager.task("copy", 4, unit="files").update(1)
    manager.task("long " * 30)  # wider than the terminal: cut, or redraws would drift
    renderer.close()
    renderer.close()
    assert threading.active_count() == baseline
    output = "".join(stream.text)
    assert output.endswith("\x1b[?25h")
    lines = [ESCAPE.sub("", line) for line in output.split("\n")]
    assert any(line.startswith("copy  [#####---------------]  25%") for line in lines)
    assert max(len(line) for line in lines) < 80
    renderer.log("after close")
    assert stream.text[-1] == "after close\n"
