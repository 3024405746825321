"""`soma --dev`: a supervisor that restarts Soma when its Python code changes and reloads the
page when web/ changes. Python code is never reloaded in place (importlib.reload leaves old
classes, old threads and half-updated modules behind): the app saves its state, exits, and a
fresh process restores it.

The protocol between the supervisor and the app (the "child")
-------------------------------------------------------------
POSIX only (signals SIGUSR1/SIGUSR2, process groups).

* The supervisor runs ``[sys.executable, "-m", "app", *args]`` (``--dev`` removed from args) in
  the caller's working directory, in a new session (``start_new_session=True``: the child leads
  its own process group, so Ctrl+C in the terminal reaches only the supervisor, and the
  supervisor can kill the whole group). stdin/stdout/stderr are inherited. Its environment adds:

  - ``SOMA_DEV=1`` (``DEV_ENV``): the app runs under the supervisor. Never start another
    supervisor from such a process.
  - ``SOMA_DEV_STATE=<path>`` (``STATE_ENV``): the state file, ``state.json`` in a temporary
    folder the supervisor creates for its run and removes when it ends. The folder exists; the
    file does not until the app first writes it. Its content is the app's business (the app's
    JSON). The supervisor never reads or writes it.
  - the project root is put in front of ``PYTHONPATH`` (``run_dev``), so ``-m app`` imports
    the sources being watched.

* On start the app checks the state file: if it exists, this start is a restart and the app
  restores from it. The app must not delete it (a later restart may find the app unable to
  save, and then the last saved state is the best there is).

* SIGUSR1 = "reload the page" (sent after a change under web/). The app reloads its page
  (``evaluate_js('location.reload()')``) and keeps running. Python's state is untouched.

* SIGUSR2 = "save and exit for a restart" (sent after a change to Python code that compiles).
  The app writes its state to ``SOMA_DEV_STATE`` atomically (a temporary file in the same
  folder, then ``os.replace``: app.base.devchild.write_dev_state), ends its workers, and exits
  with code 3 (``RESTART_EXIT_CODE``). The supervisor waits ``grace`` seconds (5), then sends
  SIGTERM to the child's process group, waits 2 s more, then SIGKILL to the group. It then
  starts a new child.

* The app should install its SIGUSR1/SIGUSR2 handlers early. Until it does (the supervisor
  reads SigCgt in /proc/<pid>/status on Linux), a page reload is skipped (the page is about to
  load anyway) and a restart stops the child with SIGTERM without a save (the previous state
  file, if any, is kept).

* How the child's exit is read:
  - exit 3: restart at once (the app may also exit 3 by itself to ask for a restart; five
    quick exits 3 in a row are treated as a failure);
  - exit 0: the user closed the window; the supervisor stops and returns 0;
  - anything else (an ImportError at import time is exit 1; a signal is reported by name): the
    supervisor reports "child failed to start" (within ``startup_window`` s of the start) or
    "child exited with code N", keeps the state file, and starts a new child at the next change
    that compiles. The child's traceback is already on the terminal.

* When the child has exited, whatever is left of its process group (workers the app did not
  end) is killed with SIGKILL, so no process is left behind.

* Ctrl+C (SIGINT), SIGTERM or SIGHUP to the supervisor: SIGTERM to the child, ``grace`` s, then
  SIGKILL to its group; the observer stops; ``run()`` returns 0. A second Ctrl+C skips the
  grace period.

Changes
-------
Watched folders: ``python``: app/ and workers/ (``*.py``), ``web``: web/ (``*.css *.js *.mjs
*.html *.json *.svg``), recursively. Ignored: directories, anything under ``__pycache__``,
``.git`` or ``node_modules``, ``*.pyc``, editor files (``*.swp *.swo *.swx *~ .#* #*# 4913
*.tmp *.bak``), and files outside the watched folders. Created, modified, closed-after-write,
deleted and moved events count; for a move both ends are looked at, so an atomic save (write
``x.py.tmp``, rename to ``x.py``) counts as a change to ``x.py``. (watchdog's own
PatternMatchingEventHandler drops such a move by default, IgnorePolicy.ANY, when its source
matches an ignore pattern, hence our own matching.) Events are collected until ``debounce``
seconds (0.3) pass without a new one; the batch is then one decision:

* any Python file in it: each changed file that still exists (and each file that failed last
  time) is compiled with ``compile(source, path, "exec")``. On an error the supervisor prints
  it (file, line, caret, message) and leaves the running child alone; otherwise it restarts.
* only web files: SIGUSR1.

The shape follows uvicorn's supervisors: `Supervisor` is the run loop (startup, a tick every
``poll`` s, restart, shutdown) with signals handled in one place; `ReloadSupervisor` is the
strategy (what changed, and whether that means a restart or a reload).
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from app.base.devchild import DEV_ENV, RELOAD_SIGNAL, RESTART_EXIT_CODE, RESTART_SIGNAL, STATE_ENV

PREFIX = "soma dev:"
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

SUFFIXES = {
    "python": frozenset({".py"}),
    "web": frozenset({".css", ".js", ".mjs", ".html", ".json", ".svg"}),
}
IGNORED_DIRS = frozenset({"__pycache__", ".git", "node_modules"})
IGNORED_NAMES = ("*.pyc", "*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913", "*.tmp", "*.bak")
QUICK_RESTARTS_LIMIT = 5


def log(message: str) -> None:
    print(f"{PREFIX} {message}", file=sys.stderr, flush=True)


def display_path(path: Path | str) -> str:
    """The path relative to the working directory when it is under it."""
    path = Path(path)
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


# --- process helpers ----------------------------------------------------------------------


def catches_signal(pid: int, sig: int) -> bool | None:
    """Whether process `pid` has a handler for `sig` (Linux /proc SigCgt); None if unknown."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        return None
    return None


