"""Calling a reader on a FIFO without risking a hung test run."""

import errno
import os
import threading

import pytest


def outcome_without_blocking(fifo, call, timeout: float = 30.0):
    """call()'s return value, or the exception it raised.

    A call that is still running after `timeout` s is blocked on the FIFO: the test fails, and
    the FIFO's write end is opened and closed so the blocked reader sees end of file and its
    thread ends, instead of hanging the test run.
    """
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the test, which checks its type
            outcome["value"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as error:  # ENXIO: nobody has it open for reading (yet)
            if error.errno != errno.ENXIO:
                raise
        thread.join(timeout)
        pytest.fail(f"the call blocked on the FIFO {fifo} for {timeout} s")
    return outcome["value"]


def read_new_fifo(path, read, timeout: float = 30.0):
    """Make a FIFO at `path` and return read(path)'s outcome, as outcome_without_blocking."""
    os.mkfifo(path)
    return outcome_without_blocking(path, lambda: read(path), timeout)
