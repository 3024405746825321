"""SomaError, the root of every error Soma raises for the user, and how a message stays one line.

Each module has its own subclass (AudioError, ProjectError, ArgumentError...), whose str() is
one line a user can act on. The bridge and the command line catch SomaError alone: an error
that is not one is a bug, and only then does the page read "Internal error".
"""

from __future__ import annotations


class SomaError(Exception):
    """An error of Soma's for the user; str() is one line naming what went wrong."""


def one_line(text: str, limit: int | None = None) -> str:
    """`text` on one line (runs of whitespace, newlines too, made one space), cut to `limit`
    characters with '...': for messages that quote a file's content or name."""
    text = " ".join(str(text).split())
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def error_line(error: BaseException) -> str:
    """`error` as one line for the user: a reader's message may span lines, or be empty."""
    return one_line(str(error)) or type(error).__name__


def printable(text: str) -> str:
    """`text` with each character that does not print (a newline in a file name...) made '?',
    so a name stays one line and keeps its length."""
    return "".join(c if c.isprintable() else "?" for c in text)