def group_members(pgid: int) -> list[int] | None:
    """Live pids in process group `pgid` (Linux /proc), None if /proc cannot tell."""
    if not os.path.isdir("/proc/self"):
        return None
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()  # state ppid pgrp ...
        if len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            found.append(int(entry))
    return found


@dataclass
class Changes:
    """One debounced batch: paths by kind ("python", "web")."""

    paths: dict[str, set[Path]] = field(default_factory=dict)

    def __getitem__(self, kind: str) -> set[Path]:
        return self.paths.get(kind, set())

    def __bool__(self) -> bool:
        return any(self.paths.values())

    def first(self, kind: str | None = None) -> str:
        kinds = [kind] if kind else sorted(self.paths)
        for k in kinds:
            if self.paths.get(k):
                return display_path(sorted(self.paths[k])[0])
        return "?"


class Supervisor:
    """Runs a child and restarts it; the run loop, the child's life and signals live here.

    Subclasses give the strategy: `pending_changes()` returns a batch of changes or None,
    `should_restart(changes)` / `should_reload(changes)` decide what the batch means.
    Without a subclass the child is only restarted when it exits with RESTART_EXIT_CODE.
    """

    def __init__(
        self,
        command: list[str],
        *,
        state_file: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        grace: float = 5.0,
        kill_grace: float = 2.0,
        startup_window: float = 3.0,
        poll: float = 0.05,
    ):
        self.command = list(command)
        self.state_file = Path(state_file)
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.grace = grace
        self.kill_grace = kill_grace
        self.startup_window = startup_window
        self.poll = poll
        self.should_exit = threading.Event()
        self.force_exit = threading.Event()
        self.exit_code = 0
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.quick_restarts = 0
        self._old_handlers: dict[int, object] = {}

    # --- the loop ---

    def run(self) -> int:
        """Blocks until the child exits with 0 or the supervisor is told to stop; the exit code."""
        self.install_signal_handlers()
        try:
            self.startup()
            while not self.should_exit.wait(self.poll):
                self.tick()
        finally:
            self.shutdown()
            self.restore_signal_handlers()
        return self.exit_code

    def startup(self) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.start_child()

    def tick(self) -> None:
        self.check_child()
        if self.should_exit.is_set():
            return
        changes = self.pending_changes()
        if changes:
            self.on_changes(changes)

    def on_changes(self, changes: Changes) -> None:
        if self.should_restart(changes):
            if self.process is None:
                what = changes.first("python") if changes["python"] else changes.first()
                log(f"starting after change to {what}")
                self.start_child()
            else:
                self.restart(f"change to {changes.first('python')}")
        elif self.should_reload(changes):
            self.reload(f"change to {changes.first('web')}")

    def shutdown(self) -> None:
        log("stopping")
        if self.process is not None:
            code = self.stop_child(signal.SIGTERM)
            if code is not None and code not in (0, -signal.SIGTERM):
                log(f"child ended ({describe_exit(code)})")

    # --- hooks for strategies ---

    def pending_changes(self) -> Changes | None:
        return None

    def should_restart(self, changes: Changes) -> bool:
        return False

    def should_reload(self, changes: Changes) -> bool:
        return False

    # --- signals, in one place ---

    def install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # signals are only delivered to the main thread; the caller stops us instead
        for sig in HANDLED_SIGNALS:
            self._old_handlers[sig] = signal.signal(sig, self.handle_signal)

    def restore_signal_handlers(self) -> None:
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        self._old_handlers.clear()

    def handle_signal(self, sig, frame) -> None:
        if self.should_exit.is_set():
            self.force_exit.set()  # a second Ctrl+C: no more grace
        self.should_exit.set()

    def stop(self) -> None:
        """Asks run() to end (from another thread, or a test)."""
        self.should_exit.set()

    # --- the child ---

    def child_env(self) -> dict[str, str]:
        env = dict(self.env)
        env[STATE_ENV] = str(self.state_file)
        env[DEV_ENV] = "1"
        return env

    def start_child(self) -> None:
        restoring = self.state_file.exists()
        self.process = subprocess.Popen(
            self.command, env=self.child_env(), cwd=self.cwd, start_new_session=True
        )
        self.started_at = time.monotonic()
        log(f"started child pid {self.process.pid}" + (" (restoring state)" if restoring else ""))

    def reload(self, reason: str) -> None:
        if self.process is None:
            return
        if catches_signal(self.process.pid, RELOAD_SIGNAL) is False:
            log(f"page reload after {reason} skipped: the app is still starting")
            return
        log(f"page reload after {reason}")
        self._signal_child(RELOAD_SIGNAL)

    def restart(self, reason: str) -> None:
        log(f"restarting after {reason}")
        if self.process is not None:
            if catches_signal(self.process.pid, RESTART_SIGNAL) is False:
                log(
                    "the app is still starting (no SIGUSR2 handler yet): stopping it without a save"
                )
                code = self.stop_child(signal.SIGTERM)
            else:
                code = self.stop_child(RESTART_SIGNAL)
                if code is not None and code != RESTART_EXIT_CODE:
                    log(
                        f"child ended with {describe_exit(code)}, not {RESTART_EXIT_CODE}: "
                        "its state may not have been saved"
                    )
        if not self.should_exit.is_set():
            self.start_child()

    def check_child(self) -> None:
        """Handles a child that exited by itself."""
        if self.process is None:
            return
        code = self._exit_status(self.process)
        if code is None:
            return
        ran = time.monotonic() - self.started_at
        self._reap()
        if code == RESTART_EXIT_CODE:
            self.quick_restarts = self.quick_restarts + 1 if ran < self.startup_window else 0
            if self.quick_restarts >= QUICK_RESTARTS_LIMIT:
                log(
                    f"child keeps exiting with {RESTART_EXIT_CODE} right after starting; "
                    "waiting for a change"
                )
                self.quick_restarts = 0
                return
            log("child asked for a restart")
            self.start_child()
        elif code == 0:
            log("child exited (0)")
            self.exit_code = 0
            self.should_exit.set()
        elif ran < self.startup_window:
            log(f"child failed to start ({describe_exit(code)}), waiting for a change")
        else:
            log(f"child exited ({describe_exit(code)}), waiting for a change")

    def stop_child(self, sig: int) -> int | None:
        """Sends `sig` to the child, waits, escalates to SIGTERM/SIGKILL on its group; the code."""
        proc = self.process
        if proc is None:
            return None
        self._signal_child(sig)
        steps = [
            (self.grace, signal.SIGTERM if sig != signal.SIGTERM else signal.SIGKILL),
            (self.kill_grace, signal.SIGKILL),
            (self.kill_grace, None),
        ]
        for timeout, next_sig in steps:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not self.force_exit.is_set():
                if self._exit_status(proc) is not None:
                    return self._reap()
                time.sleep(0.02)
            if self._exit_status(proc) is not None:
                return self._reap()
            if next_sig is None:
                break
            if self.force_exit.is_set():
                next_sig = signal.SIGKILL
            log(f"child pid {proc.pid} did not exit; sending {next_sig.name} to its group")
            self._signal_group(next_sig)
        log(f"child pid {proc.pid} could not be stopped")
        return None

    def _signal_child(self, sig: int) -> None:
        try:
            os.kill(self.process.pid, sig)
        except ProcessLookupError:
            pass

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    @staticmethod
    def _exit_status(proc: subprocess.Popen) -> int | None:
        """The child's exit code without reaping it (its zombie keeps the group's id ours)."""
        if proc.returncode is not None:
            return proc.returncode
        if not hasattr(os, "waitid"):
            return proc.poll()
        try:
            result = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return proc.poll()
        if result is None:
            return None
        if result.si_code == os.CLD_EXITED:
            return result.si_status
        return -result.si_status

    def _reap(self) -> int | None:
        """Kills what is left of the exited child's group, reaps the child, forgets it."""
        proc = self.process
        if proc is None:
            return None
        if proc.returncode is None:  # still a zombie: the group id cannot have been reused
            leftovers = group_members(proc.pid)
            if leftovers is None or leftovers:
                if leftovers:
                    log(
                        f"killing {len(leftovers)} leftover process(es) of the child: "
                        f"{' '.join(map(str, leftovers))}"
                    )
                self._signal_group(signal.SIGKILL)
        code = proc.wait()
        self.process = None
        return code


