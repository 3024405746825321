"""The dev-mode supervisor with real processes: a tiny fake app stands in for Soma.

The fake app (package `fakeapp` in a temporary folder, run with `python -m fakeapp`) logs
`start <pid> <count> <VALUE>` where count comes from the state file and VALUE from
fakeapp/mod.py, `reload <pid>` on SIGUSR1, and on SIGUSR2 saves count+1 atomically, ends its
worker and exits 3. It starts a worker process (a sleeping grandchild) and does NOT end it on
SIGTERM, so the supervisor has to clean the group up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from live_processes import alive

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX only")

FAKE_MAIN = r"""
import json, os, signal, subprocess, sys, time
from pathlib import Path
from . import mod

out = Path(os.environ["FAKE_OUT"])
state = Path(os.environ["SOMA_DEV_STATE"])
count = json.loads(state.read_text())["count"] if state.exists() else 0
worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])

def log(line):
    with open(out / "log", "a") as f:
        f.write(line + "\n")

def on_usr1(sig, frame):
    log(f"reload {os.getpid()}")

def on_usr2(sig, frame):
    tmp = state.with_name(state.name + ".tmp")
    tmp.write_text(json.dumps({"count": count + 1}))
    os.replace(tmp, state)
    worker.kill(); worker.wait()
    log(f"saved {os.getpid()} {count + 1}")
    sys.exit(3)

signal.signal(signal.SIGUSR1, on_usr1)
signal.signal(signal.SIGUSR2, on_usr2)
log(f"start {os.getpid()} {count} {mod.VALUE} {worker.pid}")
while not (out / "quit").exists():
    time.sleep(0.05)
worker.kill(); worker.wait()
log(f"quit {os.getpid()}")
"""

RUNNER = r"""
import os, sys
from pathlib import Path
from app.dev.supervisor import ReloadSupervisor
here = Path(__file__).parent
sys.exit(ReloadSupervisor([sys.executable, "-m", "fakeapp"],
                          watch={"python": [here / "fakeapp"], "web": [here / "web"]},
                          state_file=here / "state" / "state.json", startup_window=3.0,
                          grace=3.0).run())
