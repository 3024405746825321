"""Which processes are alive, read from /proc: for the tests that check nothing is left."""

import os


def _table() -> dict[int, list[tuple[int, str]]]:
    """Parent pid -> [(pid, state letter)] of every process now."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        children.setdefault(int(fields[1]), []).append((int(entry), fields[0]))
    return children


def children_of(pid: int) -> list[tuple[int, str]]:
    """(pid, state) of the processes whose parent is `pid` (state 'Z': a zombie)."""
    return _table().get(pid, [])


def descendants(pid: int) -> list[int]:
    """Pids of every live (not zombie) process below `pid`."""
    table = _table()
    found, todo = [], [pid]
    while todo:
        for child, state in table.get(todo.pop(), []):
            if state != "Z":
                found.append(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def pss_bytes(pid: int) -> int:
    """Proportional set size of `pid` (/proc/<pid>/smaps_rollup): each page shared by n
    processes counts 1/n in each, so the sum over processes counts every page once."""
    return _kib_field(f"/proc/{pid}/smaps_rollup", "Pss:")


def mapping_pss_bytes(pid: int, path: str) -> int:
    """Pss of `pid`'s mappings of the file at `path` (/proc/<pid>/smaps); 0 if none."""
    total, inside = 0, False
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            first = line.split(maxsplit=1)[0]
            if "-" in first and not first.endswith(":"):  # a mapping's header line
                inside = line.rstrip("\n").endswith(path)
            elif inside and first == "Pss:":
                total += int(line.split()[1]) * 1024
    return total


def _kib_field(file: str, name: str) -> int:
    with open(file) as text:
        for line in text:
            if line.startswith(name):
                return int(line.split()[1]) * 1024
    raise LookupError(f"no {name} in {file}")