class ReloadSupervisor(Supervisor):
    """The strategy: watchdog on folders; Python changes restart, web changes reload the page.

    `watch` maps a kind ("python" or "web") to a folder or folders, watched recursively.
    """

    def __init__(
        self,
        command: list[str],
        *,
        watch: Mapping[str, Path | Iterable[Path]],
        state_file: Path,
        debounce: float = 0.3,
        **kwargs,
    ):
        super().__init__(command, state_file=state_file, **kwargs)
        self.roots: dict[str, list[Path]] = {}
        for kind, folders in watch.items():
            if kind not in SUFFIXES:
                raise ValueError(f"unknown kind of watched folder: {kind!r}")
            if isinstance(folders, (str, os.PathLike)):
                folders = [folders]
            self.roots[kind] = [Path(f).resolve() for f in folders]
        self.debounce = debounce
        self._lock = threading.Lock()
        self._pending: dict[str, set[Path]] = {}
        self._last_event = 0.0
        self._broken: set[Path] = set()
        self.observer = None

    # --- watching ---

    def classify(self, path: str | Path) -> str | None:
        """The kind of a changed file ("python", "web"), or None when it does not count."""
        path = Path(os.fsdecode(path))
        if any(part in IGNORED_DIRS for part in path.parts):
            return None
        if any(fnmatch.fnmatchcase(path.name, pattern) for pattern in IGNORED_NAMES):
            return None
        for kind, roots in self.roots.items():
            if path.suffix.lower() in SUFFIXES[kind] and any(path.is_relative_to(r) for r in roots):
                return kind
        return None

    def on_event(self, event) -> None:
        """Called on watchdog's thread for every event."""
        if event.is_directory or event.event_type not in (
            "created",
            "modified",
            "closed",
            "deleted",
            "moved",
        ):
            return
        paths = [event.src_path]
        if event.event_type == "moved":
            paths.append(event.dest_path)
        now = time.monotonic()
        for p in paths:
            kind = self.classify(p)
            if kind is not None:
                with self._lock:
                    self._pending.setdefault(kind, set()).add(Path(os.fsdecode(p)))
                    self._last_event = now

    def pending_changes(self) -> Changes | None:
        with self._lock:
            if not self._pending or time.monotonic() - self._last_event < self.debounce:
                return None
            changes, self._pending = Changes(self._pending), {}
        return changes

    def startup(self) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        supervisor = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event):
                supervisor.on_event(event)

        self.observer = Observer()
        handler = Handler()
        for roots in self.roots.values():
            for root in roots:
                if root.is_dir():
                    self.observer.schedule(handler, str(root), recursive=True)
                else:
                    log(f"not watching {display_path(root)}: no such folder")
        self.observer.start()
        super().startup()

    def shutdown(self) -> None:
        if self.observer is not None:
            self.observer.stop()
        try:
            super().shutdown()
        finally:
            if self.observer is not None:
                self.observer.join(5)
                self.observer = None

    # --- deciding ---

    def compile_errors(self, paths: Iterable[Path]) -> dict[Path, BaseException]:
        errors = {}
        for path in sorted(set(paths)):
            try:
                source = path.read_bytes()
            except FileNotFoundError:
                continue  # deleted: nothing to compile
            except OSError as e:
                errors[path] = e
                continue
            try:
                compile(source, display_path(path), "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as e:  # ValueError: null bytes (Python < 3.12)
                errors[path] = e
        return errors

    def should_restart(self, changes: Changes) -> bool:
        python = changes["python"]
        if not python and self.process is not None:
            return False
        errors = self.compile_errors(python | self._broken)
        self._broken = set(errors)
        for path, error in errors.items():
            where = f" line {error.lineno}" if getattr(error, "lineno", None) else ""
            message = error.msg if isinstance(error, SyntaxError) else str(error)
            keeping = "keeping the running app" if self.process is not None else "waiting for a fix"
            log(f"syntax error in {display_path(path)}{where}: {message}; {keeping}")
            detail = "".join(traceback.format_exception_only(type(error), error))
            print(detail.rstrip("\n"), file=sys.stderr, flush=True)
        return not errors

    def should_reload(self, changes: Changes) -> bool:
        return bool(changes["web"])


def run_dev(args: list[str], root: Path | None = None) -> int:
    """What `soma --dev ...` calls: supervises `python -m app ...args` until the window closes
    (returns the child's 0) or Ctrl+C (returns 0). `root` is the project (app/, workers/, web/).
    """
    if os.environ.get(DEV_ENV) == "1":
        log(f"{DEV_ENV}=1: already under a supervisor; refusing to start another")
        return 2
    root = Path(root) if root is not None else Path(__file__).resolve().parents[2]
    root = root.resolve()
    args = [a for a in args if a != "--dev"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    tmp = Path(tempfile.mkdtemp(prefix="soma-dev-"))
    try:
        supervisor = ReloadSupervisor(
            [sys.executable, "-m", "app", *args],
            watch={"python": [root / "app", root / "workers"], "web": [root / "web"]},
            state_file=tmp / "state.json",
            env=env,
        )
        return supervisor.run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
