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
