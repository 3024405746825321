"""app.base.files and app.base.jsontext: only regular files are read, within a size and nesting
limit; atomic writes follow symlinks and tidy what a killed writer left."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from special_files import read_new_fifo

from app.base.files import open_regular, read_limited, remove_stale_temporaries, write_atomic
from app.base.jsontext import MAX_JSON_DEPTH, json_depth, parse_json
from app.files.audio import AudioError, load_audio
from app.files.exchange import ExchangeError, import_partials
from app.files.project import ProjectError, load_project

ROOT = Path(__file__).resolve().parent.parent


def test_a_fifo_is_refused_without_blocking(tmp_path):
    error = read_new_fifo(tmp_path / "pipe", read_limited)
    assert isinstance(error, OSError) and "FIFO" in error.strerror


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full", "/dev/null"])
def test_devices_are_refused_before_reading(device):
    with pytest.raises(OSError, match="character device"):
        read_limited(device)


# Each reader of outside files, with its one error type and a name its format would have.
READERS = [
    (load_project, ProjectError, "p.soma.json"),
    (import_partials, ExchangeError, "p.csv"),
    (load_audio, AudioError, "p.wav"),
]


@pytest.mark.parametrize("read, error_type, name", READERS)
def test_every_reader_refuses_a_fifo_without_blocking(tmp_path, read, error_type, name):
    error = read_new_fifo(tmp_path / name, read)
    assert isinstance(error, error_type), error
    assert name in str(error) and "not a regular file: a FIFO" in str(error)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full"])
@pytest.mark.parametrize("read, error_type, name", READERS)
def test_every_reader_refuses_a_device_before_reading(read, error_type, name, device):
    with pytest.raises(error_type, match="not a regular file: a character device"):
        read(device)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(OSError):
        open_regular(tmp_path)


def test_a_file_over_the_limit_is_refused_after_limit_plus_one_bytes(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 1001)
    assert read_limited(path, limit=1001) == b"x" * 1001
    with pytest.raises(OSError, match="larger than"):
        read_limited(path, limit=1000)


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    (tmp_path / "real.json").write_bytes(b"[1]")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.json")
    assert read_limited(tmp_path / "link.json") == b"[1]"


@pytest.mark.parametrize(
    "text, depth",
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [[1], {"b": []}]}', 4),
        ('["[[[[", "]]"]', 1),
        (r'["\"[[[", {"k\\": ["}"]}]', 3),
        ("[" * 70 + "]" * 70, 70),
    ],
)
def test_json_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_json_depth_takes_linear_time_on_an_unterminated_string_of_escaped_quotes():
    # 120 KB: minutes for a pattern that rescans from each quote, milliseconds in one pass
    text = '["' + '\\"a\\":{' * 17_000
    started = time.monotonic()
    assert json_depth(text) == 1
    assert time.monotonic() - started < 5


def test_parse_json_refuses_deep_nesting_and_numbers_json_cannot_write():
    assert parse_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    with pytest.raises(ValueError, match="nested 500 levels deep"):
        parse_json('{"source": ' + "[" * 499 + "]" * 499 + "}")
    for text in ("[1e999]", "[-1e400]", "[NaN]", "[Infinity]"):
        with pytest.raises(ValueError):
            parse_json(text)
    with pytest.raises(json.JSONDecodeError):
        parse_json("[1,")


def test_write_atomic_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "real" / "p.soma.json"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "p.soma.json"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert sorted(os.listdir(target.parent)) == ["p.soma.json"]
    assert sorted(os.listdir(tmp_path)) == ["p.soma.json", "real"]


_WRITER = """
import sys
from app.base.files import write_atomic
data = b"x" * (8 << 20)
print("ready", flush=True)
while True:
    write_atomic(sys.argv[1], data)
"""


def _kill_a_writer_mid_save(target: Path) -> list[str]:
    """SIGKILL a process that saves `target` over and over, once its temporary file exists;
    returns the temporary files it left (retried until there is one)."""
    for _ in range(20):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(target)], cwd=ROOT, stdout=subprocess.PIPE
        )
        try:
            assert writer.stdout.readline() == b"ready\n"
            deadline = time.monotonic() + 30
            mine = f".{target.name}.{writer.pid}."
            while not any(n.startswith(mine) for n in os.listdir(target.parent)):
                assert time.monotonic() < deadline, "the writer never made a temporary file"
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
            writer.stdout.close()
        left = [n for n in os.listdir(target.parent) if n.startswith(mine)]
        if left:
            return left
    pytest.fail("no kill landed while a temporary file existed")


def test_a_save_killed_midway_leaves_a_temporary_file_the_next_save_removes(tmp_path):
    target = tmp_path / "p.soma.json"
    left = _kill_a_writer_mid_save(target)
    assert left and all(n.endswith(".tmp") for n in left)
    write_atomic(target, b"saved")
    assert sorted(os.listdir(tmp_path)) == ["p.soma.json"]
    assert target.read_bytes() == b"saved"


def test_only_our_own_dead_writers_temporary_files_for_this_target_are_removed(tmp_path):
    target = tmp_path / "p.soma.json"
    target.write_bytes(b"{}")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        kept = [
            f".p.soma.json.{alive.pid}.abcd1234.tmp",  # its writer is running
            f".p.soma.json.{os.getpid()}.abcd1234.tmp",  # ours: a thread may be writing
            f".other.soma.json.{dead.pid}.abcd1234.tmp",  # another target
            f".p.soma.json.{dead.pid}.abcd1234.tmp.bak",  # not our pattern
            f".p.soma.json.{dead.pid}.abcd12345.tmp",
            f"p.soma.json.{dead.pid}.abcd1234.tmp",
        ]
        stale = f".p.soma.json.{dead.pid}.abcd_234.tmp"
        for name in [*kept, stale]:
            (tmp_path / name).write_bytes(b"partial")
        assert remove_stale_temporaries(target) == [tmp_path / stale]
        assert sorted(os.listdir(tmp_path)) == sorted([*kept, "p.soma.json"])
    finally:
        alive.kill()
        alive.wait()