"""


class Session:
    def __init__(self, folder: Path):
        self.folder = folder
        (folder / "fakeapp").mkdir()
        (folder / "web").mkdir()
        (folder / "fakeapp" / "__init__.py").write_text("")
        (folder / "fakeapp" / "__main__.py").write_text(FAKE_MAIN)
        (folder / "fakeapp" / "mod.py").write_text("VALUE = 1\n")
        (folder / "web" / "main.js").write_text("// 1\n")
        (folder / "run.py").write_text(RUNNER)
        self.out = folder / "out"
        self.out.mkdir()
        self.stderr_path = folder / "stderr.txt"
        env = dict(
            os.environ, FAKE_OUT=str(self.out), PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)])
        )
        env.pop("SOMA_DEV", None)
        env.pop("SOMA_DEV_STATE", None)
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(folder / "run.py")],
            cwd=folder,
            env=env,
            stdout=self.stderr,
            stderr=self.stderr,
        )

    def lines(self, word: str | None = None) -> list[list[str]]:
        try:
            text = (self.out / "log").read_text()
        except FileNotFoundError:
            return []
        rows = [line.split() for line in text.splitlines()]
        return [r for r in rows if word is None or r[0] == word]

    def wait_lines(self, word: str, n: int, timeout: float = 8.0) -> list[list[str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.lines(word)
            if len(rows) >= n:
                return rows
            assert self.proc.poll() is None, f"supervisor ended early:\n{self.errors()}"
            time.sleep(0.05)
        raise AssertionError(f"no {n} {word!r} lines in {self.lines()}\nstderr:\n{self.errors()}")

    def errors(self) -> str:
        return self.stderr_path.read_text()

    def wait_stderr(self, text: str, timeout: float = 8.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.errors():
                return self.errors()
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not in stderr:\n{self.errors()}")

    def write(self, rel: str, text: str) -> None:
        (self.folder / rel).write_text(text)

    def atomic_write(self, rel: str, text: str) -> None:
        path = self.folder / rel
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        for row in self.lines("start"):  # never leave a fake app behind, even on failure
            for pid in (int(row[1]), int(row[4])):
                if alive(pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


@pytest.fixture
def session(tmp_path):
    s = Session(tmp_path)
    try:
        yield s
    finally:
        s.close()


def settle(seconds: float = 0.8) -> None:
    time.sleep(seconds)


def test_python_edit_restarts_with_state_and_atomic_save_too(session):
    first = session.wait_lines("start", 1)[0]
    session.write("fakeapp/mod.py", "VALUE = 2\n")
    second = session.wait_lines("start", 2)[1]
    assert second[1] != first[1]
    assert second[2:4] == ["1", "2"]  # state restored, new code loaded
    assert not alive(int(first[1])) and not alive(int(first[4]))
    session.atomic_write("fakeapp/mod.py", "VALUE = 3\n")
    third = session.wait_lines("start", 3)[2]
    assert third[2:4] == ["2", "3"]
    errors = session.errors()
    assert "restarting after change to fakeapp/mod.py" in errors
    assert "(restoring state)" in errors


def test_web_edit_reloads_page_and_keeps_pid(session):
    pid = session.wait_lines("start", 1)[0][1]
    session.write("web/main.js", "// 2\n")
    assert session.wait_lines("reload", 1)[0][1] == pid
    session.atomic_write("web/style.css", "body {}\n")  # a new file, saved atomically
    assert session.wait_lines("reload", 2)[1][1] == pid
    assert "page reload after change to web/main.js" in session.errors()
    # none of these count
    session.write("web/.main.js.swp", "x")
    session.write("web/main.js~", "x")
    session.write("fakeapp/.#mod.py", "x")
    session.write("fakeapp/4913", "x")
    session.write("fakeapp/notes.txt", "x")
    (session.folder / "fakeapp" / "__pycache__").mkdir(exist_ok=True)
    session.write("fakeapp/__pycache__/mod.cpython-311.pyc", "x")
    session.write("outside.py", "x = 1\n")
    settle()
    assert len(session.lines("start")) == 1 and len(session.lines("reload")) == 2


def test_syntax_error_keeps_old_child_then_fix_restarts(session):
    pid = session.wait_lines("start", 1)[0][1]
    session.write("fakeapp/mod.py", "VALUE = 2\ndef broken(:\n    pass\n")
    errors = session.wait_stderr("syntax error in fakeapp/mod.py line 2")
    settle()
    errors = session.errors()
    assert "keeping the running app" in errors and "def broken(:" in errors and "^" in errors
    assert session.proc.poll() is None and alive(int(pid))
    assert len(session.lines("start")) == 1
    session.write("fakeapp/mod.py", "VALUE = 5\n")
    second = session.wait_lines("start", 2)[1]
    assert second[1] != pid and second[2:4] == ["1", "5"]


def test_import_crash_waits_for_next_change_and_keeps_state(session):
    session.wait_lines("start", 1)
    session.write("fakeapp/mod.py", "raise ImportError('boom at import')\n")
    session.wait_stderr("child failed to start (exit 1), waiting for a change")
    assert "boom at import" in session.errors()  # the child's own traceback
    assert session.proc.poll() is None and len(session.lines("start")) == 1
    session.write("fakeapp/mod.py", "VALUE = 7\n")
    second = session.wait_lines("start", 2)[1]
    assert second[2:4] == ["1", "7"]  # the state saved before the crash is still there


def test_ctrl_c_leaves_no_process(session):
    row = session.wait_lines("start", 1)[0]
    child, worker = int(row[1]), int(row[4])
    session.proc.send_signal(signal.SIGINT)
    assert session.proc.wait(10) == 0
    deadline = time.monotonic() + 3
    while (alive(child) or alive(worker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child) and not alive(worker)
    assert "soma dev: stopping" in session.errors()


def test_burst_of_saves_is_one_restart(session):
    session.wait_lines("start", 1)
    for i in range(10):
        session.write("fakeapp/mod.py", f"VALUE = {10 + i}\n")
        time.sleep(0.01)
    session.wait_lines("start", 2)
    settle(1.0)
    starts = session.lines("start")
    assert len(starts) == 2 and starts[1][3] == "19"
    assert session.errors().count("restarting after") == 1


def test_signals_before_the_app_handles_them_do_not_kill_it(session):
    session.wait_lines("start", 1)
    session.write("fakeapp/mod.py", "import time\ntime.sleep(2)\nVALUE = 2\n")  # slow import
    session.wait_stderr("restarting after change to fakeapp/mod.py")
    session.wait_stderr("(restoring state)")
    session.write("web/main.js", "// 3\n")  # arrives while the new child is still importing
    session.wait_stderr("skipped: the app is still starting")
    second = session.wait_lines("start", 2)[1]  # SIGUSR1 did not kill it
    assert second[2:4] == ["1", "2"] and not session.lines("reload")


def test_child_closing_with_0_ends_supervisor(session):
    row = session.wait_lines("start", 1)[0]
    (session.out / "quit").write_text("")
    assert session.proc.wait(10) == 0
    assert not alive(int(row[1])) and not alive(int(row[4]))
    assert "child exited (0)" in session.errors()


def test_classify_and_child_helpers(tmp_path, monkeypatch):
    from app.base.devchild import STATE_ENV, read_dev_state, write_dev_state
    from app.dev.supervisor import ReloadSupervisor, run_dev

    (tmp_path / "app").mkdir()
    (tmp_path / "web").mkdir()
    sup = ReloadSupervisor(
        ["true"],
        watch={"python": tmp_path / "app", "web": [tmp_path / "web"]},
        state_file=tmp_path / "s.json",
    )
    root = tmp_path.resolve()
    assert sup.classify(root / "app" / "x.py") == "python"
    assert sup.classify(root / "app" / "sub" / "y.py") == "python"
    assert sup.classify(str(root / "web" / "main.js").encode()) == "web"
    for ignored in [
        "app/x.pyc",
        "app/__pycache__/x.py",
        "app/.#x.py",
        "app/x.py~",
        "app/4913",
        "app/x.py.tmp",
        "app/.x.py.swp",
        "web/x.py",
        "app/x.js",
        "other/x.py",
        "app/.git/x.py",
    ]:
        assert sup.classify(root / ignored) is None, ignored

    monkeypatch.setenv("SOMA_DEV", "1")
    assert run_dev([], tmp_path) == 2  # never a supervisor under a supervisor
    monkeypatch.delenv(STATE_ENV, raising=False)
    assert read_dev_state() is None
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "state.json"))
    assert read_dev_state() is None
    write_dev_state({"view": [0, 1]})
    assert read_dev_state() == {"view": [0, 1]}
    assert not (tmp_path / "state.json.tmp").exists()
